/**
 * `customer.subscription.deleted`: the subscription ended (cancelled now, at its period end,
 * or after failed payments). The person is back on Free at once.
 */
import type { SubscriptionEvent } from '../../domain/billing-events.ts';
import type { BillingEventHandler } from './context.ts';
import { findSubscriptionOwner, subscriptionFrom, writeSubscription } from './subscription-state.ts';

export const subscriptionDeleted: BillingEventHandler<SubscriptionEvent> = {
  findUser: (event, ctx) => findSubscriptionOwner(event.data.object, ctx),
  async apply(event, user, ctx) {
    // Stripe sends status 'canceled' here; say so regardless, the event means the end.
    await writeSubscription(user, { ...subscriptionFrom(event.data.object, event.created, ctx), status: 'canceled' }, ctx);
  },
};
