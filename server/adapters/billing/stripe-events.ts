/**
 * Narrows a verified Stripe event to the billing events we act on. Each case returns the
 * event as it is: Stripe's types are assignable to our Stripe-shaped subset, so no casts.
 */
import type Stripe from 'stripe';
import type { BillingEvent } from '../../domain/billing-events.ts';

export function toBillingEvent(event: Stripe.Event): BillingEvent | null {
  switch (event.type) {
    // The person finished Checkout: links our user to the Stripe customer and subscription.
    case 'checkout.session.completed':
      return event.data.object.mode === 'subscription' ? event : null;
    // Subscription state changes (new, plan switch, cancel at period end, status) and its end.
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
      return event;
    // Renewal paid (clears past_due) and payment failed (past_due, shown to the person).
    case 'invoice.paid':
    case 'invoice.payment_failed':
      return event;
    default:
      return null;
  }
}
