/**
 * What a stored subscription means for a person's plan, and which of two subscription states
 * is the newer one. Pure functions; the billing service applies them.
 */
import type { Subscription, UserRecord } from '../ports.ts';
import type { PlanId } from './plans.ts';

export type PaidPlanId = Exclude<PlanId, 'free'>;
export const PAID_PLAN_IDS: readonly PaidPlanId[] = ['plus', 'pro'];

export function isPaidPlan(value: string): value is PaidPlanId {
  return (PAID_PLAN_IDS as readonly string[]).includes(value);
}

/**
 * Statuses in which the paid plan's limits apply. `past_due` keeps them while Stripe retries
 * the payment (the person is told to update their card); `unpaid`, `paused` and the rest do not.
 */
const LIVE_STATUSES = new Set(['active', 'trialing', 'past_due']);

export function isLiveStatus(status: string): boolean {
  return LIVE_STATUSES.has(status);
}

/**
 * Orders two states that carry the same `eventCreated` second. Stripe often creates a
 * subscription as `incomplete` and activates it within the same second, and ends one with
 * `canceled`, so at a tie: a started subscription beats `incomplete`, and an ended one beats both.
 */
function statusRank(status: string): number {
  if (status === 'incomplete') return 0;
  if (status === 'canceled' || status === 'incomplete_expired') return 2;
  return 1;
}

/**
 * Whether `next` (from an event created at `next.eventCreated`) may replace `current`.
 * Older events never overwrite newer state; see statusRank for ties.
 */
export function supersedes(next: Pick<Subscription, 'status' | 'eventCreated'>, current: Pick<Subscription, 'status' | 'eventCreated'> | null): boolean {
  if (!current) return true;
  if (next.eventCreated !== current.eventCreated) return next.eventCreated > current.eventCreated;
  return statusRank(next.status) >= statusRank(current.status);
}

/** The plan a subscription state grants right now: a cancelled-at-period-end one lapses at its period end. */
export function planOf(subscription: Subscription | null, now: Date): PlanId {
  if (!subscription || !isLiveStatus(subscription.status)) return 'free';
  if (subscription.cancelAtPeriodEnd && subscription.currentPeriodEnd && Date.parse(subscription.currentPeriodEnd) <= now.getTime()) return 'free';
  return subscription.plan;
}

/** True when the stored plan no longer matches what the subscription grants (e.g. its period ended). */
export function planIsStale(user: Pick<UserRecord, 'plan' | 'subscription'>, now: Date): boolean {
  return user.plan !== planOf(user.subscription, now);
}
