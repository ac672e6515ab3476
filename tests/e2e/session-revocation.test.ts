/**
 * A copy of a signed-out local session cookie is refused, by the instance that signed it out
 * and by a second instance on the same DATA_DIR and SESSION_SECRET: the built site, two server
 * processes, plain HTTP. Another sign-in of the same person stays valid.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';

const built = hasBuild();
if (!built) console.warn('SKIPPED: session revocation needs a build (npm run build).');

describe.skipIf(!built)('a signed-out local session, copied, on two instances', () => {
  let dataDir: string;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'artivio-revoke-'));
    const env = { SESSION_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn' };
    a = await startServer({ dataDir, env });
    b = await startServer({ dataDir, env });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  async function signIn(server: RunningServer): Promise<string> {
    const response = await fetch(`${server.url}/api/auth/local/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: 'ada@example.com', name: 'Ada' }),
    });
    expect(response.status).toBe(200);
    return response.headers.getSetCookie()[0]!.split(';')[0]!;
  }

  const me = (server: RunningServer, cookie: string) => fetch(`${server.url}/api/trpc/account.me`, { headers: { cookie } });
  const generatePage = (server: RunningServer, cookie: string) => fetch(`${server.url}/generate`, { headers: { cookie }, redirect: 'manual' });

  it('is refused with 401 on account.me and sent to /sign-in from /generate, on both instances', async () => {
    const copied = await signIn(a);
    const elsewhere = await signIn(b);
    for (const server of [a, b]) {
      expect((await me(server, copied)).status).toBe(200);
      expect((await generatePage(server, copied)).status).toBe(200);
    }

    const signOut = await fetch(`${a.url}/api/auth/sign-out`, { method: 'POST', headers: { origin: a.url, accept: 'application/json', cookie: copied } });
    expect(signOut.status).toBe(200);

    for (const server of [a, b]) {
      const refused = await me(server, copied);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { data: { code: string } } }).error.data.code).toBe('UNAUTHORIZED');
      const page = await generatePage(server, copied);
      expect(page.status).toBe(302);
      expect(page.headers.get('location')).toBe('/sign-in?returnTo=%2Fgenerate');
      const generate = await fetch(`${server.url}/api/trpc/generate.create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url, cookie: copied },
        body: JSON.stringify({ prompt: 'a lighthouse at dusk' }),
      });
      expect(generate.status).toBe(401);
    }

    // Only that session ended: the same person's other sign-in still works everywhere.
    for (const server of [a, b]) expect((await me(server, elsewhere)).status).toBe(200);

    // Signing out the same copy again, on the other instance, is harmless.
    const again = await fetch(`${b.url}/api/auth/sign-out`, { method: 'POST', headers: { origin: b.url, accept: 'application/json', cookie: copied } });
    expect(again.status).toBe(200);
  });
});
