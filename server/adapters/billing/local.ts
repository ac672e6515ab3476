/**
 * Local test billing for the embedded default: nobody is charged. Checkout sends the person
 * to our own confirmation page, which builds the same subscription events Stripe would send
 * and runs them through the same event-applying code (server/services/billing.ts).
 * config.ts refuses this adapter in production unless explicitly allowed.
 */
import type { Billing } from '../../ports.ts';

export function createLocalBilling(): Billing {
  return {
    name: 'local',
    kind: 'local',
    async dispose() {},
    async createCheckout({ user, plan }) {
      return { url: `/billing/local-checkout?plan=${encodeURIComponent(plan)}`, customerId: user.stripeCustomerId ?? `cus_local_${user.id}` };
    },
    async createPortal() {
      return { url: '/account#plan' };
    },
    async deleteCustomer() {
      // Local customers exist only as ids on the user record, which the deletion job removes.
    },
  };
}
