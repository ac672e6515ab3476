/**
 * The billing events we act on, as the subset of Stripe's event shapes we read. Real Stripe
 * events (after signature verification) are assignable to these types as they are, and local
 * test billing builds objects of the same shape, so both run through one event-applying path
 * (server/services/billing.ts). No vendor import: these are plain structural types.
 * @see https://docs.stripe.com/billing/subscriptions/webhooks
 */

/** A reference Stripe sends either as an id or as the expanded object. */
export type StripeRef = string | { id: string };

export function refId(ref: StripeRef): string;
export function refId(ref: StripeRef | null | undefined): string | null;
export function refId(ref: StripeRef | null | undefined): string | null {
  if (ref === null || ref === undefined) return null;
  return typeof ref === 'string' ? ref : ref.id;
}

export interface SubscriptionObject {
  id: string;
  customer: StripeRef;
  /** active, trialing, past_due, unpaid, canceled, incomplete, incomplete_expired, paused (or a newer value). */
  status: string;
  cancel_at_period_end: boolean;
  metadata: Record<string, string> | null;
  /** Since API version 2025-03-31 the billing period lives on each item, not on the subscription. */
  items: { data: Array<{ price: { id: string }; current_period_end: number }> };
}

export interface CheckoutSessionObject {
  id: string;
  mode: string;
  client_reference_id: string | null;
  customer: StripeRef | null;
  subscription: StripeRef | null;
  /** paid, unpaid or no_payment_required. */
  payment_status: string;
  metadata: Record<string, string> | null;
}

export interface InvoiceObject {
  id: string;
  customer: StripeRef | null;
  /** Since API version 2025-03-31 the subscription of an invoice is under `parent`. */
  parent: { subscription_details: { subscription: StripeRef } | null } | null;
}

interface EventBase {
  id: string;
  /** Unix seconds at which Stripe created the event; used to refuse stale state. */
  created: number;
}

export interface CheckoutCompletedEvent extends EventBase {
  type: 'checkout.session.completed';
  data: { object: CheckoutSessionObject };
}

export interface SubscriptionEvent extends EventBase {
  type: 'customer.subscription.created' | 'customer.subscription.updated' | 'customer.subscription.deleted';
  data: { object: SubscriptionObject };
}

export interface InvoiceEvent extends EventBase {
  type: 'invoice.paid' | 'invoice.payment_failed';
  data: { object: InvoiceObject };
}

export type BillingEvent = CheckoutCompletedEvent | SubscriptionEvent | InvoiceEvent;
export type BillingEventType = BillingEvent['type'];

export const BILLING_EVENT_TYPES: readonly BillingEventType[] = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
];

/** The metadata keys we put on Checkout Sessions and subscriptions to find our user again. */
export const USER_ID_METADATA_KEY = 'userId';
export const PLAN_METADATA_KEY = 'plan';
