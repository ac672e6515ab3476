/**
 * Keeps our user records in step with the identity provider (Clerk webhooks): a new or
 * changed email or name is copied, and a user deleted at the provider starts our own account
 * deletion through `onIdentityDeleted`. Each event id is applied once.
 */
import type { IdentityEvent, Store } from '../ports.ts';
import type { Logger } from '../logger.ts';

export type IdentityEventOutcome = 'applied' | 'duplicate' | 'no-user';

export interface IdentityEventDeps {
  store: Store;
  logger: Logger;
  /**
   * Starts deleting everything we keep about `userId` (the privacy deletion job). Must be
   * idempotent: a deletion already queued is not queued twice.
   */
  onIdentityDeleted(userId: string): Promise<void>;
}

export function createIdentityEventService(deps: IdentityEventDeps) {
  const { store, logger } = deps;

  async function upsertProfile(event: Extract<IdentityEvent, { type: 'user.created' | 'user.updated' }>): Promise<IdentityEventOutcome> {
    const patch = { ...(event.email ? { email: event.email.toLowerCase() } : {}), ...(event.name ? { name: event.name.slice(0, 80) } : {}) };
    if (await store.updateUser(event.userId, patch)) return 'applied';
    // Only `user.created` makes a record: a late `user.updated` must not bring back an account
    // whose deletion has already finished. The first request creates it otherwise (resolveUser).
    if (event.type !== 'user.created') return 'no-user';
    try {
      await store.createUser({ id: event.userId, email: patch.email ?? '', name: patch.name ?? 'New user' });
    } catch (error) {
      // The person's first request created it a moment ago; update that one instead.
      if (!(await store.updateUser(event.userId, patch))) throw error;
    }
    return 'applied';
  }

  return {
    async apply(eventId: string, event: IdentityEvent): Promise<IdentityEventOutcome> {
      // A deletion event is recorded without an owner, so it outlives the deletion it starts and a redelivery stays a no-op.
      const owner = event.type === 'user.deleted' ? null : event.userId;
      if (!(await store.markEventProcessed(eventId, 'clerk', owner))) return 'duplicate';
      try {
        let outcome: IdentityEventOutcome = 'applied';
        if (event.type === 'user.deleted') {
          // No record: nothing of theirs is kept, e.g. our own deletion job removed the Clerk account last.
          if (await store.getUser(event.userId)) await deps.onIdentityDeleted(event.userId);
          else outcome = 'no-user';
        } else outcome = await upsertProfile(event);
        logger.info({ eventId, type: event.type, userId: event.userId, outcome }, 'identity event applied');
        return outcome;
      } catch (error) {
        await store.unmarkEvent(eventId);
        throw error;
      }
    },
  };
}

export type IdentityEventService = ReturnType<typeof createIdentityEventService>;
