/**
 * The Stripe billing adapter against stripe-mock (Stripe's official mock, which validates every
 * request against Stripe's OpenAPI spec) on loopback. A recording proxy sits in between so the
 * tests can check what was sent; stripe-mock itself is stateless.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { skipPeer, requirePeer, startStripeMock, type StripeMockPeer } from '../support/peers.ts';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { createStripeBilling } from '../../server/adapters/billing/stripe.ts';
import { AppError } from '../../server/domain/errors.ts';
import type { UserRecord } from '../../server/ports.ts';

const skip = skipPeer('stripe-mock', 'Stripe billing adapter against stripe-mock');

const PRICES = { plus: 'price_plus_test', pro: 'price_pro_test' };

function user(overrides: Partial<UserRecord> = {}): UserRecord {
  const at = new Date().toISOString();
  return { id: 'usr_ada', email: 'ada@example.com', name: 'Ada', plan: 'free', stripeCustomerId: null, subscription: null, marketingOptIn: false, createdAt: at, updatedAt: at, ...overrides };
}

describe.skipIf(skip)('Stripe billing adapter against stripe-mock', () => {
  let mock: StripeMockPeer | undefined;
  let proxy: RecordingProxy;
  let t: TestApp | undefined;

  beforeAll(async () => {
    mock = requirePeer(await startStripeMock());
    proxy = await startRecordingProxy(mock.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await mock?.stop();
  });
  afterEach(async () => {
    proxy.requests.length = 0;
    proxy.answer = null;
    await t?.close();
    t = undefined;
  });

  const adapter = () => createStripeBilling({ secretKey: 'sk_test_123', webhookSecret: 'whsec_test', prices: PRICES, apiUrl: proxy.url });
  const sent = (method: string, pathPrefix: string) => proxy.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));

  it('createCustomer creates one customer with our user id in its metadata and an idempotency key per user', async () => {
    const id = await adapter().createCustomer(user());
    expect(id).toMatch(/^cus_/);
    const [request] = sent('POST', '/v1/customers');
    expect(request?.form.get('metadata[userId]')).toBe('usr_ada');
    expect(request?.form.get('email')).toBe('ada@example.com');
    expect(request?.headers['idempotency-key']).toBe('artivio-customer-usr_ada');
  });

  it('createCheckout opens a subscription Checkout Session for the customer, carrying our user id three ways', async () => {
    const { url } = await adapter().createCheckout({
      customerId: 'cus_ada',
      userId: 'usr_ada',
      plan: 'pro',
      successUrl: 'http://localhost:4321/billing/success?session_id={CHECKOUT_SESSION_ID}',
      cancelUrl: 'http://localhost:4321/pricing',
    });
    expect(url).toMatch(/^https:\/\//);
    const form = sent('POST', '/v1/checkout/sessions')[0]?.form;
    expect(Object.fromEntries(form ?? [])).toMatchObject({
      mode: 'subscription',
      customer: 'cus_ada',
      client_reference_id: 'usr_ada',
      'line_items[0][price]': PRICES.pro,
      'line_items[0][quantity]': '1',
      'metadata[userId]': 'usr_ada',
      'metadata[plan]': 'pro',
      'subscription_data[metadata][userId]': 'usr_ada',
      success_url: 'http://localhost:4321/billing/success?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://localhost:4321/pricing',
    });
  });

  it('createPortal opens a Customer Portal session returning to the account page', async () => {
    const { url } = await adapter().createPortal({ customerId: 'cus_ada', returnUrl: 'http://localhost:4321/account' });
    expect(url).toMatch(/^https:\/\//);
    expect(Object.fromEntries(sent('POST', '/v1/billing_portal/sessions')[0]?.form ?? [])).toEqual({ customer: 'cus_ada', return_url: 'http://localhost:4321/account' });
  });

  it('retrieveCheckout fetches the session with its subscription expanded; a missing one is null', async () => {
    const snapshot = await adapter().retrieveCheckout('cs_test_123');
    expect(snapshot?.session.id).toBeTruthy();
    expect(sent('GET', '/v1/checkout/sessions/cs_test_123')[0]?.path).toContain('expand');
    proxy.answer = (r) => (r.path.startsWith('/v1/checkout/sessions/') ? { status: 404, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such checkout.session' } } } : undefined);
    expect(await adapter().retrieveCheckout('cs_missing')).toBeNull();
  });

  it('deleteCustomer cancels the live subscriptions, then deletes the customer', async () => {
    await adapter().deleteCustomer(user({ stripeCustomerId: 'cus_ada' }));
    const order = proxy.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`);
    const list = order.findIndex((line) => line === 'GET /v1/subscriptions');
    const del = order.indexOf('DELETE /v1/customers/cus_ada');
    expect(list).toBeGreaterThanOrEqual(0);
    expect(del).toBeGreaterThan(list);
    expect(sent('GET', '/v1/subscriptions')[0]?.path).toContain('customer=cus_ada');
    // stripe-mock's list fixture has one active subscription: it is cancelled before the customer goes.
    const cancel = order.findIndex((line) => /^DELETE \/v1\/subscriptions\/sub_/.test(line));
    expect(cancel).toBeGreaterThan(list);
    expect(cancel).toBeLessThan(del);
  });

  it('deleteCustomer is idempotent: a customer already gone is success, and no customer means no call', async () => {
    proxy.answer = (r) => (r.method === 'DELETE' && r.path.startsWith('/v1/customers/') ? { status: 404, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such customer' } } } : undefined);
    await expect(adapter().deleteCustomer(user({ stripeCustomerId: 'cus_gone' }))).resolves.toBeUndefined();
    proxy.requests.length = 0;
    await adapter().deleteCustomer(user());
    expect(proxy.requests).toEqual([]);
  });

  it('a Stripe outage becomes a ProviderUnavailable error a person can act on', async () => {
    proxy.answer = () => ({ status: 500, body: { error: { type: 'api_error', message: 'boom' } } });
    const error = await adapter()
      .createPortal({ customerId: 'cus_ada', returnUrl: 'http://localhost:4321/account' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('ProviderUnavailable');
    expect((error as AppError).userMessage).toMatch(/Nothing was charged/);
  });

  it('billing.checkout through the app creates the customer once, stores it and reuses it', async () => {
    t = await createTestApp({}, { STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_WEBHOOK_SECRET: 'whsec_test', STRIPE_PRICE_PLUS: PRICES.plus, STRIPE_PRICE_PRO: PRICES.pro, STRIPE_API_URL: proxy.url });
    const { caller, user: ada } = await t.signIn('ada@example.com');
    const first = await caller.billing.checkout({ plan: 'plus' });
    expect(first.url).toMatch(/^https:\/\//);
    const customerId = (await t.app.store.getUser(ada.id))?.stripeCustomerId;
    expect(customerId).toMatch(/^cus_/);
    const again = (await t.signIn('ada@example.com')).caller;
    await again.billing.checkout({ plan: 'pro' });
    expect(sent('POST', '/v1/customers')).toHaveLength(1);
    expect(sent('POST', '/v1/checkout/sessions').map((r) => r.form.get('customer'))).toEqual([customerId, customerId]);
    expect(sent('POST', '/v1/checkout/sessions')[0]?.form.get('success_url')).toBe(`${t.app.config.siteUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`);
  });

  it('billing.portal without a customer says to choose a plan first', async () => {
    t = await createTestApp({}, { STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_WEBHOOK_SECRET: 'whsec_test', STRIPE_PRICE_PLUS: PRICES.plus, STRIPE_PRICE_PRO: PRICES.pro, STRIPE_API_URL: proxy.url });
    const { caller } = await t.signIn('ada@example.com');
    const error = await caller.billing.portal().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).message).toMatch(/Choose a plan/);
    expect(proxy.requests).toEqual([]);
  });
});
