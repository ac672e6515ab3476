/**
 * Plans and accounts against the built site. In Chromium with only the local defaults:
 * pricing → sign in → test checkout → success page → the usage meter shows the new limit.
 * Over HTTP: both webhook routes (signature checks, once-only application) and Clerk's session
 * check on real routes, all offline (a server started with Stripe or Clerk settings makes no
 * outside call for these).
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import Stripe from 'stripe';
import { SignJWT, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { Webhook } from 'standardwebhooks';
import { hasChromium, launchBrowser } from './support/browser.ts';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';
import { rememberConsent } from './support/consent.ts';
import { stripePayload, subscriptionEvent, T0 } from '../support/billing-events.ts';

const distDir = process.env.ASTRO_DIST_DIR;
const built = hasBuild(distDir);
const ready = built && hasChromium();
if (!ready) console.warn('SKIPPED: billing browser test needs a build (npm run build) and Chromium (/usr/bin/chromium or CHROMIUM_PATH).');
if (!built) console.warn('SKIPPED: billing and Clerk HTTP tests need a build (npm run build).');

const start = (env: Record<string, string> = {}) => startServer({ env, ...(distDir ? { distDir } : {}) });

async function trpcQuery<T>(server: RunningServer, path: string, headers: Record<string, string>): Promise<{ status: number; data: T | null }> {
  const response = await fetch(`${server.url}/api/trpc/${path}`, { headers });
  const body = (await response.json()) as { result?: { data: T } };
  return { status: response.status, data: body.result?.data ?? null };
}

describe.skipIf(!ready)('upgrading with local test billing (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([start(), launchBrowser()]);
    await mkdir('test-results', { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('pricing → sign in → test checkout → success → the usage meter shows the Plus limit', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await rememberConsent(context, server.url);
    const page = await context.newPage();

    await page.goto(`${server.url}/pricing`);
    await page.getByRole('link', { name: 'Choose Plus' }).click();
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await page.getByLabel('Email').fill('payer@example.com');
    await page.getByLabel('Display name').fill('Payer');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/account');

    await page.getByText(/25 images used|of 25 images/).first().waitFor();
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForURL((url) => url.pathname === '/billing/local-checkout');
    await page.getByText('Test billing — nobody is charged').waitFor();
    await page.getByRole('button', { name: 'Confirm test purchase of Plus' }).click();

    await page.waitForURL((url) => url.pathname === '/billing/success');
    await page.getByTestId('billing-confirmed').waitFor();
    expect(await page.getByTestId('billing-confirmed').textContent()).toMatch(/Plus.*500 images a month/);
    await page.screenshot({ path: 'test-results/billing-success.png', fullPage: true });

    await page.goto(`${server.url}/generate`);
    const meter = page.locator('.usage-meter');
    await meter.getByText('Plus plan').waitFor();
    expect(await meter.textContent()).toMatch(/\b0 of 500 images/);
    expect(await page.getByRole('meter').getAttribute('aria-valuemax')).toBe('500');

    // The account page now offers the test "portal": cancel returns to Free at once.
    await page.goto(`${server.url}/billing/local-checkout`);
    await page.getByRole('button', { name: 'Cancel now and return to Free' }).click();
    await page.getByText(/Cancelled\. Free: 25 images a month/).waitFor();
    await page.goto(`${server.url}/generate`);
    await page.locator('.usage-meter').getByText('Free plan').waitFor();
    await context.close();
  });
});

describe.skipIf(!built)('POST /api/webhooks/stripe over HTTP', () => {
  const secret = 'whsec_e2e_artivio';
  let stripeServer: RunningServer;
  let localServer: RunningServer;

  beforeAll(async () => {
    [stripeServer, localServer] = await Promise.all([
      start({ STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_WEBHOOK_SECRET: secret, STRIPE_PRICE_PLUS: 'price_plus_e2e', STRIPE_PRICE_PRO: 'price_pro_e2e', STRIPE_API_URL: 'http://127.0.0.1:9' }),
      start(),
    ]);
  });
  afterAll(async () => {
    await stripeServer?.stop();
    await localServer?.stop();
  });

  async function signIn(server: RunningServer): Promise<{ cookie: string; userId: string }> {
    const response = await fetch(`${server.url}/api/auth/local/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: `e2e-${randomBytes(3).toString('hex')}@example.com`, name: 'E2E' }),
    });
    const body = (await response.json()) as { userId: string };
    return { cookie: response.headers.get('set-cookie')?.split(';')[0] ?? '', userId: body.userId };
  }

  const post = (server: RunningServer, body: string, signature: string | null) =>
    fetch(`${server.url}/api/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) }, body });

  it('applies a signed event once, refuses forged and unsigned ones with 400, and the plan follows', async () => {
    const { cookie, userId } = await signIn(stripeServer);
    const event = subscriptionEvent('customer.subscription.created', T0, { customer: 'cus_e2e', userId, price: 'price_pro_e2e' });
    const body = stripePayload(event);
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });

    expect((await post(stripeServer, body, Stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_forged' }))).status).toBe(400);
    expect((await post(stripeServer, body, null)).status).toBe(400);
    expect((await trpcQuery<{ plan: string }>(stripeServer, 'billing.status', { cookie })).data?.plan).toBe('free');

    const first = await post(stripeServer, body, header);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, outcome: 'applied' });
    const again = await post(stripeServer, body, header);
    expect(await again.json()).toEqual({ received: true, outcome: 'duplicate' });

    const status = await trpcQuery<{ plan: string; billing: string; monthlyLimit: number }>(stripeServer, 'billing.status', { cookie });
    expect(status.data).toMatchObject({ plan: 'pro', billing: 'stripe', monthlyLimit: 2500 });
    expect((await trpcQuery<{ limit: number }>(stripeServer, 'usage.current', { cookie })).data?.limit).toBe(2500);
  });

  it('answers 404 on a server without Stripe (local billing); health reports the billing adapter', async () => {
    const body = stripePayload(subscriptionEvent('customer.subscription.created', T0, { customer: 'cus_x', price: 'price_local_pro' }));
    expect((await post(localServer, body, Stripe.webhooks.generateTestHeaderString({ payload: body, secret }))).status).toBe(404);
    const health = (await (await fetch(`${stripeServer.url}/api/health`)).json()) as { adapters: { billing: string } };
    expect(health.adapters.billing).toBe('stripe');
  });
});

describe.skipIf(!built)('Clerk over HTTP (offline: networkless JWT key, no browser SDK in this build)', () => {
  const site = 'http://localhost:4321';
  const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  let server: RunningServer;
  let key: CryptoKey;
  let otherKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    ({ privateKey: otherKey } = await generateKeyPair('RS256'));
    server = await start({
      PUBLIC_CLERK_PUBLISHABLE_KEY: `pk_test_${Buffer.from('clerk.artivio.test$').toString('base64')}`,
      CLERK_SECRET_KEY: 'sk_test_artivio_e2e',
      CLERK_JWT_KEY: await exportSPKI(pair.publicKey),
      CLERK_WEBHOOK_SIGNING_SECRET: webhookSecret,
      CLERK_AUTHORIZED_PARTIES: site,
      CLERK_API_URL: 'http://127.0.0.1:9',
      PUBLIC_CLERK_TELEMETRY_DISABLED: 'true',
    });
  });
  afterAll(async () => server?.stop());

  const token = (signWith: CryptoKey = key, sub = 'user_e2e_ada', claims: Record<string, string> = { email: 'ada@example.com', name: 'Ada' }) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sid: 'sess_e2e', azp: site, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'ins_e2e' })
      .setSubject(sub)
      .setIssuer('https://clerk.artivio.test')
      .setIssuedAt(now - 1)
      .setNotBefore(now - 5)
      .setExpirationTime(now + 60)
      .sign(signWith);
  };

  it('a valid session token opens private pages and the API; a forged one is signed out', async () => {
    const good = { authorization: `Bearer ${await token()}` };
    const forged = { authorization: `Bearer ${await token(otherKey)}` };
    const me = await trpcQuery<{ user: { id: string; email: string }; identity: string }>(server, 'account.me', good);
    expect(me.status).toBe(200);
    expect(me.data).toMatchObject({ user: { id: 'user_e2e_ada', email: 'ada@example.com' }, identity: 'clerk' });
    expect((await trpcQuery(server, 'account.me', forged)).status).toBe(401);

    const page = await fetch(`${server.url}/account`, { headers: good, redirect: 'manual' });
    expect(page.status).toBe(200);
    const refused = await fetch(`${server.url}/account`, { headers: forged, redirect: 'manual' });
    expect(refused.status).toBe(302);
    expect(refused.headers.get('location')).toMatch(/^\/sign-in\?returnTo=/);
  });

  it('/sign-in and /sign-up belong to Clerk, never the local form', async () => {
    for (const path of ['/sign-in', '/sign-up']) {
      const html = await (await fetch(`${server.url}${path}`)).text();
      // Clerk's mount point when the build had a publishable key; otherwise a notice saying how to fix the build.
      const mode = path.slice(1);
      expect(html.includes(`data-clerk-id="clerk-${mode}-`) || html.includes('this build was made without PUBLIC_CLERK_PUBLISHABLE_KEY'), path).toBe(true);
      expect(html, path).not.toContain('action="/api/auth/local/sign-in"');
    }
  });

  it('a Svix-signed user.updated is applied once; a forged one is refused with 400', async () => {
    // Bob's session token carries no email or name claims: the webhook fills them in.
    const bob = async () => ({ authorization: `Bearer ${await token(key, 'user_e2e_bob', {})}` });
    expect((await trpcQuery(server, 'account.me', await bob())).status).toBe(200);
    const id = `msg_e2e_${randomBytes(4).toString('hex')}`;
    const at = new Date();
    const body = JSON.stringify({
      type: 'user.updated',
      object: 'event',
      data: { id: 'user_e2e_bob', object: 'user', first_name: 'Bob', last_name: 'Builder', username: null, primary_email_address_id: 'idn_1', email_addresses: [{ id: 'idn_1', object: 'email_address', email_address: 'bob@example.com' }] },
      timestamp: at.getTime(),
      instance_id: 'ins_e2e',
    });
    const send = (secretToSign: string) =>
      fetch(`${server.url}/api/webhooks/clerk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': new Webhook(secretToSign).sign(id, at, body) },
        body,
      });
    expect((await send(`whsec_${randomBytes(24).toString('base64')}`)).status).toBe(400);
    const first = await send(webhookSecret);
    expect(await first.json()).toEqual({ received: true, outcome: 'applied' });
    expect(await (await send(webhookSecret)).json()).toEqual({ received: true, outcome: 'duplicate' });
    const me = await trpcQuery<{ user: { name: string; email: string } }>(server, 'account.me', await bob());
    expect(me.data?.user).toMatchObject({ name: 'Bob Builder', email: 'bob@example.com' });
  });
});
