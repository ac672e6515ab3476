/**
 * Local sign-out ends the session for every instance: two apps built like the server builds
 * them, on one DATA_DIR (one SQLite file) and one SESSION_SECRET. A copy of the signed-out
 * cookie is refused by both; the same person's other session is not.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { LOCAL_SESSION_COOKIE } from '../../server/adapters/identity/local.ts';
import { handleSignOut } from '../../server/http/sign-out.ts';
import { userFromRequest } from '../../server/trpc/context.ts';

describe('local sign-out across two app instances', () => {
  let dataDir: string;
  let a: App;
  let b: App;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'artivio-revoke-'));
    const env = { NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: randomBytes(32).toString('hex') };
    a = await createApp(loadConfig(env));
    b = await createApp(loadConfig(env));
  });
  afterAll(async () => {
    await Promise.all([a?.dispose(), b?.dispose()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  const withSession = (token: string) => new Request('http://localhost:4321/generate', { headers: { cookie: `${LOCAL_SESSION_COOKIE}=${token}` } });

  it('refuses a copy of the signed-out cookie on both instances and keeps the other session', async () => {
    const user = await a.account.signInLocal('ada@example.com', 'Ada');
    const copied = a.localIdentity!.issueSession(user.id);
    const other = b.localIdentity!.issueSession(user.id);
    expect((await userFromRequest(b, withSession(copied)))?.id).toBe(user.id);

    const response = await handleSignOut({ identity: a.identity, secureCookies: false }, new Request('http://localhost:4321/api/auth/sign-out', { method: 'POST', headers: { cookie: `${LOCAL_SESSION_COOKIE}=${copied}` } }));
    expect(response.status).toBe(303);

    expect(await userFromRequest(a, withSession(copied))).toBeNull();
    expect(await userFromRequest(b, withSession(copied))).toBeNull();
    expect((await userFromRequest(a, withSession(other)))?.id).toBe(user.id);
    expect((await userFromRequest(b, withSession(other)))?.id).toBe(user.id);
  });
});
