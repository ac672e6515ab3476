import { afterEach, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { checkoutEvent, DAY, invoiceEvent, subscriptionEvent, T0 } from '../support/billing-events.ts';
import { createBillingService } from '../../server/services/billing.ts';
import { LOCAL_PRICES, createLocalBilling } from '../../server/adapters/billing/local.ts';
import { createLogger } from '../../server/logger.ts';
import type { BillingEvent } from '../../server/domain/billing-events.ts';
import type { Billing, CheckoutSnapshot, Store, UserRecord } from '../../server/ports.ts';

let t: TestApp;
afterEach(async () => t?.close());

const silent = createLogger({ level: 'silent' });

/** A signed-in user who already has a billing customer, as after their first checkout. */
async function customer(email = 'ada@example.com') {
  const signed = await t.signIn(email);
  const customerId = `cus_${signed.user.id}`;
  await t.app.store.updateUser(signed.user.id, { stripeCustomerId: customerId });
  return { ...signed, customerId, userId: signed.user.id };
}

/** A caller for the user as stored now, like the next request would see them. */
async function callerFor(email = 'ada@example.com') {
  return (await t.signIn(email)).caller;
}

async function stored(userId: string): Promise<UserRecord> {
  const user = await t.app.store.getUser(userId);
  if (!user) throw new Error('user vanished');
  return user;
}

async function trpcError(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe('local test billing', () => {
  it('billing.localCheckout upgrades at once and the usage meter shows the new limit', async () => {
    t = await createTestApp();
    const { caller } = await t.signIn('ada@example.com');
    expect((await caller.usage.current()).limit).toBe(25);
    const status = await caller.billing.localCheckout({ plan: 'plus' });
    expect(status).toMatchObject({ plan: 'plus', monthlyLimit: 500, billing: 'local', subscription: { status: 'active', pastDue: false, cancelAtPeriodEnd: false } });
    const next = await callerFor();
    expect((await next.usage.current()).limit).toBe(500);
    expect(await next.billing.status()).toEqual(status);
  });

  it('switches plans, schedules a cancellation, resumes, and cancels at once back to Free', async () => {
    t = await createTestApp();
    const { caller, user } = await t.signIn('ada@example.com');
    await caller.billing.localCheckout({ plan: 'plus' });
    const subscriptionId = (await stored(user.id)).subscription?.id;
    expect((await caller.billing.localCheckout({ plan: 'pro' })).plan).toBe('pro');
    expect((await stored(user.id)).subscription?.id).toBe(subscriptionId);

    const scheduled = await caller.billing.localCancel({ atPeriodEnd: true });
    expect(scheduled).toMatchObject({ plan: 'pro', subscription: { cancelAtPeriodEnd: true } });
    expect((await caller.billing.localCheckout({ plan: 'pro' })).subscription?.cancelAtPeriodEnd).toBe(false);

    const ended = await caller.billing.localCancel({ atPeriodEnd: false });
    expect(ended).toMatchObject({ plan: 'free', monthlyLimit: 25, subscription: { status: 'canceled' } });
    expect((await (await callerFor()).usage.current()).limit).toBe(25);
  });

  it('runs its events through the same path: each is recorded as processed', async () => {
    t = await createTestApp();
    const { caller } = await t.signIn('ada@example.com');
    const applied: BillingEvent[] = [];
    const original = t.app.billingService.apply;
    t.app.billingService.apply = async (event) => {
      applied.push(event);
      return original(event);
    };
    await caller.billing.localCheckout({ plan: 'plus' });
    expect(applied.map((e) => e.type)).toEqual(['checkout.session.completed', 'customer.subscription.created', 'invoice.paid']);
    for (const event of applied) expect(await t.app.store.markEventProcessed(event.id, 'stripe')).toBe(false);
  });

  it('is refused when Stripe is the billing adapter', async () => {
    const stripeLike: Billing = { ...createLocalBilling(), name: 'stripe', kind: 'stripe' };
    t = await createTestApp({ billing: stripeLike });
    const { caller } = await t.signIn('ada@example.com');
    expect((await trpcError(caller.billing.localCheckout({ plan: 'plus' }))).code).toBe('FORBIDDEN');
    expect((await caller.billing.status()).plan).toBe('free');
  });

  it('rejects a plan that is not for sale, naming the field', async () => {
    t = await createTestApp();
    const { caller } = await t.signIn('ada@example.com');
    const error = await trpcError(caller.billing.localCheckout({ plan: 'free' as 'plus' }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(await caller.billing.status()).toMatchObject({ plan: 'free', subscription: null });
  });

  it('billing.checkout creates one customer per user and reuses it', async () => {
    t = await createTestApp();
    const { caller, user } = await t.signIn('ada@example.com');
    expect(await caller.billing.checkout({ plan: 'pro' })).toEqual({ url: '/billing/local-checkout?plan=pro' });
    const first = (await stored(user.id)).stripeCustomerId;
    expect(first).toBeTruthy();
    await caller.billing.checkout({ plan: 'plus' });
    expect((await stored(user.id)).stripeCustomerId).toBe(first);
  });

  it('needs a signed-in user', async () => {
    t = await createTestApp();
    expect((await trpcError(t.anonymous.billing.status())).code).toBe('UNAUTHORIZED');
    expect((await trpcError(t.anonymous.billing.localCheckout({ plan: 'plus' }))).code).toBe('UNAUTHORIZED');
  });
});

describe('billing events', () => {
  it('applies each event id once: a redelivery after a newer event changes nothing', async () => {
    t = await createTestApp();
    const { userId, customerId } = await customer();
    const upgrade = subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: LOCAL_PRICES.plus });
    // Same second, same rank: without the event record, a redelivered `upgrade` would win again.
    const failed = invoiceEvent('invoice.payment_failed', T0, { customer: customerId });
    expect(await t.app.billingService.apply(upgrade)).toBe('applied');
    expect(await t.app.billingService.apply(failed)).toBe('applied');
    expect(await t.app.billingService.apply(upgrade)).toBe('duplicate');
    expect((await stored(userId)).subscription).toMatchObject({ status: 'past_due', plan: 'plus' });
  });

  it('never lets a stale update overwrite a newer state', async () => {
    t = await createTestApp();
    const { userId, customerId } = await customer();
    const newer = subscriptionEvent('customer.subscription.updated', T0 + 60, { customer: customerId, price: LOCAL_PRICES.pro });
    const stale = subscriptionEvent('customer.subscription.updated', T0, { customer: customerId, price: LOCAL_PRICES.plus });
    await t.app.billingService.apply(newer);
    await t.app.billingService.apply(stale);
    expect((await stored(userId)).plan).toBe('pro');
    expect((await stored(userId)).subscription?.eventCreated).toBe(T0 + 60);
  });

  it('limits follow the plan at once: generation quota uses the new limit', async () => {
    t = await createTestApp();
    const { userId, customerId } = await customer();
    await t.app.billingService.apply(subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: LOCAL_PRICES.pro }));
    const user = await stored(userId);
    expect(user.plan).toBe('pro');
    expect((await t.app.account.usage(user)).limit).toBe(2500);
  });

  it('a subscription created incomplete and activated in the same second ends active in either order', async () => {
    for (const order of ['forward', 'reverse'] as const) {
      t = await createTestApp();
      const { userId, customerId } = await customer();
      const created = subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: LOCAL_PRICES.plus, status: 'incomplete' });
      const updated = subscriptionEvent('customer.subscription.updated', T0, { customer: customerId, price: LOCAL_PRICES.plus, status: 'active' });
      for (const event of order === 'forward' ? [created, updated] : [updated, created]) await t.app.billingService.apply(event);
      expect((await stored(userId)).subscription?.status, order).toBe('active');
      expect((await stored(userId)).plan, order).toBe('plus');
      await t.close();
    }
  });

  it('a failed renewal shows past due and keeps the plan; a paid invoice clears it', async () => {
    t = await createTestApp();
    const { userId, customerId } = await customer();
    await t.app.billingService.apply(subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: LOCAL_PRICES.plus }));
    await t.app.billingService.apply(invoiceEvent('invoice.payment_failed', T0 + 30 * DAY, { customer: customerId }));
    expect(await (await callerFor()).billing.status()).toMatchObject({ plan: 'plus', subscription: { status: 'past_due', pastDue: true } });
    await t.app.billingService.apply(invoiceEvent('invoice.paid', T0 + 31 * DAY, { customer: customerId }));
    expect((await stored(userId)).subscription).toMatchObject({ status: 'active' });
  });

  it('a failed first payment never grants the plan', async () => {
    t = await createTestApp();
    const { userId, customerId } = await customer();
    await t.app.billingService.apply(subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: LOCAL_PRICES.plus, status: 'incomplete' }));
    await t.app.billingService.apply(invoiceEvent('invoice.payment_failed', T0 + 1, { customer: customerId }));
    expect(await stored(userId)).toMatchObject({ plan: 'free', subscription: { status: 'incomplete' } });
  });

  it('customer.subscription.deleted returns to Free at once', async () => {
    t = await createTestApp();
    const { userId, customerId } = await customer();
    await t.app.billingService.apply(subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: LOCAL_PRICES.pro }));
    await t.app.billingService.apply(subscriptionEvent('customer.subscription.deleted', T0 + 10, { customer: customerId, price: LOCAL_PRICES.pro, status: 'canceled' }));
    expect(await stored(userId)).toMatchObject({ plan: 'free', subscription: { status: 'canceled' } });
  });

  it('a cancellation at period end keeps the plan until the period ends, then Free even before Stripe says so', async () => {
    t = await createTestApp();
    const { userId, customerId } = await customer();
    const periodEnd = T0 + 30 * DAY;
    await t.app.billingService.apply(subscriptionEvent('customer.subscription.updated', T0, { customer: customerId, price: LOCAL_PRICES.plus, cancelAtPeriodEnd: true, periodEnd }));
    const before = createBillingService({ store: t.app.store, billing: t.app.billing, logger: silent, siteUrl: '', now: () => new Date((periodEnd - 1) * 1000) });
    const after = createBillingService({ store: t.app.store, billing: t.app.billing, logger: silent, siteUrl: '', now: () => new Date((periodEnd + 1) * 1000) });
    // What the person is shown depends on the moment; the stored plan catches up on their next request.
    expect(before.status(await stored(userId))).toMatchObject({ plan: 'plus', subscription: { cancelAtPeriodEnd: true } });
    expect(after.status(await stored(userId)).plan).toBe('free');
    expect((await after.refreshPlan(await stored(userId))).plan).toBe('free');
    expect((await stored(userId)).plan).toBe('free');
  });

  it('checkout.session.completed links the customer, grants the paid plan until the subscription events arrive, and they win', async () => {
    t = await createTestApp();
    const { user } = await t.signIn('ada@example.com');
    await t.app.billingService.apply(checkoutEvent(T0 + 1, { customer: 'cus_new', userId: user.id, plan: 'pro' }));
    expect(await stored(user.id)).toMatchObject({ stripeCustomerId: 'cus_new', plan: 'pro', subscription: { id: 'sub_test_1', status: 'active' } });
    // The subscription's own (earlier) event still replaces the provisional state.
    await t.app.billingService.apply(subscriptionEvent('customer.subscription.created', T0, { customer: 'cus_new', price: LOCAL_PRICES.plus, periodEnd: T0 + 30 * DAY }));
    expect(await stored(user.id)).toMatchObject({ plan: 'plus', subscription: { currentPeriodEnd: new Date((T0 + 30 * DAY) * 1000).toISOString() } });
  });

  it('an unpaid checkout session grants nothing', async () => {
    t = await createTestApp();
    const { user } = await t.signIn('ada@example.com');
    await t.app.billingService.apply(checkoutEvent(T0, { customer: 'cus_new', userId: user.id, plan: 'pro', paymentStatus: 'unpaid' }));
    expect(await stored(user.id)).toMatchObject({ stripeCustomerId: 'cus_new', plan: 'free', subscription: null });
  });

  it('an event about nobody we know is recorded and changes nothing', async () => {
    t = await createTestApp();
    const event = subscriptionEvent('customer.subscription.created', T0, { customer: 'cus_nobody', price: LOCAL_PRICES.plus });
    expect(await t.app.billingService.apply(event)).toBe('no-user');
    expect(await t.app.billingService.apply(event)).toBe('duplicate');
  });

  it('a price that is no plan of ours grants Free', async () => {
    t = await createTestApp();
    const { userId, customerId } = await customer();
    await t.app.billingService.apply(subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: 'price_unknown' }));
    expect((await stored(userId)).plan).toBe('free');
  });

  it('an event whose application failed is applied when Stripe delivers it again', async () => {
    t = await createTestApp();
    const { userId, customerId } = await customer();
    const store: Store = t.app.store;
    const updateUser = store.updateUser.bind(store);
    let failNext = true;
    store.updateUser = async (id, patch) => {
      if (failNext && patch.subscription) {
        failNext = false;
        throw new Error('database went away');
      }
      return updateUser(id, patch);
    };
    const event = subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: LOCAL_PRICES.plus });
    await expect(t.app.billingService.apply(event)).rejects.toThrow('database went away');
    expect((await stored(userId)).plan).toBe('free');
    expect(await t.app.billingService.apply(event)).toBe('applied');
    expect((await stored(userId)).plan).toBe('plus');
  });
});

