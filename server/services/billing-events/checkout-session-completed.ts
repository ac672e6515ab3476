/**
 * `checkout.session.completed`: the person finished Checkout. Links our user to the Stripe
 * customer. The subscription's own events carry its state; until they arrive, a paid session
 * grants the plan it was for, as a provisional state that any subscription event replaces.
 */
import type { CheckoutCompletedEvent } from '../../domain/billing-events.ts';
import { PLAN_METADATA_KEY, USER_ID_METADATA_KEY, refId } from '../../domain/billing-events.ts';
import { isPaidPlan } from '../../domain/subscription.ts';
import type { BillingEventHandler } from './context.ts';
import { writeProvisional } from './subscription-state.ts';

const PAID = new Set(['paid', 'no_payment_required']);

export const checkoutSessionCompleted: BillingEventHandler<CheckoutCompletedEvent> = {
  async findUser(event, ctx) {
    const session = event.data.object;
    for (const id of [session.client_reference_id, session.metadata?.[USER_ID_METADATA_KEY]]) {
      const user = id ? await ctx.store.getUser(id) : null;
      if (user) return user;
    }
    const customerId = refId(session.customer);
    return customerId ? ctx.store.findUserByCustomer(customerId) : null;
  },

  async apply(event, user, ctx) {
    const session = event.data.object;
    const customerId = refId(session.customer);
    if (customerId && user.stripeCustomerId !== customerId) await ctx.store.updateUser(user.id, { stripeCustomerId: customerId });

    const subscriptionId = refId(session.subscription);
    const plan = session.metadata?.[PLAN_METADATA_KEY] ?? '';
    if (!subscriptionId || !PAID.has(session.payment_status) || !isPaidPlan(plan)) return;
    await writeProvisional(user, { id: subscriptionId, status: 'active', plan, currentPeriodEnd: null, cancelAtPeriodEnd: false }, ctx);
  },
};
