/**
 * POST /api/webhooks/stripe, as a function of a Request so it is testable without a server.
 * Order: raw body → signature (Stripe not in use 404, missing secret 500, bad or missing
 * signature 400, nothing changed) → apply once → 200. Types we do not act on get a 200 too. A failure while
 * applying is a 500, so Stripe delivers the event again.
 * @see https://docs.stripe.com/webhooks#verify-events
 */
import type { Billing } from '../ports.ts';
import type { Logger } from '../logger.ts';
import type { BillingService } from '../services/billing.ts';
import { webhookResponse } from './webhook-response.ts';

export interface StripeWebhookDeps {
  billing: Billing;
  billingService: BillingService;
  logger: Logger;
}

export async function handleStripeWebhook(deps: StripeWebhookDeps, request: Request): Promise<Response> {
  // The signature covers these exact bytes: nothing may parse the body before this.
  const rawBody = await request.text();
  const verified = deps.billing.verifyWebhook(rawBody, request.headers.get('stripe-signature'));
  if (verified.status === 'disabled') return webhookResponse(404, { error: 'Stripe billing is not enabled on this server.' });
  if (verified.status === 'unconfigured') {
    deps.logger.error({ reason: verified.reason }, 'stripe webhook received but no webhook secret is configured');
    return webhookResponse(500, { error: 'Stripe webhooks are not configured on this server.' });
  }
  if (verified.status === 'refused') {
    deps.logger.warn({ reason: verified.reason }, 'stripe webhook refused');
    return webhookResponse(400, { error: 'Webhook signature verification failed.' });
  }
  if (!verified.event) return webhookResponse(200, { received: true, ignored: verified.type });
  try {
    const outcome = await deps.billingService.apply(verified.event);
    return webhookResponse(200, { received: true, outcome });
  } catch (error) {
    deps.logger.error({ eventId: verified.id, type: verified.type, err: { message: error instanceof Error ? error.message : String(error) } }, 'stripe webhook failed; Stripe will retry');
    return webhookResponse(500, { error: 'The event could not be applied; it will be retried.' });
  }
}
