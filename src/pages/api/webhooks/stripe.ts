/** Stripe webhooks: see server/http/stripe-webhook.ts. The middleware skips the Origin check and session lookup here. */
import type { APIRoute } from 'astro';
import { getApp } from '../../../../server/app.ts';
import { handleStripeWebhook } from '../../../../server/http/stripe-webhook.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request }) => {
  const app = await getApp();
  return handleStripeWebhook({ billing: app.billing, billingService: app.billingService, logger: app.logger }, request);
};
