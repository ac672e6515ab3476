/**
 * `customer.subscription.created` / `customer.subscription.updated`: a new subscription, a
 * plan switch, a cancellation scheduled for the period end (or undone), or a status change.
 */
import type { SubscriptionEvent } from '../../domain/billing-events.ts';
import type { BillingEventHandler } from './context.ts';
import { findSubscriptionOwner, subscriptionFrom, writeSubscription } from './subscription-state.ts';

export const subscriptionChanged: BillingEventHandler<SubscriptionEvent> = {
  findUser: (event, ctx) => findSubscriptionOwner(event.data.object, ctx),
  async apply(event, user, ctx) {
    await writeSubscription(user, subscriptionFrom(event.data.object, event.created, ctx), ctx);
  },
};
