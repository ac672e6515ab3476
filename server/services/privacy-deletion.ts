/**
 * "Delete my account": a resumable job of idempotent steps. Each step's outcome is written to
 * the request before the next one starts, so after a crash or a failing service the job picks
 * up at the first step not done. What is left at the end is a receipt with no personal data:
 * no owner id, only times, counts of what was removed and the outcome of each step.
 *
 * While a deletion is pending the person is treated as signed out everywhere (see
 * `userFromRequest` in server/trpc/context.ts): no generation, no new exports, and an
 * identity provider's still-valid session cannot re-create the records the job removes.
 */
import { randomUUID } from 'node:crypto';
import type { Billing, BlobStore, Identity, PrivacyRequest, Store } from '../ports.ts';
import type { Logger } from '../logger.ts';
import { AppError, isAppError } from '../domain/errors.ts';
import { DELETION_CONFIRM_PHRASE, confirmsDeletion, newPrivacyRequest } from '../domain/privacy.ts';
import { userPrefix } from './media-keys.ts';
import type { RequestHandle } from './privacy-request-handle.ts';

export { DELETION_CONFIRM_PHRASE };

export type DeletionSource = 'account-page' | 'identity-provider';

export interface DeletionDeps {
  store: Store;
  blobs: BlobStore;
  billing: Billing;
  identity: Identity;
  logger: Logger;
  onQueued?: () => void;
  now?: () => Date;
  newId?: () => string;
}

type StepRun = (ownerId: string, receiptId: string) => Promise<number | undefined>;

/** Every record-holding place a user's data lives in, in the order the steps run. */
export const DELETION_STEPS = ['billing', 'storage', 'images', 'usage', 'events', 'privacyRequests', 'consents', 'user', 'auth', 'sweep'] as const;
export type DeletionStep = (typeof DELETION_STEPS)[number];

/** True while a deletion for this person is queued or running. */
export async function isDeletionPending(store: Store, ownerId: string): Promise<boolean> {
  return (await store.listPrivacyRequests(ownerId)).some((r) => r.kind === 'deletion' && r.status !== 'done');
}

/** A short, personal-data-free description of a failure for the receipt. */
function failureLabel(error: unknown): string {
  if (isAppError(error)) return error.code;
  if (error instanceof Error && /^[A-Za-z]+$/.test(error.name)) return error.name;
  return 'Error';
}

export function createPrivacyDeletionService(deps: DeletionDeps) {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const { store, blobs } = deps;

  const steps: Record<DeletionStep, StepRun> = {
    async billing(ownerId) {
      const user = await store.getUser(ownerId);
      // No user record: the identity provider's account was never used here. The adapter handles "no customer".
      if (user) await deps.billing.deleteCustomer(user);
      return undefined;
    },
    storage: (ownerId) => blobs.deletePrefix(userPrefix(ownerId)),
    images: (ownerId) => store.deleteImagesByOwner(ownerId),
    usage: (ownerId) => store.deleteUsageByOwner(ownerId),
    events: (ownerId) => store.deleteEventsByOwner(ownerId),
    privacyRequests: (ownerId, receiptId) => store.deletePrivacyRequestsByOwner(ownerId, receiptId),
    consents: (ownerId) => store.deleteConsentsByOwner(ownerId),
    user: (ownerId) => store.deleteUser(ownerId),
    async auth(ownerId) {
      await deps.identity.deleteAccount(ownerId);
      return undefined;
    },
    // Something that was in flight when the deletion began (a generation finishing, an export
    // being written) can land after its step ran; this pass catches it. Counts what it found.
    async sweep(ownerId, receiptId) {
      const counts = await Promise.all([
        blobs.deletePrefix(userPrefix(ownerId)),
        store.deleteImagesByOwner(ownerId),
        store.deleteUsageByOwner(ownerId),
        store.deleteEventsByOwner(ownerId),
        store.deletePrivacyRequestsByOwner(ownerId, receiptId),
        store.deleteConsentsByOwner(ownerId),
        store.deleteUser(ownerId),
      ]);
      return counts.reduce((a, b) => a + b, 0);
    },
  };

  const service = {
    /**
     * Queues the deletion of everything about `ownerId`, or returns the one already queued.
     * The Clerk webhook calls this for `user.deleted` with `source: 'identity-provider'`.
     */
    async request(ownerId: string, options: { source: DeletionSource }): Promise<PrivacyRequest> {
      const existing = (await store.listPrivacyRequests(ownerId)).find((r) => r.kind === 'deletion' && r.status !== 'done');
      if (existing) return existing;
      const request = newPrivacyRequest({ id: `del_${newId().replaceAll('-', '')}`, ownerId, kind: 'deletion', at: now().toISOString() });
      await store.insertPrivacyRequest(request);
      deps.logger.info({ requestId: request.id, userId: ownerId, source: options.source }, 'account deletion requested');
      deps.onQueued?.();
      return request;
    },

    /** The deletion a person asked for from the account page, after checking the typed phrase. */
    async requestFromAccountPage(ownerId: string, confirmation: string): Promise<PrivacyRequest> {
      if (!confirmsDeletion(confirmation)) {
        throw new AppError('BadInput', 'deletion confirmation phrase mismatch', {
          field: 'confirm',
          userMessage: `Type “${DELETION_CONFIRM_PHRASE}” exactly to confirm. Nothing was deleted.`,
        });
      }
      return service.request(ownerId, { source: 'account-page' });
    },

    isPending: (ownerId: string) => isDeletionPending(store, ownerId),

    /** A receipt by id (it holds no personal data), or null. */
    async receipt(id: string): Promise<PrivacyRequest | null> {
      const request = await store.getPrivacyRequest(id);
      return request && request.kind === 'deletion' ? request : null;
    },

    /** Runs the steps not yet done. On a failure the job is given back and resumes on a later tick. */
    async run(handle: RequestHandle): Promise<void> {
      const ownerId = handle.current().ownerId;
      if (!ownerId) {
        await handle.finish({ status: 'done', finishedAt: handle.current().finishedAt ?? now().toISOString() });
        return;
      }
      for (const name of DELETION_STEPS) {
        if (handle.current().steps[name]?.status === 'done') continue;
        try {
          const count = await steps[name](ownerId, handle.id);
          await handle.step(name, { status: 'done', ...(count === undefined ? {} : { count }) });
        } catch (error) {
          const label = failureLabel(error);
          deps.logger.warn({ requestId: handle.id, step: name, attempts: handle.current().attempts, err: error instanceof Error ? error.message : String(error) }, 'account deletion step failed; will retry');
          await handle.step(name, { status: 'failed', error: label }).catch(() => undefined);
          await handle.retryLater(`${name}: ${label}`).catch(() => undefined);
          return;
        }
      }
      await handle.finish({ status: 'done', ownerId: null, lastError: null });
      deps.logger.info({ requestId: handle.id }, 'account deleted');
    },
  };
  return service;
}

export type PrivacyDeletionService = ReturnType<typeof createPrivacyDeletionService>;
