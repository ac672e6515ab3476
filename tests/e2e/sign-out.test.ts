/**
 * Sign-out against the built site: the header's "Sign out" in Chromium (local sign-in), both
 * sign-out addresses over HTTP, and with Clerk configured the session revoked at a fake Clerk
 * Backend API on loopback (CLERK_API_URL), which also supplies a new user's profile.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { SignJWT, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { hasChromium, launchBrowser } from './support/browser.ts';
import { rememberConsent } from './support/consent.ts';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';

const built = hasBuild();
const ready = built && hasChromium();
if (!built) console.warn('SKIPPED: sign-out tests need a build (npm run build).');
else if (!ready) console.warn('SKIPPED: the sign-out browser test needs Chromium (/usr/bin/chromium or CHROMIUM_PATH).');

/** The cookie names a response deletes (Max-Age=0). */
function cleared(response: Response): string[] {
  return response.headers
    .getSetCookie()
    .filter((c) => /;\s*Max-Age=0/i.test(c))
    .map((c) => c.slice(0, c.indexOf('=')))
    .sort();
}

describe.skipIf(!built)('sign-out with local sign-in', () => {
  let server: RunningServer;
  let browser: Browser | undefined;

  beforeAll(async () => {
    server = await startServer();
    if (ready) browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signIn(email: string): Promise<string> {
    const response = await fetch(`${server.url}/api/auth/local/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email, name: 'Ada' }),
    });
    return response.headers.get('set-cookie')!.split(';')[0]!;
  }

  it('both /api/auth/sign-out and the older /api/auth/local/sign-out clear the session cookie', async () => {
    const viaForm = await fetch(`${server.url}/api/auth/sign-out`, { method: 'POST', redirect: 'manual', headers: { origin: server.url, cookie: await signIn('ada@example.com') } });
    expect(viaForm.status).toBe(303);
    expect(viaForm.headers.get('location')).toBe('/');
    expect(cleared(viaForm)).toEqual(['artivio_session']);

    const viaScript = await fetch(`${server.url}/api/auth/local/sign-out`, { method: 'POST', headers: { origin: server.url, accept: 'application/json', cookie: await signIn('ada@example.com') } });
    expect(viaScript.status).toBe(200);
    expect(await viaScript.json()).toEqual({ ok: true });
    expect(cleared(viaScript)).toEqual(['artivio_session']);

    const crossSite = await fetch(`${server.url}/api/auth/sign-out`, { method: 'POST', redirect: 'manual', headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
  });

  it.skipIf(!ready)('the header’s “Sign out” signs the person out in Chromium', async () => {
    const context = await browser!.newContext();
    await rememberConsent(context, server.url);
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in?returnTo=%2Faccount`);
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Display name').fill('Grace');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/account');

    await page.locator('header').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.locator('header').getByRole('link', { name: 'Sign in' }).waitFor();
    expect((await context.cookies()).map((c) => c.name)).not.toContain('artivio_session');
    await page.goto(`${server.url}/account`);
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await context.close();
  });
});

describe.skipIf(!built)('sign-out and first sign-in with Clerk (fake Backend API on loopback)', () => {
  const site = 'http://localhost:4321';
  const secretKey = 'sk_test_artivio_e2e_signout';
  const calls: Array<{ method: string; path: string; authorization: string | undefined }> = [];
  const fakeApi = http.createServer((req, res) => {
    calls.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    const id = (req.url ?? '').split('/')[3] ?? '';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        req.method === 'GET'
          ? {
              object: 'user',
              id,
              first_name: 'Ada',
              last_name: 'Lovelace',
              username: null,
              primary_email_address_id: 'idn_1',
              email_addresses: [{ id: 'idn_1', object: 'email_address', email_address: 'ada@example.com', linked_to: [] }],
            }
          : { object: 'session', id, client_id: 'client_e2e', user_id: 'user_e2e_ada', status: 'revoked' },
      ),
    );
  });
  let server: RunningServer;
  let key: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    await new Promise<void>((resolve) => fakeApi.listen(0, '127.0.0.1', resolve));
    const address = fakeApi.address();
    server = await startServer({
      env: {
        PUBLIC_CLERK_PUBLISHABLE_KEY: `pk_test_${Buffer.from('clerk.artivio.test$').toString('base64')}`,
        CLERK_SECRET_KEY: secretKey,
        CLERK_JWT_KEY: await exportSPKI(pair.publicKey),
        CLERK_AUTHORIZED_PARTIES: site,
        CLERK_API_URL: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
        PUBLIC_CLERK_TELEMETRY_DISABLED: 'true',
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await new Promise<void>((resolve) => fakeApi.close(() => resolve()));
  });

  const token = () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sid: 'sess_e2e_laptop', azp: site })
      .setProtectedHeader({ alg: 'RS256', kid: 'ins_e2e' })
      .setSubject('user_e2e_ada')
      .setIssuer('https://clerk.artivio.test')
      .setIssuedAt(now - 1)
      .setNotBefore(now - 5)
      .setExpirationTime(now + 60)
      .sign(key);
  };

  it('a new user’s token without email claims gets the profile from Clerk; signing out revokes the session and clears Clerk’s cookies', async () => {
    const me = await fetch(`${server.url}/api/trpc/account.me`, { headers: { authorization: `Bearer ${await token()}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { result: { data: { user: unknown } } }).result.data.user).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' });

    const now = Math.floor(Date.now() / 1000);
    const response = await fetch(`${server.url}/api/auth/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: server.url, cookie: `__session=${await token()}; __client_uat=${now - 1}; __clerk_db_jwt=dvb_e2e` },
    });
    expect(response.status).toBe(303);
    expect(cleared(response)).toEqual(['__clerk_db_jwt', '__client_uat', '__session']);
    expect(calls).toEqual([
      { method: 'GET', path: '/v1/users/user_e2e_ada', authorization: `Bearer ${secretKey}` },
      { method: 'POST', path: '/v1/sessions/sess_e2e_laptop/revoke', authorization: `Bearer ${secretKey}` },
    ]);
  });
});
