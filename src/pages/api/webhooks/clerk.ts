/** Clerk (Svix) webhooks: see server/http/clerk-webhook.ts. The middleware skips the Origin check and session lookup here. */
import type { APIRoute } from 'astro';
import { getApp } from '../../../../server/app.ts';
import { handleClerkWebhook } from '../../../../server/http/clerk-webhook.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request }) => {
  const app = await getApp();
  return handleClerkWebhook({ identity: app.identity, identityEvents: app.identityEvents, logger: app.logger }, request);
};