describe('billing events in any order', () => {
  /**
   * A realistic life: created incomplete and activated in the same second, first invoice,
   * upgrade, cancellation scheduled then undone, a failed renewal and its recovery. Each
   * status change from an invoice comes with Stripe's own subscription update, as in real life.
   */
  function life(customerId: string, userId: string, ending: 'active' | 'deleted'): BillingEvent[] {
    const base = { customer: customerId, userId };
    const events: BillingEvent[] = [
      checkoutEvent(T0, { customer: customerId, userId, plan: 'plus' }),
      subscriptionEvent('customer.subscription.created', T0, { ...base, price: LOCAL_PRICES.plus, status: 'incomplete' }),
      subscriptionEvent('customer.subscription.updated', T0, { ...base, price: LOCAL_PRICES.plus }),
      invoiceEvent('invoice.paid', T0, { customer: customerId }),
      subscriptionEvent('customer.subscription.updated', T0 + 100, { ...base, price: LOCAL_PRICES.pro }),
      subscriptionEvent('customer.subscription.updated', T0 + 200, { ...base, price: LOCAL_PRICES.pro, cancelAtPeriodEnd: true }),
      subscriptionEvent('customer.subscription.updated', T0 + 300, { ...base, price: LOCAL_PRICES.pro, periodEnd: T0 + 60 * DAY }),
      invoiceEvent('invoice.payment_failed', T0 + 30 * DAY, { customer: customerId }),
      subscriptionEvent('customer.subscription.updated', T0 + 30 * DAY, { ...base, price: LOCAL_PRICES.pro, status: 'past_due', periodEnd: T0 + 60 * DAY }),
      invoiceEvent('invoice.paid', T0 + 31 * DAY, { customer: customerId }),
      subscriptionEvent('customer.subscription.updated', T0 + 31 * DAY, { ...base, price: LOCAL_PRICES.pro, periodEnd: T0 + 61 * DAY }),
    ];
    if (ending === 'deleted') events.push(subscriptionEvent('customer.subscription.deleted', T0 + 40 * DAY, { ...base, price: LOCAL_PRICES.pro, status: 'canceled', periodEnd: T0 + 61 * DAY }));
    return events;
  }

  for (const ending of ['active', 'deleted'] as const) {
    it(`any permutation (with redeliveries) ends in the same state as in order — ${ending}`, async () => {
      t = await createTestApp();
      const { user } = await t.signIn('ada@example.com');
      const customerId = 'cus_life';
      const events = life(customerId, user.id, ending);

      for (const event of events) await t.app.billingService.apply(event);
      const expected = await stored(user.id);
      expect(expected.plan).toBe(ending === 'active' ? 'pro' : 'free');

      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.shuffledSubarray(events, { minLength: events.length }), fc.array(fc.nat(events.length - 1), { maxLength: 3 }), async (order, again) => {
          run += 1;
          // A fresh user per run; event ids are per run too, as Stripe's would be.
          const other = await t.app.account.signInLocal(`run${run}@example.com`, 'Run');
          const remap = (e: BillingEvent): BillingEvent => JSON.parse(JSON.stringify(e).replaceAll(user.id, other.id).replaceAll(customerId, `cus_run${run}`).replaceAll('"evt_', `"evt_r${run}_`));
          const shuffled = order.map(remap);
          for (const event of [...shuffled, ...again.map((i) => shuffled[i]!)]) await t.app.billingService.apply(event);
          const actual = await stored(other.id);
          expect({ plan: actual.plan, subscription: actual.subscription }).toEqual({ plan: expected.plan, subscription: expected.subscription });
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('billing.confirm (success page, webhook late)', () => {
  function stripeStub(snapshot: (sessionId: string) => CheckoutSnapshot | null): Billing {
    return { ...createLocalBilling(), name: 'stripe', kind: 'stripe', retrieveCheckout: async (id) => snapshot(id) };
  }

  it('applies the session and subscription fetched from Stripe; the late webhooks still decide afterwards', async () => {
    let userId = '';
    t = await createTestApp({
      billing: stripeStub((sessionId) => ({
        session: { id: sessionId, mode: 'subscription', client_reference_id: userId, customer: 'cus_late', subscription: 'sub_late', payment_status: 'paid', metadata: {} },
        subscription: subscriptionEvent('customer.subscription.created', T0, { id: 'sub_late', customer: 'cus_late', price: LOCAL_PRICES.plus }).data.object,
      })),
    });
    const { caller, user } = await t.signIn('ada@example.com');
    userId = user.id;
    expect(await caller.billing.confirm({ sessionId: 'cs_test_late' })).toMatchObject({ plan: 'plus', subscription: { status: 'active' } });
    expect((await stored(user.id)).stripeCustomerId).toBe('cus_late');
    // The webhook arrives later and is still applied (a cancellation, here).
    await t.app.billingService.apply(subscriptionEvent('customer.subscription.deleted', T0 + 5, { id: 'sub_late', customer: 'cus_late', price: LOCAL_PRICES.plus, status: 'canceled' }));
    expect((await stored(user.id)).plan).toBe('free');
  });

  it('refuses a session that belongs to someone else, changing nothing', async () => {
    t = await createTestApp({
      billing: stripeStub((sessionId) => ({
        session: { id: sessionId, mode: 'subscription', client_reference_id: 'usr_someone_else', customer: 'cus_x', subscription: 'sub_x', payment_status: 'paid', metadata: {} },
        subscription: subscriptionEvent('customer.subscription.created', T0, { id: 'sub_x', customer: 'cus_x', price: LOCAL_PRICES.pro }).data.object,
      })),
    });
    const { caller, user } = await t.signIn('ada@example.com');
    const error = await trpcError(caller.billing.confirm({ sessionId: 'cs_test_other' }));
    expect(error.code).toBe('NOT_FOUND');
    expect(await stored(user.id)).toMatchObject({ plan: 'free', stripeCustomerId: null });
  });

  it('bounds how often one person can make us ask Stripe', async () => {
    let calls = 0;
    t = await createTestApp({ billing: stripeStub(() => (calls++, null)) });
    const { caller } = await t.signIn('ada@example.com');
    for (let i = 0; i < 30; i++) expect((await trpcError(caller.billing.confirm({ sessionId: 'cs_test_missing' }))).code).toBe('NOT_FOUND');
    expect((await trpcError(caller.billing.confirm({ sessionId: 'cs_test_missing' }))).code).toBe('TOO_MANY_REQUESTS');
    expect(calls).toBe(30);
  });

  it('billing.checkout with a live Stripe subscription sends to the portal instead of a second subscription', async () => {
    const portals: string[] = [];
    const billing: Billing = { ...stripeStub(() => null), createPortal: async ({ customerId }) => (portals.push(customerId), { url: 'https://billing.stripe.test/portal' }) };
    t = await createTestApp({ billing });
    const { userId, customerId } = await customer();
    await t.app.billingService.apply(subscriptionEvent('customer.subscription.created', T0, { customer: customerId, price: LOCAL_PRICES.plus }));
    expect(await (await callerFor()).billing.checkout({ plan: 'pro' })).toEqual({ url: 'https://billing.stripe.test/portal' });
    expect(portals).toEqual([customerId]);
    expect((await stored(userId)).plan).toBe('plus');
  });
});
