/**
 * Local test billing for the embedded default: nobody is charged. Checkout sends the person
 * to our own confirmation page (/billing/local-checkout), where the billing service builds the
 * same subscription events Stripe would send and runs them through the same event-applying
 * code (server/services/billing.ts). config.ts refuses this adapter in production unless
 * explicitly allowed.
 */
import type { Billing } from '../../ports.ts';
import type { Logger } from '../../logger.ts';

export interface LocalBillingOptions {
  logger?: Logger;
}

/** Made-up price ids, so local events name prices exactly like Stripe's do. */
export const LOCAL_PRICES = { plus: 'price_local_plus', pro: 'price_local_pro' } as const;

export function createLocalBilling(options: LocalBillingOptions = {}): Billing {
  return {
    name: 'local',
    kind: 'local',
    prices: LOCAL_PRICES,
    async dispose() {},

    async createCustomer(user) {
      return `cus_local_${user.id}`;
    },

    async createCheckout({ plan }) {
      return { url: `/billing/local-checkout?plan=${encodeURIComponent(plan)}` };
    },

    async createPortal() {
      // The local "portal" is the same page, with change and cancel buttons.
      return { url: '/billing/local-checkout' };
    },

    async retrieveCheckout() {
      // Local checkouts apply their events at once; there is never a late webhook to confirm.
      return null;
    },

    async deleteCustomer(user) {
      // Local customers exist only as ids on the user record, which the deletion job removes.
      if (user.stripeCustomerId) options.logger?.info({ userId: user.id }, 'Skipping billing customer removal: local test billing keeps no customers');
    },

    verifyWebhook() {
      return { status: 'disabled', reason: 'Stripe is not configured on this server: local test billing receives no webhooks.' };
    },
  };
}
