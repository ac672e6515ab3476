/** Stripe-shaped billing events for tests, with only the fields our handlers read (plus `object`). */
import { randomUUID } from 'node:crypto';
import type { BillingEvent, CheckoutCompletedEvent, InvoiceEvent, SubscriptionEvent } from '../../server/domain/billing-events.ts';

export const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z
export const DAY = 86_400;

export interface SubscriptionFields {
  id?: string;
  customer: string;
  userId?: string;
  price: string;
  status?: string;
  cancelAtPeriodEnd?: boolean;
  periodEnd?: number;
}

const eventId = () => `evt_test_${randomUUID().replaceAll('-', '').slice(0, 24)}`;

export function subscriptionEvent(type: SubscriptionEvent['type'], created: number, fields: SubscriptionFields, id = eventId()): SubscriptionEvent {
  return {
    id,
    created,
    type,
    data: {
      object: {
        id: fields.id ?? 'sub_test_1',
        customer: fields.customer,
        status: fields.status ?? 'active',
        cancel_at_period_end: fields.cancelAtPeriodEnd ?? false,
        metadata: fields.userId ? { userId: fields.userId } : {},
        items: { data: [{ price: { id: fields.price }, current_period_end: fields.periodEnd ?? created + 30 * DAY }] },
      },
    },
  };
}

export function invoiceEvent(type: InvoiceEvent['type'], created: number, fields: { customer: string; subscription?: string }, id = eventId()): InvoiceEvent {
  return {
    id,
    created,
    type,
    data: { object: { id: `in_${randomUUID().slice(0, 8)}`, customer: fields.customer, parent: { subscription_details: { subscription: fields.subscription ?? 'sub_test_1' } } } },
  };
}

export function checkoutEvent(created: number, fields: { customer: string; userId: string; plan: string; subscription?: string; paymentStatus?: string }, id = eventId()): CheckoutCompletedEvent {
  return {
    id,
    created,
    type: 'checkout.session.completed',
    data: {
      object: {
        id: `cs_test_${randomUUID().slice(0, 8)}`,
        mode: 'subscription',
        client_reference_id: fields.userId,
        customer: fields.customer,
        subscription: fields.subscription ?? 'sub_test_1',
        payment_status: fields.paymentStatus ?? 'paid',
        metadata: { userId: fields.userId, plan: fields.plan },
      },
    },
  };
}

/** The JSON Stripe would POST: our subset plus the envelope fields of a real event. */
export function stripePayload(event: BillingEvent): string {
  return JSON.stringify({ ...event, object: 'event', api_version: '2026-11-18.endive', livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null } });
}
