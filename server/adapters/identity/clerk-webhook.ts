/**
 * Clerk webhooks are delivered by Svix: `svix-id`, `svix-timestamp` and `svix-signature`
 * headers over the raw body, refused when older than five minutes. The Svix message id is
 * covered by the signature, so it serves as the event id for applying each event once.
 * @see https://clerk.com/docs/webhooks/sync-data
 */
import { verifyWebhook, type WebhookEvent } from '@clerk/backend/webhooks';
import type { IdentityEvent, WebhookVerification } from '../../ports.ts';

/** First and last name, or the username when both are empty (also used for the Backend API's user). */
export function displayName(first: string | null, last: string | null, username: string | null): string | null {
  const full = [first, last].filter((part) => part && part.trim()).join(' ').trim();
  return full || username || null;
}

function toIdentityEvent(event: WebhookEvent): IdentityEvent | null {
  switch (event.type) {
    case 'user.created':
    case 'user.updated': {
      const user = event.data;
      const primary = user.email_addresses.find((e) => e.id === user.primary_email_address_id) ?? user.email_addresses[0];
      return { type: event.type, userId: user.id, email: primary?.email_address ?? null, name: displayName(user.first_name, user.last_name, user.username) };
    }
    case 'user.deleted':
      return event.data.id ? { type: 'user.deleted', userId: event.data.id } : null;
    default:
      return null;
  }
}

export async function verifyClerkWebhook(request: Request, signingSecret: string | null): Promise<WebhookVerification<IdentityEvent>> {
  if (!signingSecret) return { status: 'unconfigured', reason: 'CLERK_WEBHOOK_SIGNING_SECRET is not set.' };
  const id = request.headers.get('svix-id')?.trim();
  let event: WebhookEvent;
  try {
    event = await verifyWebhook(request, { signingSecret });
  } catch (error) {
    return { status: 'refused', reason: error instanceof Error ? error.message : 'signature check failed' };
  }
  if (!id) return { status: 'refused', reason: 'missing svix-id header' };
  return { status: 'verified', id, type: event.type, event: toIdentityEvent(event) };
}
