/**
 * "Download my data": one export at a time per person, built by a job into a ZIP that is
 * streamed into the BlobStore, downloadable only by its owner for 7 days, then deleted.
 */
import { randomUUID } from 'node:crypto';
import type { BlobObject, BlobStore, ImageRecord, PrivacyRequest, Store, UserRecord } from '../ports.ts';
import type { Logger } from '../logger.ts';
import { AppError } from '../domain/errors.ts';
import { PLANS } from '../domain/plans.ts';
import { exportKey } from './media-keys.ts';
import { newPrivacyRequest } from '../domain/privacy.ts';
import { createExportZip } from './privacy-export-zip.ts';
import { exportReadme } from './privacy-export-readme.ts';
import { isDeletionPending } from './privacy-deletion.ts';
import type { RequestHandle } from './privacy-request-handle.ts';

export const EXPORT_TTL_DAYS = 7;
/** After this many failed attempts the export is marked failed and the person may ask again. */
export const EXPORT_MAX_ATTEMPTS = 3;
/** The steps the account page shows, in the order they finish. */
export const EXPORT_STEPS = ['profile', 'files', 'images', 'archive'] as const;
const PAGE_SIZE = 100;
/** Two clicks within this window are one request (the Store's atomic counter makes it race-free). */
const REQUEST_DEBOUNCE_SECONDS = 10;

export interface ExportDeps {
  store: Store;
  blobs: BlobStore;
  logger: Logger;
  contactEmail: string;
  /** Called when a request is queued, so a running job runner starts it now rather than at its next tick. */
  onQueued?: () => void;
  now?: () => Date;
  newId?: () => string;
}

export interface ExportDownload {
  /** A URL to redirect to (presigned storage), or null to stream `object`. */
  directUrl: string | null;
  object: BlobObject | null;
  filename: string;
}

const isActive = (r: PrivacyRequest) => r.status === 'pending' || r.status === 'running';

export function billingSummary(user: UserRecord) {
  const sub = user.subscription;
  return {
    plan: user.plan,
    planName: PLANS[user.plan].name,
    customerReference: user.stripeCustomerId,
    subscription: sub ? { reference: sub.id, status: sub.status, plan: sub.plan, currentPeriodEnd: sub.currentPeriodEnd, cancelAtPeriodEnd: sub.cancelAtPeriodEnd } : null,
    note: 'Card and bank details are held only by our payment processor; Artivio stores the references above and nothing else.',
  };
}

