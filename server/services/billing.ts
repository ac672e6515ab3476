/**
 * Plans and payments. `apply` is the one event-applying path: Stripe webhooks, the success
 * page's late confirmation and local test billing all end up here. Each event id is applied
 * once, older events never overwrite newer state (see server/domain/subscription.ts), and the
 * plan on the user record — which generation reads through `planLimit(user.plan)` — changes
 * in the same write as the subscription state.
 */
import type { Billing, Store, UserRecord } from '../ports.ts';
import type { Logger } from '../logger.ts';
import { AppError } from '../domain/errors.ts';
import { PLANS, planLimit, type PlanId } from '../domain/plans.ts';
import type { BillingEvent } from '../domain/billing-events.ts';
import { PAID_PLAN_IDS, isLiveStatus, planIsStale, planOf, type PaidPlanId } from '../domain/subscription.ts';
import type { BillingEventContext, BillingEventHandler } from './billing-events/context.ts';
import { checkoutSessionCompleted } from './billing-events/checkout-session-completed.ts';
import { subscriptionChanged } from './billing-events/subscription-changed.ts';
import { subscriptionDeleted } from './billing-events/subscription-deleted.ts';
import { invoicePaid, invoicePaymentFailed } from './billing-events/invoice-events.ts';
import { subscriptionFrom, writeProvisional } from './billing-events/subscription-state.ts';
import { deleteEvent, purchaseEvents, updateEvent, type LocalEventContext } from './billing-local-events.ts';

export type ApplyOutcome = 'applied' | 'duplicate' | 'no-user';

export interface BillingStatus {
  /** The plan whose limits apply now. */
  plan: PlanId;
  planName: string;
  monthlyLimit: number;
  /** 'local' is test billing: nobody is charged. */
  billing: 'local' | 'stripe';
  subscription: {
    status: string;
    /** A renewal payment failed; the plan stays while the card is retried. */
    pastDue: boolean;
    currentPeriodEnd: string | null;
    cancelAtPeriodEnd: boolean;
  } | null;
  /** Whether there is a billing customer to manage (enables "Manage billing"). */
  canManage: boolean;
}

export interface BillingServiceDeps {
  store: Store;
  billing: Billing;
  logger: Logger;
  /** The public origin, for Stripe's success, cancel and return URLs. */
  siteUrl: string;
  now?: () => Date;
}

