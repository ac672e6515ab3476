/**
 * The one place a subscription state is written to a user record, with the ordering rules:
 * an older event never overwrites newer state, and a subscription other than the one we
 * follow only takes over when it is newer and does not end a live one.
 */
import type { Subscription, UserRecord } from '../../ports.ts';
import { USER_ID_METADATA_KEY, type SubscriptionObject } from '../../domain/billing-events.ts';
import { isLiveStatus, planOf, supersedes } from '../../domain/subscription.ts';
import type { BillingEventContext } from './context.ts';

export function isoFromUnix(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** Our record of a Stripe subscription object, as of an event created at `eventCreated`. */
export function subscriptionFrom(object: SubscriptionObject, eventCreated: number, ctx: BillingEventContext): Subscription {
  const item = object.items.data[0];
  const plan = item ? ctx.planForPrice(item.price.id) : null;
  if (item && !plan) ctx.logger.warn({ subscriptionId: object.id, priceId: item.price.id }, 'subscription price is not a configured plan price; treating it as Free');
  return {
    id: object.id,
    status: object.status,
    plan: plan ?? 'free',
    currentPeriodEnd: item ? isoFromUnix(item.current_period_end) : null,
    cancelAtPeriodEnd: object.cancel_at_period_end,
    eventCreated,
  };
}

/** Whether `next` may replace what `user` has. */
export function mayReplace(user: Pick<UserRecord, 'subscription'>, next: Subscription): boolean {
  const current = user.subscription;
  if (!current) return true;
  if (current.id !== next.id && isLiveStatus(current.status) && !isLiveStatus(next.status)) return false;
  return supersedes(next, current);
}

/** Stores `next` and the plan it grants when the ordering rules allow; returns whether it did. */
export async function writeSubscription(user: UserRecord, next: Subscription, ctx: BillingEventContext): Promise<boolean> {
  if (!mayReplace(user, next)) return false;
  await ctx.store.updateUser(user.id, { subscription: next, plan: planOf(next, ctx.now()) });
  return true;
}

/**
 * Stores a state that does not come from a subscription event — a paid Checkout Session, or a
 * snapshot fetched from Stripe because the webhook is late — stamped `eventCreated: 0` so that
 * any real event for the subscription replaces it. It only fills a gap: when we follow no
 * subscription, an ended other one, or this one still `incomplete`.
 */
export async function writeProvisional(user: UserRecord, next: Omit<Subscription, 'eventCreated'>, ctx: BillingEventContext): Promise<boolean> {
  const current = user.subscription;
  const gap = !current || (current.id === next.id ? current.status === 'incomplete' : !isLiveStatus(current.status));
  if (!gap) return false;
  const provisional: Subscription = { ...next, eventCreated: 0 };
  await ctx.store.updateUser(user.id, { subscription: provisional, plan: planOf(provisional, ctx.now()) });
  return true;
}

/** Finds the user a subscription belongs to: our id in its metadata, else its customer. */
export async function findSubscriptionOwner(object: Pick<SubscriptionObject, 'metadata' | 'customer'>, ctx: BillingEventContext): Promise<UserRecord | null> {
  const userId = object.metadata?.[USER_ID_METADATA_KEY];
  const byId = userId ? await ctx.store.getUser(userId) : null;
  if (byId) return byId;
  return ctx.store.findUserByCustomer(typeof object.customer === 'string' ? object.customer : object.customer.id);
}
