/**
 * Clerk, offline and over its real mechanisms: RS256 session tokens signed here with a key pair
 * whose public half is CLERK_JWT_KEY (verified by @clerk/backend without network), Svix-signed
 * webhooks (standardwebhooks, the library Clerk's verifyWebhook uses), and the Backend API's
 * DELETE /v1/users/{id}, GET /v1/users/{id} and POST /v1/sessions/{id}/revoke against a fake
 * Clerk API on loopback (CLERK_API_URL).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { SignJWT, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { Webhook } from 'standardwebhooks';
import type { APIContext } from 'astro';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { createContext } from '../../server/trpc/context.ts';
import { createClerkMiddleware } from '../../server/adapters/identity/clerk-middleware.ts';
import { handleClerkWebhook } from '../../server/http/clerk-webhook.ts';
import { handleSignOut } from '../../server/http/sign-out.ts';
import { AppError } from '../../server/domain/errors.ts';

const SITE = 'http://localhost:4321';
const ISSUER = 'https://clerk.artivio.test';
// A publishable key is `pk_test_` + base64("<frontend API host>$").
const PUBLISHABLE_KEY = `pk_test_${Buffer.from('clerk.artivio.test$').toString('base64')}`;
const SECRET_KEY = 'sk_test_artivio_fake_secret_key';
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
// Clerk's Astro middleware builds its own client from the environment: no usage reports from tests.
process.env.PUBLIC_CLERK_TELEMETRY_DISABLED = 'true';

let privateKey: CryptoKey;
let otherKey: CryptoKey;
let publicPem: string;

/** A user as Clerk's Backend API and webhooks describe one. */
const clerkUser = (id: string, email: string, first: string | null, last: string | null, username: string | null = null) => ({
  id,
  object: 'user',
  first_name: first,
  last_name: last,
  username,
  primary_email_address_id: 'idn_primary',
  email_addresses: [
    { id: 'idn_other', object: 'email_address', email_address: 'old@example.com', linked_to: [] },
    { id: 'idn_primary', object: 'email_address', email_address: email, linked_to: [] },
  ],
});

const clerkError = (status: number) => ({
  errors: [{ code: status === 404 ? 'resource_not_found' : 'internal_clerk_error', message: 'fake', long_message: 'fake' }],
  clerk_trace_id: 'trace',
});

/**
 * A fake Clerk Backend API: records calls, answers DELETE /v1/users/:id, GET /v1/users/:id
 * (from `users`) and POST /v1/sessions/:id/revoke; `status` other than 200 fails every call.
 */
const api = {
  calls: [] as Array<{ method: string; path: string; authorization: string | undefined }>,
  status: 200,
  users: new Map<string, ReturnType<typeof clerkUser>>(),
  url: '',
  server: http.createServer((req, res) => {
    api.calls.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    const path = req.url ?? '';
    const id = path.split('/')[3] ?? '';
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (api.status !== 200) return answer(api.status, clerkError(api.status));
    if (req.method === 'POST' && /^\/v1\/sessions\/[^/]+\/revoke$/.test(path)) {
      return answer(200, { object: 'session', id, client_id: 'client_test', user_id: 'user_test_ada', status: 'revoked', last_active_at: 0, expire_at: 0, abandon_at: 0, created_at: 0, updated_at: 0 });
    }
    if (req.method === 'GET' && path.startsWith('/v1/users/')) {
      const user = api.users.get(id);
      return user ? answer(200, user) : answer(404, clerkError(404));
    }
    return answer(200, { object: 'user', id, deleted: true });
  }),
};