export function createPrivacyExportService(deps: ExportDeps) {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;

  async function* pages(ownerId: string): AsyncGenerator<ImageRecord[]> {
    let cursor: string | null = null;
    do {
      const page = await deps.store.listImages(ownerId, { limit: PAGE_SIZE, cursor });
      if (page.items.length > 0) yield page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  async function latest(ownerId: string): Promise<PrivacyRequest | null> {
    const requests = await deps.store.listPrivacyRequests(ownerId);
    return requests.find((r) => r.kind === 'export') ?? null;
  }

  /** Builds and stores the archive. Throws on failure; the caller decides about retrying. */
  async function build(handle: RequestHandle, user: UserRecord): Promise<{ key: string; bytes: number }> {
    const exportedAt = now();
    const key = exportKey(user.id, handle.id);
    const [usage, consents] = await Promise.all([deps.store.listUsage(user.id), deps.store.listConsents(user.id)]);
    const zip = createExportZip(
      deps.blobs,
      {
        exportedAt,
        readme: exportReadme({ exportedAt, contactEmail: deps.contactEmail, ttlDays: EXPORT_TTL_DAYS }),
        json: {
          'account.json': {
            id: user.id,
            email: user.email,
            displayName: user.name,
            plan: user.plan,
            marketingEmails: user.marketingOptIn,
            createdAt: user.createdAt,
            updatedAt: user.updatedAt,
          },
          'usage.json': usage.map((u) => ({ month: u.period, imagesGenerated: u.count })),
          'billing.json': billingSummary(user),
          'consents.json': consents.map((c) => ({ categories: c.categories, policyVersion: c.policyVersion, source: c.source, createdAt: c.createdAt })),
        },
        pages: () => pages(user.id),
      },
      {
        // Progress is for the account page; losing one update must not fail the export.
        filesWritten: (count, missing) => void handle.step('files', { status: 'done', count, ...(missing ? { error: `${missing} missing` } : {}) }).catch(() => undefined),
        imagesListed: (count) => void handle.step('images', { status: 'done', count }).catch(() => undefined),
      },
    );
    await handle.step('profile', { status: 'done' });
    const upload = deps.blobs.putStream(key, zip.stream, { contentType: 'application/zip', cacheControl: 'private, no-store' });
    const [bytes] = await Promise.all([upload, zip.done]);
    return { key, bytes };
  }

  const service = {
    /** Queues an export. Refused while another is being prepared or the account is being deleted. */
    async request(ownerId: string): Promise<PrivacyRequest> {
      const at = now();
      const busy = new AppError('Conflict', 'export already in progress', {
        userMessage: 'Your data download is already being prepared. It will appear here when it is ready.',
      });
      if (await isDeletionPending(deps.store, ownerId)) {
        throw new AppError('Conflict', 'deletion pending', { userMessage: 'Your account is being deleted, so there is nothing left to download.' });
      }
      const debounce = await deps.store.hitRateLimit(`privacy-export:user:${ownerId}`, REQUEST_DEBOUNCE_SECONDS, 1, at);
      if (!debounce.allowed) throw busy;
      if ((await deps.store.listPrivacyRequests(ownerId)).some((r) => r.kind === 'export' && isActive(r))) throw busy;

      const request = newPrivacyRequest({ id: `exp_${newId().replaceAll('-', '')}`, ownerId, kind: 'export', at: at.toISOString() });
      await deps.store.insertPrivacyRequest(request);
      deps.logger.info({ requestId: request.id, userId: ownerId }, 'data export requested');
      deps.onQueued?.();
      return request;
    },

    /** The person's most recent export, or null. */
    latest,

    /** Runs a claimed export job to the end: done, given back for a retry, or failed. */
    async run(handle: RequestHandle): Promise<void> {
      const request = handle.current();
      const ownerId = request.ownerId;
      const user = ownerId ? await deps.store.getUser(ownerId) : null;
      if (!ownerId || !user) {
        await handle.finish({ status: 'failed', lastError: 'The account no longer exists.' });
        return;
      }
      try {
        const { key, bytes } = await build(handle, user);
        // If the account is being deleted (or was, and took this request with it), the archive must not outlive it.
        const still = await deps.store.getPrivacyRequest(handle.id);
        if (!still || (await isDeletionPending(deps.store, ownerId))) {
          await deps.blobs.delete(key);
          if (still) await handle.finish({ status: 'failed', lastError: 'Cancelled because the account is being deleted.' });
          return;
        }
        const finished = now();
        await handle.step('archive', { status: 'done', count: bytes });
        await handle.finish({
          status: 'done',
          artifactKey: key,
          artifactBytes: bytes,
          expiresAt: new Date(finished.getTime() + EXPORT_TTL_DAYS * 86_400_000).toISOString(),
          lastError: null,
          finishedAt: finished.toISOString(),
        });
        deps.logger.info({ requestId: handle.id, userId: ownerId, bytes }, 'data export ready');
      } catch (error) {
        const attempts = handle.current().attempts;
        const giveUp = attempts >= EXPORT_MAX_ATTEMPTS;
        deps.logger.warn({ requestId: handle.id, attempts, err: error instanceof Error ? error.message : String(error) }, giveUp ? 'data export failed' : 'data export attempt failed; will retry');
        await deps.blobs.delete(exportKey(ownerId, handle.id)).catch(() => undefined);
        await (giveUp
          ? handle.finish({ status: 'failed', lastError: 'We could not prepare your download. Ask for a new one; if it fails again, contact us.' })
          : handle.retryLater('The last attempt failed; we will try again shortly.')
        ).catch(() => undefined);
      }
    },

    /**
     * The archive behind a download link, or null when the request is missing, belongs to
     * someone else, is not finished or has expired — all answered the same way.
     */
    async download(ownerId: string, requestId: string): Promise<ExportDownload | null> {
      const request = await deps.store.getPrivacyRequest(requestId);
      if (!request || request.kind !== 'export' || request.ownerId !== ownerId || request.status !== 'done' || !request.artifactKey) return null;
      if (!request.expiresAt || request.expiresAt <= now().toISOString()) return null;
      const filename = `artivio-data-${request.createdAt.slice(0, 10)}.zip`;
      const directUrl = await deps.blobs.directUrl(request.artifactKey, { expiresInSeconds: 300, downloadName: filename });
      if (directUrl) return { directUrl, object: null, filename };
      const object = await deps.blobs.get(request.artifactKey);
      return object ? { directUrl: null, object, filename } : null;
    },

    /** Deletes the archives of expired exports. Returns how many were removed. */
    async sweepExpired(): Promise<number> {
      const expired = await deps.store.listExpiredExports(now().toISOString());
      for (const request of expired) {
        if (request.artifactKey) await deps.blobs.delete(request.artifactKey);
        await deps.store.updatePrivacyRequest(request.id, { artifactKey: null });
      }
      if (expired.length > 0) deps.logger.info({ count: expired.length }, 'expired data exports deleted');
      return expired.length;
    },
  };
  return service;
}

export type PrivacyExportService = ReturnType<typeof createPrivacyExportService>;
