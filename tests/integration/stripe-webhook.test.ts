/**
 * POST /api/webhooks/stripe through its Request handler, with the real Stripe adapter and
 * signatures made by stripe-node's own `generateTestHeaderString`. No network: webhooks make
 * no API calls.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import Stripe from 'stripe';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { DAY, invoiceEvent, stripePayload, subscriptionEvent, T0 } from '../support/billing-events.ts';
import { handleStripeWebhook } from '../../server/http/stripe-webhook.ts';
import type { BillingEvent } from '../../server/domain/billing-events.ts';

const SECRET = 'whsec_test_secret_for_artivio';
const STRIPE_ENV = {
  STRIPE_SECRET_KEY: 'sk_test_123',
  STRIPE_WEBHOOK_SECRET: SECRET,
  STRIPE_PRICE_PLUS: 'price_plus_test',
  STRIPE_PRICE_PRO: 'price_pro_test',
  // Never contacted here; webhooks make no API calls.
  STRIPE_API_URL: 'http://127.0.0.1:9',
};
const PRICES = { plus: 'price_plus_test', pro: 'price_pro_test' };
const { webhooks } = Stripe;

let t: TestApp;
afterEach(async () => {
  vi.useRealTimers();
  await t?.close();
});

function post(body: string, signature?: string): Request {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== undefined) headers['stripe-signature'] = signature;
  return new Request('http://localhost/api/webhooks/stripe', { method: 'POST', headers, body });
}

function signed(event: BillingEvent | string, options: { secret?: string; timestamp?: number } = {}): Request {
  const body = typeof event === 'string' ? event : stripePayload(event);
  return post(body, webhooks.generateTestHeaderString({ payload: body, secret: options.secret ?? SECRET, timestamp: options.timestamp }));
}

async function deliver(request: Request) {
  const response = await handleStripeWebhook({ billing: t.app.billing, billingService: t.app.billingService, logger: t.app.logger }, request);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function setup() {
  t = await createTestApp({}, STRIPE_ENV);
  expect(t.app.billing.kind).toBe('stripe');
  const { user } = await t.signIn('ada@example.com');
  const customerId = 'cus_test_ada';
  await t.app.store.updateUser(user.id, { stripeCustomerId: customerId });
  return { userId: user.id, customerId };
}

async function planOf(userId: string) {
  return (await t.app.store.getUser(userId))?.plan;
}

describe('POST /api/webhooks/stripe', () => {
  it('applies a correctly signed event: the plan and its limit change at once', async () => {
    const { userId, customerId } = await setup();
    const event = subscriptionEvent('customer.subscription.created', T0, { customer: customerId, userId, price: PRICES.pro });
    expect(await deliver(signed(event))).toEqual({ status: 200, body: { received: true, outcome: 'applied' } });
    expect(await planOf(userId)).toBe('pro');
    const user = await t.app.store.getUser(userId);
    expect((await t.app.account.usage(user!)).limit).toBe(2500);
  });

  it('refuses a forged signature with 400, changes nothing and does not burn the event id', async () => {
    const { userId, customerId } = await setup();
    const event = subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: PRICES.pro });
    expect((await deliver(signed(event, { secret: 'whsec_someone_else' }))).status).toBe(400);
    expect(await planOf(userId)).toBe('free');
    // The genuine delivery of the same id is still applied.
    expect((await deliver(signed(event))).body.outcome).toBe('applied');
  });

  it('refuses a tampered body, a missing header and a malformed header with 400', async () => {
    const { userId, customerId } = await setup();
    const event = subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: PRICES.plus });
    const body = stripePayload(event);
    const header = webhooks.generateTestHeaderString({ payload: body, secret: SECRET });
    const tampered = body.replace(PRICES.plus, PRICES.pro);
    expect((await deliver(post(tampered, header))).status).toBe(400);
    expect((await deliver(post(body))).status).toBe(400);
    expect((await deliver(post(body, 'v1=deadbeef'))).status).toBe(400);
    expect(await planOf(userId)).toBe('free');
  });

  it('refuses a stale signature (older than the default 300 s tolerance) with 400', async () => {
    const { userId, customerId } = await setup();
    const event = subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: PRICES.pro });
    const stale = Math.floor(Date.now() / 1000) - 301;
    expect((await deliver(signed(event, { timestamp: stale }))).status).toBe(400);
    expect(await planOf(userId)).toBe('free');
  });

  it('a replay inside the window is answered 200 and applied only once; after the window it is refused with 400', async () => {
    const { userId, customerId } = await setup();
    const upgrade = subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: PRICES.pro });
    const body = stripePayload(upgrade);
    const header = webhooks.generateTestHeaderString({ payload: body, secret: SECRET });
    expect((await deliver(post(body, header))).body.outcome).toBe('applied');
    // The person downgrades meanwhile; replaying the captured upgrade must not undo it.
    const downgrade = subscriptionEvent('customer.subscription.updated', T0, { customer: customerId, price: PRICES.plus });
    expect((await deliver(signed(downgrade))).body.outcome).toBe('applied');
    expect(await deliver(post(body, header))).toEqual({ status: 200, body: { received: true, outcome: 'duplicate' } });
    expect(await planOf(userId)).toBe('plus');

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 6 * 60_000);
    expect((await deliver(post(body, header))).status).toBe(400);
    expect(await planOf(userId)).toBe('plus');
  });

  it('the same event delivered twice is applied once', async () => {
    const { userId, customerId } = await setup();
    const failed = invoiceEvent('invoice.payment_failed', T0 + 30 * DAY, { customer: customerId });
    await deliver(signed(subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: PRICES.plus })));
    expect((await deliver(signed(failed))).body.outcome).toBe('applied');
    await deliver(signed(invoiceEvent('invoice.paid', T0 + 30 * DAY, { customer: customerId })));
    expect((await deliver(signed(failed))).body.outcome).toBe('duplicate');
    expect((await t.app.store.getUser(userId))?.subscription?.status).toBe('active');
  });

  it('answers 200 to an event type it does not act on, changing nothing', async () => {
    const { userId } = await setup();
    const body = JSON.stringify({ id: 'evt_other', object: 'event', type: 'customer.created', created: T0, data: { object: { id: 'cus_x', object: 'customer' } } });
    expect(await deliver(signed(body))).toEqual({ status: 200, body: { received: true, ignored: 'customer.created' } });
    expect(await planOf(userId)).toBe('free');
  });

  it('answers 404 on a server without Stripe (local billing), changing nothing', async () => {
    t = await createTestApp();
    const { user } = await t.signIn('ada@example.com');
    const event = subscriptionEvent('customer.subscription.created', T0, { customer: 'cus_x', userId: user.id, price: 'price_local_pro' });
    expect((await deliver(signed(event))).status).toBe(404);
    expect(await planOf(user.id)).toBe('free');
  });

  it('a shuffled sequence of subscription events ends in the right plan', async () => {
    const { userId, customerId } = await setup();
    const base = { customer: customerId, userId };
    const events = [
      subscriptionEvent('customer.subscription.created', T0, { ...base, price: PRICES.plus, status: 'incomplete' }),
      subscriptionEvent('customer.subscription.updated', T0, { ...base, price: PRICES.plus }),
      subscriptionEvent('customer.subscription.updated', T0 + 100, { ...base, price: PRICES.pro }),
      subscriptionEvent('customer.subscription.updated', T0 + 200, { ...base, price: PRICES.pro, cancelAtPeriodEnd: true }),
      subscriptionEvent('customer.subscription.updated', T0 + 300, { ...base, price: PRICES.plus, periodEnd: T0 + 400 * DAY }),
    ];
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(events, { minLength: events.length }), async (order) => {
        run += 1;
        const other = await t.app.account.signInLocal(`run${run}@example.com`, 'Run');
        await t.app.store.updateUser(other.id, { stripeCustomerId: `cus_run${run}` });
        for (const event of order) {
          const body = stripePayload(event).replaceAll(userId, other.id).replaceAll(customerId, `cus_run${run}`).replaceAll('"evt_', `"evt_r${run}_`);
          expect((await deliver(signed(body))).status).toBe(200);
        }
        const user = await t.app.store.getUser(other.id);
        expect(user?.plan).toBe('plus');
        expect(user?.subscription).toMatchObject({ status: 'active', cancelAtPeriodEnd: false, eventCreated: T0 + 300 });
      }),
      { numRuns: 25 },
    );
  });
});
