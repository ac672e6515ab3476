/**
 * Billing with Stripe: one customer per user (created once, reused), Checkout in subscription
 * mode, the Customer Portal, webhook signature checks and customer removal for account deletion.
 * `apiUrl` points the SDK at stripe-mock in tests.
 * @see https://docs.stripe.com/billing/subscriptions/build-subscriptions
 */
import Stripe from 'stripe';
import type { Billing, CheckoutSnapshot } from '../../ports.ts';
import type { Logger } from '../../logger.ts';
import { AppError } from '../../domain/errors.ts';
import { PLAN_METADATA_KEY, USER_ID_METADATA_KEY } from '../../domain/billing-events.ts';
import type { StripeConfig } from '../../config.ts';
import { toBillingEvent } from './stripe-events.ts';

export interface StripeBillingOptions extends StripeConfig {
  logger?: Logger;
}

/** host/port/protocol for the SDK from a base URL such as http://127.0.0.1:12111. */
function endpoint(apiUrl: string | null): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!apiUrl) return {};
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol };
}

function isMissing(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeError && (error.statusCode === 404 || error.code === 'resource_missing');
}

/** Stripe failures become errors a person can act on; the Stripe message stays in the log message. */
function toAppError(error: unknown, doing: string): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? `${doing}: ${error.message}` : doing;
  const unavailable =
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    (error instanceof Stripe.errors.StripeError && (error.statusCode ?? 0) >= 500);
  return unavailable
    ? new AppError('ProviderUnavailable', message, { cause: error, userMessage: 'Payments are unavailable right now. Nothing was charged; try again in a few minutes.' })
    : new AppError('Internal', message, { cause: error, userMessage: 'We could not start the payment. Nothing was charged; try again, and contact us if it keeps happening.' });
}

export function createStripeBilling(options: StripeBillingOptions): Billing {
  const stripe = new Stripe(options.secretKey, {
    ...endpoint(options.apiUrl),
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: 'Artivio' },
  });

  return {
    name: 'stripe',
    kind: 'stripe',
    prices: options.prices,

    async dispose() {},

    async createCustomer(user) {
      try {
        // The key makes a retried or concurrent first checkout reuse one customer instead of creating two.
        const customer = await stripe.customers.create(
          { email: user.email || undefined, name: user.name, metadata: { [USER_ID_METADATA_KEY]: user.id } },
          { idempotencyKey: `artivio-customer-${user.id}` },
        );
        return customer.id;
      } catch (error) {
        throw toAppError(error, 'creating the Stripe customer failed');
      }
    },

    async createCheckout({ customerId, userId, plan, successUrl, cancelUrl }) {
      const metadata = { [USER_ID_METADATA_KEY]: userId, [PLAN_METADATA_KEY]: plan };
      try {
        const session = await stripe.checkout.sessions.create({
          mode: 'subscription',
          customer: customerId,
          client_reference_id: userId,
          line_items: [{ price: options.prices[plan], quantity: 1 }],
          metadata,
          subscription_data: { metadata },
          success_url: successUrl,
          cancel_url: cancelUrl,
        });
        if (!session.url) throw new AppError('Internal', `Checkout Session ${session.id} has no url`);
        return { url: session.url };
      } catch (error) {
        throw toAppError(error, 'creating the Checkout Session failed');
      }
    },

    async createPortal({ customerId, returnUrl }) {
      try {
        const session = await stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl });
        return { url: session.url };
      } catch (error) {
        throw toAppError(error, 'creating the Customer Portal session failed');
      }
    },

    async retrieveCheckout(sessionId): Promise<CheckoutSnapshot | null> {
      try {
        const session = await stripe.checkout.sessions.retrieve(sessionId, { expand: ['subscription'] });
        const subscription = session.subscription !== null && typeof session.subscription === 'object' ? session.subscription : null;
        return { session, subscription };
      } catch (error) {
        if (isMissing(error)) return null;
        throw toAppError(error, 'retrieving the Checkout Session failed');
      }
    },

    async deleteCustomer(user) {
      const customerId = user.stripeCustomerId;
      if (!customerId) return;
      try {
        // Deleting a customer also ends its subscriptions at Stripe; cancelling first says so
        // explicitly and works even if the delete below is the step that fails and is retried.
        for await (const subscription of stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 100 })) {
          if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') continue;
          try {
            await stripe.subscriptions.cancel(subscription.id);
          } catch (error) {
            if (!isMissing(error)) throw error;
          }
        }
        await stripe.customers.del(customerId);
      } catch (error) {
        // Already gone (an earlier attempt, or removed in the Dashboard): the goal is reached.
        if (isMissing(error)) return;
        throw toAppError(error, 'deleting the Stripe customer failed');
      }
    },

    verifyWebhook(rawBody, signature) {
      if (!signature) return { status: 'refused', reason: 'missing Stripe-Signature header' };
      let event: Stripe.Event;
      try {
        // Default tolerance (300 s): an old signature, even a correct one, is refused.
        event = stripe.webhooks.constructEvent(rawBody, signature, options.webhookSecret);
      } catch (error) {
        return { status: 'refused', reason: error instanceof Error ? error.message : 'signature check failed' };
      }
      return { status: 'verified', id: event.id, type: event.type, event: toBillingEvent(event) };
    },
  };
}
