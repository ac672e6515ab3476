/**
 * Local test billing builds the events Stripe would send for a purchase, a plan change, a
 * cancellation or a resumption, so they run through the same event-applying code as real ones.
 */
import { randomUUID } from 'node:crypto';
import type { UserRecord } from '../ports.ts';
import type { BillingEvent, SubscriptionObject } from '../domain/billing-events.ts';
import { PLAN_METADATA_KEY, USER_ID_METADATA_KEY } from '../domain/billing-events.ts';
import type { PaidPlanId } from '../domain/subscription.ts';

const PERIOD_SECONDS = 30 * 86_400;

export interface LocalEventContext {
  user: UserRecord;
  customerId: string;
  prices: Readonly<Record<PaidPlanId, string>>;
  now: Date;
}

const localId = (prefix: string) => `${prefix}_local_${randomUUID().replaceAll('-', '')}`;

/**
 * A second after anything stored: several local actions inside one second must still be
 * ordered, exactly as Stripe's `created` orders real ones.
 */
function createdAt({ user, now }: LocalEventContext): number {
  return Math.max(Math.floor(now.getTime() / 1000), (user.subscription?.eventCreated ?? 0) + 1);
}

function subscriptionObject(ctx: LocalEventContext, fields: { id: string; plan: PaidPlanId; status: string; cancelAtPeriodEnd: boolean; periodEnd: number }): SubscriptionObject {
  return {
    id: fields.id,
    customer: ctx.customerId,
    status: fields.status,
    cancel_at_period_end: fields.cancelAtPeriodEnd,
    metadata: { [USER_ID_METADATA_KEY]: ctx.user.id, [PLAN_METADATA_KEY]: fields.plan },
    items: { data: [{ price: { id: ctx.prices[fields.plan] }, current_period_end: fields.periodEnd }] },
  };
}

/** The stored subscription's fields, for events that change only some of them. */
function currentFields(ctx: LocalEventContext) {
  const current = ctx.user.subscription;
  if (!current || current.plan === 'free') return null;
  const periodEnd = current.currentPeriodEnd ? Math.floor(Date.parse(current.currentPeriodEnd) / 1000) : createdAt(ctx) + PERIOD_SECONDS;
  return { id: current.id, plan: current.plan, status: current.status, cancelAtPeriodEnd: current.cancelAtPeriodEnd, periodEnd };
}

/** Checkout completed, subscription created (active) and its first invoice paid, all in one second like Stripe. */
export function purchaseEvents(ctx: LocalEventContext, plan: PaidPlanId): BillingEvent[] {
  const created = createdAt(ctx);
  const subscription = subscriptionObject(ctx, { id: localId('sub'), plan, status: 'active', cancelAtPeriodEnd: false, periodEnd: created + PERIOD_SECONDS });
  const metadata = { [USER_ID_METADATA_KEY]: ctx.user.id, [PLAN_METADATA_KEY]: plan };
  return [
    {
      id: localId('evt'),
      created,
      type: 'checkout.session.completed',
      data: { object: { id: localId('cs'), mode: 'subscription', client_reference_id: ctx.user.id, customer: ctx.customerId, subscription: subscription.id, payment_status: 'paid', metadata } },
    },
    { id: localId('evt'), created, type: 'customer.subscription.created', data: { object: subscription } },
    { id: localId('evt'), created, type: 'invoice.paid', data: { object: { id: localId('in'), customer: ctx.customerId, parent: { subscription_details: { subscription: subscription.id } } } } },
  ];
}

/** customer.subscription.updated with some fields changed (plan, cancel at period end); null without a subscription. */
export function updateEvent(ctx: LocalEventContext, change: { plan?: PaidPlanId; cancelAtPeriodEnd?: boolean }): BillingEvent | null {
  const fields = currentFields(ctx);
  if (!fields) return null;
  const object = subscriptionObject(ctx, { ...fields, ...change, status: 'active' });
  return { id: localId('evt'), created: createdAt(ctx), type: 'customer.subscription.updated', data: { object } };
}

/** customer.subscription.deleted: ended now. */
export function deleteEvent(ctx: LocalEventContext): BillingEvent | null {
  const fields = currentFields(ctx);
  if (!fields) return null;
  const object = subscriptionObject(ctx, { ...fields, status: 'canceled' });
  return { id: localId('evt'), created: createdAt(ctx), type: 'customer.subscription.deleted', data: { object } };
}
