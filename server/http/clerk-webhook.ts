/**
 * POST /api/webhooks/clerk, as a function of a Request so it is testable without a server.
 * Svix signature over the raw body (Clerk not in use 404, missing secret 500; forged, stale
 * or unsigned 400, nothing changed), then `user.created`/`user.updated`/`user.deleted` applied once each.
 * @see https://clerk.com/docs/webhooks/sync-data
 */
import type { Identity } from '../ports.ts';
import type { Logger } from '../logger.ts';
import type { IdentityEventService } from '../services/identity-events.ts';
import { webhookResponse } from './webhook-response.ts';

export interface ClerkWebhookDeps {
  identity: Identity;
  identityEvents: IdentityEventService;
  logger: Logger;
}

export async function handleClerkWebhook(deps: ClerkWebhookDeps, request: Request): Promise<Response> {
  const verified = await deps.identity.verifyWebhook(request);
  if (verified.status === 'disabled') return webhookResponse(404, { error: 'Clerk is not enabled on this server.' });
  if (verified.status === 'unconfigured') {
    deps.logger.error({ reason: verified.reason }, 'clerk webhook received but no signing secret is configured');
    return webhookResponse(500, { error: 'Clerk webhooks are not configured on this server.' });
  }
  if (verified.status === 'refused') {
    deps.logger.warn({ reason: verified.reason }, 'clerk webhook refused');
    return webhookResponse(400, { error: 'Webhook signature verification failed.' });
  }
  if (!verified.event) return webhookResponse(200, { received: true, ignored: verified.type });
  try {
    const outcome = await deps.identityEvents.apply(verified.id, verified.event);
    return webhookResponse(200, { received: true, outcome });
  } catch (error) {
    deps.logger.error({ eventId: verified.id, type: verified.type, err: { message: error instanceof Error ? error.message : String(error) } }, 'clerk webhook failed; Svix will retry');
    return webhookResponse(500, { error: 'The event could not be applied; it will be retried.' });
  }
}