export function createBillingService(deps: BillingServiceDeps) {
  const { store, billing, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const priceToPlan = new Map<string, PaidPlanId>(PAID_PLAN_IDS.map((plan) => [billing.prices[plan], plan]));
  const ctx: BillingEventContext = { store, logger, now, planForPrice: (priceId) => priceToPlan.get(priceId) ?? null };

  async function run<E extends BillingEvent>(event: E, handler: BillingEventHandler<E>): Promise<ApplyOutcome> {
    const user = await handler.findUser(event, ctx);
    if (!(await store.markEventProcessed(event.id, 'stripe', user?.id ?? null))) {
      logger.info({ eventId: event.id, type: event.type }, 'billing event already applied; skipping');
      return 'duplicate';
    }
    if (!user) {
      logger.warn({ eventId: event.id, type: event.type }, 'billing event is about no user we know; recorded and ignored');
      return 'no-user';
    }
    try {
      await handler.apply(event, user, ctx);
    } catch (error) {
      // Forget the id so Stripe's retry of this delivery is applied rather than skipped.
      await store.unmarkEvent(event.id);
      throw error;
    }
    logger.info({ eventId: event.id, type: event.type, userId: user.id }, 'billing event applied');
    return 'applied';
  }

  async function getUser(userId: string): Promise<UserRecord> {
    const user = await store.getUser(userId);
    if (!user) throw new AppError('NotFound', `user ${userId} vanished`, { userMessage: 'Your account could not be found. Sign in again.' });
    return user;
  }

  async function ensureCustomer(user: UserRecord): Promise<string> {
    if (user.stripeCustomerId) return user.stripeCustomerId;
    const customerId = await billing.createCustomer(user);
    await store.updateUser(user.id, { stripeCustomerId: customerId });
    return customerId;
  }

  function requireLocal(): void {
    if (billing.kind !== 'local') {
      throw new AppError('Forbidden', 'local billing action with Stripe configured', { userMessage: 'Test billing is not available on this site. Use the pricing page to change your plan.' });
    }
  }

  async function applyLocal(userId: string, build: (local: LocalEventContext) => BillingEvent[]): Promise<BillingStatus> {
    const user = await getUser(userId);
    const events = build({ user, customerId: await ensureCustomer(user), prices: billing.prices, now: now() });
    for (const event of events) await service.apply(event);
    return service.status(await getUser(userId));
  }

  const service = {
    /** Applies one verified billing event (from Stripe, or built by local billing). */
    apply(event: BillingEvent): Promise<ApplyOutcome> {
      switch (event.type) {
        case 'checkout.session.completed':
          return run(event, checkoutSessionCompleted);
        case 'customer.subscription.created':
        case 'customer.subscription.updated':
          return run(event, subscriptionChanged);
        case 'customer.subscription.deleted':
          return run(event, subscriptionDeleted);
        case 'invoice.paid':
          return run(event, invoicePaid);
        case 'invoice.payment_failed':
          return run(event, invoicePaymentFailed);
      }
    },

    status(user: UserRecord): BillingStatus {
      const plan = planOf(user.subscription, now());
      const sub = user.subscription;
      return {
        plan,
        planName: PLANS[plan].name,
        monthlyLimit: planLimit(plan),
        billing: billing.kind,
        subscription: sub
          ? { status: sub.status, pastDue: sub.status === 'past_due' || sub.status === 'unpaid', currentPeriodEnd: sub.currentPeriodEnd, cancelAtPeriodEnd: sub.cancelAtPeriodEnd }
          : null,
        canManage: billing.kind === 'local' ? sub !== null : user.stripeCustomerId !== null,
      };
    },

    /**
     * Where to send someone who chose a paid plan: Stripe Checkout (customer created once and
     * reused), or — when a live subscription exists — the portal, where Stripe switches plans
     * without a second subscription. Local billing always goes to its confirmation page.
     */
    async checkout(user: UserRecord, plan: PaidPlanId): Promise<{ url: string }> {
      const live = user.subscription !== null && isLiveStatus(user.subscription.status) && planOf(user.subscription, now()) !== 'free';
      if (live && billing.kind === 'stripe') return service.portal(user);
      const customerId = await ensureCustomer(user);
      return billing.createCheckout({
        customerId,
        userId: user.id,
        plan,
        successUrl: `${deps.siteUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${deps.siteUrl}/pricing`,
      });
    },

    async portal(user: UserRecord): Promise<{ url: string }> {
      if (!user.stripeCustomerId) {
        throw new AppError('NotFound', 'portal without a billing customer', { userMessage: 'You have no subscription to manage yet. Choose a plan on the pricing page.' });
      }
      return billing.createPortal({ customerId: user.stripeCustomerId, returnUrl: `${deps.siteUrl}/account` });
    },

    /**
     * The success page asks this until the plan changes. When the webhook has not arrived yet,
     * the session and subscription are fetched from Stripe and written as a provisional state
     * (see writeProvisional) that the webhooks, when they come, still replace.
     */
    async confirm(user: UserRecord, sessionId: string): Promise<BillingStatus> {
      if (billing.kind === 'local' || (user.subscription && isLiveStatus(user.subscription.status))) return service.status(user);
      // The page polls; each check may call Stripe, so a person gets a bounded number of them.
      const rate = await store.hitRateLimit(`billing-confirm:${user.id}`, 60, 30, now());
      if (!rate.allowed) throw new AppError('RateLimited', 'too many checkout confirmations', { retryAfter: rate.retryAfter });
      const snapshot = await billing.retrieveCheckout(sessionId);
      if (!snapshot || snapshot.session.client_reference_id !== user.id) {
        throw new AppError('NotFound', `checkout session not found for this user`, {
          userMessage: 'We could not find that payment. If you were charged, your plan will update within a few minutes; otherwise choose a plan again.',
          field: 'sessionId',
        });
      }
      const customer = snapshot.session.customer;
      const customerId = customer === null ? null : typeof customer === 'string' ? customer : customer.id;
      if (customerId && !user.stripeCustomerId) await store.updateUser(user.id, { stripeCustomerId: customerId });
      if (snapshot.subscription) {
        await writeProvisional(await getUser(user.id), subscriptionFrom(snapshot.subscription, 0, ctx), ctx);
        logger.info({ userId: user.id, subscriptionId: snapshot.subscription.id }, 'checkout confirmed from Stripe before its webhook');
      }
      return service.status(await getUser(user.id));
    },

    /** Local test billing: buy `plan`, switch to it, or resume it when its cancellation is scheduled. */
    localCheckout(userId: string, plan: PaidPlanId): Promise<BillingStatus> {
      requireLocal();
      return applyLocal(userId, (local) => {
        const current = local.user.subscription;
        const live = current !== null && isLiveStatus(current.status) && current.plan !== 'free';
        if (!live) return purchaseEvents(local, plan);
        if (current.plan === plan && !current.cancelAtPeriodEnd) return [];
        const event = updateEvent(local, { plan, cancelAtPeriodEnd: false });
        return event ? [event] : [];
      });
    },

    /** Local test billing: cancel at the period end (like the portal's default) or at once. */
    localCancel(userId: string, options: { atPeriodEnd: boolean }): Promise<BillingStatus> {
      requireLocal();
      return applyLocal(userId, (local) => {
        const event = options.atPeriodEnd ? updateEvent(local, { cancelAtPeriodEnd: true }) : deleteEvent(local);
        return event ? [event] : [];
      });
    },

    /**
     * Brings the stored plan in line with the subscription, for a cancellation whose period
     * ended before Stripe's `customer.subscription.deleted` arrived. Called on every request.
     */
    async refreshPlan(user: UserRecord): Promise<UserRecord> {
      if (!planIsStale(user, now())) return user;
      return (await store.updateUser(user.id, { plan: planOf(user.subscription, now()) })) ?? user;
    },
  };
  return service;
}

export type BillingService = ReturnType<typeof createBillingService>;
