/**
 * What the server writes to its log at the most talkative level: a structured line per
 * request (id, method, route, status, duration, user id), and never a prompt, an email, a
 * display name, a session token, a bearer token or a cookie, even when they are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';

const ready = hasBuild();
if (!ready) console.warn('SKIPPED: log tests need a build (npx astro build).');

const SECRETS = {
  email: 'Zq.Secret.Person-7731@Example.com',
  name: 'Quillon Marrowfield',
  newName: 'Renamed Zephyrine 9911',
  prompt: 'a zebra-striped lighthouse made of marzipan 88231',
  negativePrompt: 'no flamingos 44190',
  refusedPrompt: 'refused prompt about vellichor 55123 ',
  bearer: 'tok_live_abcdef1234567890SECRET',
  foreignCookie: 'clerk-like-session-value-5566',
  smuggledId: 'smuggled.zq-secret-person-7731@example.com',
};

interface LogLine {
  msg?: string;
  requestId?: string;
  method?: string;
  route?: string;
  path?: string;
  status?: number;
  durationMs?: number;
  userId?: string | null;
}

describe.skipIf(!ready)('logs', () => {
  let server: RunningServer;
  let cookie = '';
  let userId = '';
  let generateRequestId = '';

  beforeAll(async () => {
    server = await startServer({ env: { LOG_LEVEL: 'debug' } });
    const json = { 'content-type': 'application/json', origin: server.url };

    const signIn = await fetch(server.url + '/api/auth/local/sign-in', { method: 'POST', headers: json, body: JSON.stringify({ email: SECRETS.email, name: SECRETS.name }) });
    cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    userId = ((await signIn.json()) as { userId: string }).userId;
    // The same person through the HTML form, and a refused sign-in that repeats the email.
    await fetch(server.url + '/api/auth/local/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ email: SECRETS.email, name: SECRETS.name, returnTo: '/gallery' }),
      redirect: 'manual',
    });
    await fetch(server.url + '/api/auth/local/sign-in', { method: 'POST', headers: json, body: JSON.stringify({ email: `${SECRETS.email}@@`, name: SECRETS.name }) });

    const generated = await fetch(server.url + '/api/trpc/generate.create', {
      method: 'POST',
      headers: { ...json, cookie: `${cookie}; __session=${SECRETS.foreignCookie}`, 'x-request-id': 'log-test-generate-1' },
      body: JSON.stringify({ prompt: SECRETS.prompt, negativePrompt: SECRETS.negativePrompt, model: 'dreamshaper-8-lcm', width: 512, height: 512 }),
    });
    expect(generated.status).toBe(200);
    generateRequestId = generated.headers.get('x-request-id')!;
    const refused = await fetch(server.url + '/api/trpc/generate.create', {
      method: 'POST',
      headers: { ...json, cookie, 'x-request-id': SECRETS.smuggledId },
      body: JSON.stringify({ prompt: SECRETS.refusedPrompt.repeat(100), model: 'dreamshaper-8-lcm' }),
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-request-id')).not.toBe(SECRETS.smuggledId);

    await fetch(server.url + '/api/trpc/account.update', { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ name: SECRETS.newName }) });
    await fetch(`${server.url}/api/trpc/gallery.list?input=${encodeURIComponent(JSON.stringify({ limit: 5 }))}`, { headers: { cookie } });
    await fetch(server.url + '/api/trpc/account.me', { headers: { authorization: `Bearer ${SECRETS.bearer}` } });
    await fetch(server.url + '/media/not-an-id', { headers: { cookie } });
    await fetch(server.url + '/account', { headers: { cookie } });
    await fetch(server.url + '/api/privacy/export/nope', { headers: { cookie } });
  });

  afterAll(async () => {
    await server?.stop();
  });

  function lines(): LogLine[] {
    return server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  }

  it('writes one structured line per request with its id, route, status, duration and user', () => {
    const line = lines().find((l) => l.msg === 'request' && l.path === '/api/trpc/generate.create' && l.status === 200);
    expect(line).toMatchObject({ requestId: generateRequestId, method: 'POST', route: '/api/trpc/[...trpc]', userId });
    expect(generateRequestId).toBe('log-test-generate-1');
    expect(typeof line?.durationMs).toBe('number');
    const signedOut = lines().find((l) => l.msg === 'request' && l.path === '/api/trpc/account.me');
    expect(signedOut).toMatchObject({ status: 401, userId: null });
  });

  it('never contains a prompt, an email, a name, a token or a cookie', () => {
    const output = server.output();
    expect(output.length).toBeGreaterThan(1000);
    const session = cookie.split('=').slice(1).join('=');
    const forbidden = [
      ...Object.values(SECRETS),
      SECRETS.email.toLowerCase(),
      SECRETS.email.split('@')[0]!,
      SECRETS.email.split('@')[0]!.toLowerCase(),
      SECRETS.refusedPrompt.trim(),
      'marzipan',
      'vellichor',
      session,
      decodeURIComponent(session),
      session.split('.')[0]!,
    ];
    for (const secret of forbidden) expect(output, `log contains "${secret}"`).not.toContain(secret);
  });
});
