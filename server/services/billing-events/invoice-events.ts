/**
 * `invoice.paid` and `invoice.payment_failed` for the subscription we follow. A failed renewal
 * marks it past due (the plan stays while Stripe retries, and the person is asked to update
 * their card); a paid invoice clears that. Invoices carry no plan or period, so they change
 * only the status of the state we have, and only when they are newer than it.
 */
import type { InvoiceEvent } from '../../domain/billing-events.ts';
import { refId } from '../../domain/billing-events.ts';
import type { Subscription } from '../../ports.ts';
import type { BillingEventContext, BillingEventHandler } from './context.ts';
import { writeSubscription } from './subscription-state.ts';

const RECOVERED_BY_PAYMENT = new Set(['past_due', 'unpaid', 'incomplete']);
const ENDED = new Set(['canceled', 'incomplete_expired']);

async function findInvoiceOwner(event: InvoiceEvent, ctx: BillingEventContext) {
  const customerId = refId(event.data.object.customer);
  return customerId ? ctx.store.findUserByCustomer(customerId) : null;
}

function invoiceHandler(nextStatus: (current: Subscription) => string): BillingEventHandler<InvoiceEvent> {
  return {
    findUser: findInvoiceOwner,
    async apply(event, user, ctx) {
      const current = user.subscription;
      const subscriptionId = refId(event.data.object.parent?.subscription_details?.subscription);
      if (!current || current.id !== subscriptionId || ENDED.has(current.status)) return;
      await writeSubscription(user, { ...current, status: nextStatus(current), eventCreated: event.created }, ctx);
    },
  };
}

export const invoicePaid = invoiceHandler((current) => (RECOVERED_BY_PAYMENT.has(current.status) ? 'active' : current.status));
// A failed first payment leaves an `incomplete` subscription incomplete: it never granted the plan.
export const invoicePaymentFailed = invoiceHandler((current) => (current.status === 'incomplete' ? 'incomplete' : 'past_due'));