beforeAll(async () => {
  ({ privateKey: otherKey } = await generateKeyPair('RS256'));
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  publicPem = await exportSPKI(pair.publicKey);
  await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
  const address = api.server.address();
  api.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => new Promise<void>((resolve) => api.server.close(() => resolve())));

let t: TestApp;
afterEach(async () => {
  vi.useRealTimers();
  api.calls.length = 0;
  api.status = 200;
  api.users.clear();
  await t?.close();
});

async function clerkApp(extra: Record<string, string> = {}) {
  t = await createTestApp({}, {
    PUBLIC_CLERK_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
    CLERK_SECRET_KEY: SECRET_KEY,
    CLERK_JWT_KEY: publicPem,
    CLERK_WEBHOOK_SIGNING_SECRET: WEBHOOK_SECRET,
    CLERK_API_URL: api.url,
    PUBLIC_SITE_URL: SITE,
    ...extra,
  });
  expect(t.app.identity.kind).toBe('clerk');
  return t.app;
}

interface TokenOptions {
  sub?: string;
  azp?: string;
  iat?: number;
  nbf?: number;
  exp?: number;
  key?: CryptoKey;
  claims?: Record<string, unknown>;
}

async function sessionToken(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const iat = options.iat ?? now - 1;
  return new SignJWT({ sid: 'sess_test', azp: options.azp ?? SITE, ...options.claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'ins_test', typ: 'JWT' })
    .setSubject(options.sub ?? 'user_test_ada')
    .setIssuer(ISSUER)
    .setIssuedAt(iat)
    .setNotBefore(options.nbf ?? iat - 5)
    .setExpirationTime(options.exp ?? iat + 60)
    .sign(options.key ?? privateKey);
}

function bearer(token: string, path = '/api/trpc/account.me'): Request {
  return new Request(`${SITE}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

describe('Clerk sessions', () => {
  it('a valid token is accepted by the adapter, with email and name from its claims', async () => {
    const app = await clerkApp();
    const token = await sessionToken({ claims: { email: 'ada@example.com', name: 'Ada Lovelace' } });
    expect(await app.identity.authenticate(bearer(token))).toEqual({ userId: 'user_test_ada', email: 'ada@example.com', name: 'Ada Lovelace' });
  });

  it('the tRPC context accepts it and creates the user record on the first request', async () => {
    const app = await clerkApp();
    const token = await sessionToken({ claims: { email: 'ada@example.com', name: 'Ada Lovelace' } });
    const ctx = await createContext(app, bearer(token));
    expect(ctx.user).toMatchObject({ id: 'user_test_ada', email: 'ada@example.com', name: 'Ada Lovelace', plan: 'free' });
    expect(await app.store.getUser('user_test_ada')).not.toBeNull();
    // The second request finds the same record.
    expect((await createContext(app, bearer(await sessionToken()))).user?.id).toBe('user_test_ada');
    // The token had the email: nothing asked of Clerk's API.
    expect(api.calls).toEqual([]);
  });

  it('a new user whose token has no email gets email and name from the Backend API, asked once', async () => {
    const app = await clerkApp();
    api.users.set('user_test_ada', clerkUser('user_test_ada', 'Ada@Example.com', 'Ada', 'Lovelace'));
    const ctx = await createContext(app, bearer(await sessionToken()));
    expect(ctx.user).toMatchObject({ id: 'user_test_ada', email: 'ada@example.com', name: 'Ada Lovelace' });
    expect(api.calls).toEqual([{ method: 'GET', path: '/v1/users/user_test_ada', authorization: `Bearer ${SECRET_KEY}` }]);
    // Later requests use our record.
    expect((await createContext(app, bearer(await sessionToken()))).user?.email).toBe('ada@example.com');
    expect(api.calls).toHaveLength(1);
  });

  it('a user with only a username at Clerk is named by it', async () => {
    const app = await clerkApp();
    api.users.set('user_test_ada', clerkUser('user_test_ada', 'ada@example.com', null, null, 'countess'));
    expect((await createContext(app, bearer(await sessionToken()))).user).toMatchObject({ email: 'ada@example.com', name: 'countess' });
  });

  it('with the Backend API down the new user is still signed in and created, without a profile', async () => {
    const app = await clerkApp({ CLERK_API_URL: 'http://127.0.0.1:1' });
    const ctx = await createContext(app, bearer(await sessionToken()));
    expect(ctx.user).toMatchObject({ id: 'user_test_ada', email: '', name: 'New user' });
    expect(await app.store.getUser('user_test_ada')).not.toBeNull();
  });

  it('an API error (500) is the same: signed in, record created', async () => {
    const app = await clerkApp();
    api.status = 500;
    expect((await createContext(app, bearer(await sessionToken()))).user?.id).toBe('user_test_ada');
  });

  it('also reads the __session cookie a browser sends', async () => {
    const app = await clerkApp();
    const iat = Math.floor(Date.now() / 1000) - 1;
    const token = await sessionToken({ iat });
    // __client_uat no newer than the token; __clerk_db_jwt is the dev-browser cookie a pk_test instance requires.
    const request = new Request(`${SITE}/api/trpc/account.me`, { headers: { cookie: `__session=${token}; __client_uat=${iat}; __clerk_db_jwt=dvb_test` } });
    expect((await app.identity.authenticate(request))?.userId).toBe('user_test_ada');
  });

  const refused: Array<[string, () => Promise<string>]> = [
    ['expired', () => sessionToken({ iat: Math.floor(Date.now() / 1000) - 600, exp: Math.floor(Date.now() / 1000) - 60 })],
    ['not yet valid', () => sessionToken({ nbf: Math.floor(Date.now() / 1000) + 120 })],
    ['signed with another key', () => sessionToken({ key: otherKey })],
    ['issued to another site (azp)', () => sessionToken({ azp: 'https://evil.example' })],
    [
      'tampered (subject swapped after signing)',
      async () => {
        const [header, payload, signature] = (await sessionToken()).split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
        return [header, Buffer.from(JSON.stringify({ ...claims, sub: 'user_test_mallory' })).toString('base64url'), signature].join('.');
      },
    ],
    ['not a JWT', async () => 'not-a-token'],
  ];

  for (const [label, make] of refused) {
    it(`refuses a token that is ${label}: no identity, no context user, no record`, async () => {
      const app = await clerkApp();
      const token = await make();
      expect(await app.identity.authenticate(bearer(token))).toBeNull();
      expect((await createContext(app, bearer(token))).user).toBeNull();
      expect(await app.store.getUser('user_test_ada')).toBeNull();
      expect(await app.store.getUser('user_test_mallory')).toBeNull();
    });
  }

  it('Clerk’s Astro middleware accepts the same valid token and refuses a forged one', async () => {
    const app = await clerkApp();
    if (!app.config.clerk) throw new Error('clerk config missing');
    const middleware = createClerkMiddleware(app.config.clerk);
    const run = async (token: string) => {
      const locals: Record<string, unknown> = {};
      const request = bearer(token, '/generate');
      const context = { request, url: new URL(request.url), locals, isPrerendered: false, redirect: (to: string, status = 302) => new Response(null, { status, headers: { location: to } }) };
      const response = await middleware(context as unknown as APIContext, async () => new Response('ok', { headers: { 'content-type': 'text/plain' } }));
      const auth = locals.auth as ((opts?: { acceptsToken?: string }) => { userId: string | null }) | undefined;
      if (!(response instanceof Response)) throw new Error('the middleware answered nothing');
      return { status: response.status, userId: auth?.({ acceptsToken: 'session_token' }).userId ?? null };
    };
    expect(await run(await sessionToken())).toEqual({ status: 200, userId: 'user_test_ada' });
    expect(await run(await sessionToken({ key: otherKey }))).toEqual({ status: 200, userId: null });
    expect(await run(await sessionToken({ azp: 'https://evil.example' }))).toEqual({ status: 200, userId: null });
  });
});

describe('Clerk account deletion (Backend API)', () => {
  it('deleteAccount calls DELETE /v1/users/{id} with the secret key', async () => {
    const app = await clerkApp();
    await app.identity.deleteAccount('user_test_ada');
    expect(api.calls).toEqual([{ method: 'DELETE', path: '/v1/users/user_test_ada', authorization: `Bearer ${SECRET_KEY}` }]);
  });

  it('a user already gone (404) is success', async () => {
    const app = await clerkApp();
    api.status = 404;
    await expect(app.identity.deleteAccount('user_gone')).resolves.toBeUndefined();
  });

  it('a Clerk outage is an error, so the deletion job retries the step', async () => {
    const app = await clerkApp();
    api.status = 500;
    const error = await app.identity.deleteAccount('user_test_ada').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('ProviderUnavailable');
  });
});

describe('Sign-out', () => {
  const signOut = (app: TestApp['app'], headers: Record<string, string>) =>
    handleSignOut({ identity: app.identity, secureCookies: false }, new Request(`${SITE}/api/auth/sign-out`, { method: 'POST', headers }));
  /** The cookie names a response deletes (Max-Age=0), in order. */
  const cleared = (response: Response) =>
    response.headers
      .getSetCookie()
      .filter((c) => /;\s*Max-Age=0/i.test(c))
      .map((c) => c.slice(0, c.indexOf('=')));

  it('with Clerk: revokes the token’s session with the secret key, clears Clerk’s cookies and goes home', async () => {
    const app = await clerkApp();
    const iat = Math.floor(Date.now() / 1000) - 1;
    const token = await sessionToken({ iat, claims: { sid: 'sess_ada_laptop' } });
    const response = await signOut(app, { cookie: `artivio_consent=x; __session=${token}; __client_uat=${iat}; __clerk_db_jwt=dvb_test` });
    expect(api.calls).toEqual([{ method: 'POST', path: '/v1/sessions/sess_ada_laptop/revoke', authorization: `Bearer ${SECRET_KEY}` }]);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    expect(cleared(response).sort()).toEqual(['__clerk_db_jwt', '__client_uat', '__session']);
  });

  it('a session already gone at Clerk (404), or Clerk failing (500), still signs out here', async () => {
    const app = await clerkApp();
    for (const status of [404, 500]) {
      api.status = status;
      const response = await signOut(app, { cookie: `__session=${await sessionToken()}`, accept: 'application/json' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true });
      expect(cleared(response)).toEqual(['__session', '__client_uat']);
    }
    expect(api.calls.map((c) => c.path)).toEqual(['/v1/sessions/sess_test/revoke', '/v1/sessions/sess_test/revoke']);
  });

  it('a genuine but expired token (a tab back from sleep) still revokes; a forged one revokes nothing', async () => {
    const app = await clerkApp();
    const now = Math.floor(Date.now() / 1000);
    await signOut(app, { authorization: `Bearer ${await sessionToken({ iat: now - 3600, exp: now - 3540, claims: { sid: 'sess_stale' } })}` });
    const forged = await signOut(app, { cookie: `__session=${await sessionToken({ key: otherKey, claims: { sid: 'sess_victim' } })}` });
    expect(api.calls.map((c) => c.path)).toEqual(['/v1/sessions/sess_stale/revoke']);
    expect(cleared(forged)).toEqual(['__session', '__client_uat']);
  });

  it('signed out already: nothing to revoke, the cookies are cleared anyway', async () => {
    const app = await clerkApp();
    expect(cleared(await signOut(app, {}))).toEqual(['__session', '__client_uat']);
    expect(api.calls).toEqual([]);
  });

  it('local sign-in: clears artivio_session only and calls nothing remote', async () => {
    t = await createTestApp();
    expect(t.app.identity.kind).toBe('local');
    const session = t.app.localIdentity!.issueSession('usr_local');
    const response = await signOut(t.app, { cookie: `artivio_session=${session}; artivio_consent=x`, accept: 'application/json' });
    expect(response.status).toBe(200);
    expect(cleared(response)).toEqual(['artivio_session']);
    expect(api.calls).toEqual([]);
  });
});

describe('POST /api/webhooks/clerk', () => {
  let seq = 0;
  function delivery(type: string, data: Record<string, unknown>, options: { secret?: string; at?: Date; id?: string } = {}) {
    seq += 1;
    const id = options.id ?? `msg_test_${seq}_${randomBytes(4).toString('hex')}`;
    const at = options.at ?? new Date();
    const body = JSON.stringify({ type, object: 'event', data, timestamp: at.getTime(), instance_id: 'ins_test' });
    const signature = new Webhook(options.secret ?? WEBHOOK_SECRET).sign(id, at, body);
    return { id, body, headers: { 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': signature, 'content-type': 'application/json' } };
  }

  async function send(d: { body: string; headers: Record<string, string> }) {
    const request = new Request(`${SITE}/api/webhooks/clerk`, { method: 'POST', headers: d.headers, body: d.body });
    const response = await handleClerkWebhook({ identity: t.app.identity, identityEvents: t.app.identityEvents, logger: t.app.logger }, request);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('user.updated copies the new primary email and name onto the record', async () => {
    const app = await clerkApp();
    await app.store.createUser({ id: 'user_test_ada', email: 'ada@example.com', name: 'Ada' });
    const result = await send(delivery('user.updated', clerkUser('user_test_ada', 'Ada@New.example', 'Ada', 'King')));
    expect(result).toEqual({ status: 200, body: { received: true, outcome: 'applied' } });
    expect(await app.store.getUser('user_test_ada')).toMatchObject({ email: 'ada@new.example', name: 'Ada King' });
  });

  it('user.created makes the record; a late user.updated for an unknown user makes none', async () => {
    const app = await clerkApp();
    expect((await send(delivery('user.updated', clerkUser('user_late', 'late@example.com', 'Late', 'Comer')))).body.outcome).toBe('no-user');
    expect(await app.store.getUser('user_late')).toBeNull();
    await send(delivery('user.created', clerkUser('user_new', 'new@example.com', 'New', 'Person')));
    expect(await app.store.getUser('user_new')).toMatchObject({ email: 'new@example.com', name: 'New Person', plan: 'free' });
  });

  it('user.deleted starts our account deletion, once', async () => {
    const app = await clerkApp();
    await app.store.createUser({ id: 'user_test_ada', email: 'ada@example.com', name: 'Ada' });
    const d = delivery('user.deleted', { id: 'user_test_ada', object: 'user', deleted: true });
    expect((await send(d)).body.outcome).toBe('applied');
    expect((await send(d)).body.outcome).toBe('duplicate');
    const requests = await app.store.listPrivacyRequests('user_test_ada');
    expect(requests.filter((r) => r.kind === 'deletion')).toHaveLength(1);
    expect(await app.privacyDeletion.isPending('user_test_ada')).toBe(true);
    // Signed out everywhere from now on, even with a valid Clerk session.
    expect((await createContext(app, bearer(await sessionToken()))).user).toBeNull();
  });

  it('user.deleted for someone with no record here (e.g. after our own deletion removed the Clerk account) queues nothing', async () => {
    const app = await clerkApp();
    expect((await send(delivery('user.deleted', { id: 'user_already_gone', object: 'user', deleted: true }))).body.outcome).toBe('no-user');
    expect(await app.store.listPrivacyRequests('user_already_gone')).toEqual([]);
  });

  it('refuses a forged signature, a stale timestamp and missing headers with 400, changing nothing', async () => {
    const app = await clerkApp();
    await app.store.createUser({ id: 'user_test_ada', email: 'ada@example.com', name: 'Ada' });
    const data = clerkUser('user_test_ada', 'mallory@example.com', 'Mallory', 'X');
    expect((await send(delivery('user.updated', data, { secret: `whsec_${randomBytes(24).toString('base64')}` }))).status).toBe(400);
    expect((await send(delivery('user.updated', data, { at: new Date(Date.now() - 6 * 60_000) }))).status).toBe(400);
    const unsigned = delivery('user.updated', data);
    expect((await send({ body: unsigned.body, headers: { 'content-type': 'application/json' } })).status).toBe(400);
    const tampered = delivery('user.updated', clerkUser('user_test_ada', 'ok@example.com', 'Ok', 'Person'));
    expect((await send({ ...tampered, body: tampered.body.replace('ok@example.com', 'mallory@example.com') })).status).toBe(400);
    expect(await app.store.getUser('user_test_ada')).toMatchObject({ email: 'ada@example.com', name: 'Ada' });
  });

  it('a replay is applied once inside the window and refused after it', async () => {
    const app = await clerkApp();
    await app.store.createUser({ id: 'user_test_ada', email: 'ada@example.com', name: 'Ada' });
    const first = delivery('user.updated', clerkUser('user_test_ada', 'first@example.com', 'First', 'Name'));
    expect((await send(first)).body.outcome).toBe('applied');
    await send(delivery('user.updated', clerkUser('user_test_ada', 'second@example.com', 'Second', 'Name')));
    expect(await send(first)).toEqual({ status: 200, body: { received: true, outcome: 'duplicate' } });
    expect((await app.store.getUser('user_test_ada'))?.email).toBe('second@example.com');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 6 * 60_000);
    expect((await send(first)).status).toBe(400);
    expect((await app.store.getUser('user_test_ada'))?.email).toBe('second@example.com');
  });

  it('answers 200 to a type it does not act on, 500 when Clerk is on without a signing secret, 404 without Clerk', async () => {
    await clerkApp();
    expect(await send(delivery('session.created', { id: 'sess_1', object: 'session' }))).toEqual({ status: 200, body: { received: true, ignored: 'session.created' } });
    await t.close();
    await clerkApp({ CLERK_WEBHOOK_SIGNING_SECRET: '' });
    expect((await send(delivery('user.updated', clerkUser('user_test_ada', 'x@example.com', 'X', 'Y')))).status).toBe(500);
    await t.close();
    t = await createTestApp();
    expect((await send(delivery('user.updated', clerkUser('user_test_ada', 'x@example.com', 'X', 'Y')))).status).toBe(404);
  });
});
