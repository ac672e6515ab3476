/**
 * A claimed privacy request as a job sees it: the latest document plus updates that are
 * applied one after another, so a lease heartbeat and a step update can never overwrite each
 * other (the Store's update is a read-modify-write of the whole document).
 */
import type { PrivacyRequest, Store } from '../ports.ts';

export type StepOutcome = PrivacyRequest['steps'][string];
export type RequestPatch = Partial<Omit<PrivacyRequest, 'id'>>;

/** Thrown when the request disappeared while a job worked on it (an account deletion removed it). */
export class RequestGoneError extends Error {
  constructor(id: string) {
    super(`privacy request '${id}' no longer exists`);
    this.name = 'RequestGoneError';
  }
}

export interface RequestHandle {
  readonly id: string;
  /** The document as of the last update. */
  current(): PrivacyRequest;
  update(patch: RequestPatch | ((current: PrivacyRequest) => RequestPatch)): Promise<PrivacyRequest>;
  /** Records a step's outcome, keeping the other steps. */
  step(name: string, outcome: Omit<StepOutcome, 'at'>): Promise<PrivacyRequest>;
  /**
   * Gives the job back after a failed attempt. Like a queue's visibility timeout, it stays
   * `running` with a lease owned by nobody until `retryDelayMs` from now, then any instance
   * may claim it again; so a failing service is retried on a later tick, never in a hot loop.
   */
  retryLater(lastError: string): Promise<PrivacyRequest>;
  /** Ends the job for good (`done` or `failed`) and releases the lease. */
  finish(patch: RequestPatch & { status: 'done' | 'failed' }): Promise<PrivacyRequest>;
}

export interface RequestHandleOptions {
  now: () => Date;
  /** How long a failed job waits before it may be claimed again. */
  retryDelayMs: number;
}

export function createRequestHandle(store: Store, request: PrivacyRequest, options: RequestHandleOptions): RequestHandle {
  const { now } = options;
  let latest = request;
  let chain: Promise<unknown> = Promise.resolve();

  const update: RequestHandle['update'] = (patch) => {
    const next = chain.then(async () => {
      const fresh = (await store.getPrivacyRequest(request.id)) ?? null;
      if (!fresh) throw new RequestGoneError(request.id);
      const updated = await store.updatePrivacyRequest(request.id, typeof patch === 'function' ? patch(fresh) : patch);
      if (!updated) throw new RequestGoneError(request.id);
      latest = updated;
      return updated;
    });
    // A failed update must not block the ones queued after it.
    chain = next.catch(() => undefined);
    return next;
  };

  return {
    id: request.id,
    current: () => latest,
    update,
    step(name, outcome) {
      return update((fresh) => ({ steps: { ...fresh.steps, [name]: { ...outcome, at: now().toISOString() } } }));
    },
    retryLater(lastError) {
      return update({ status: 'running', lastError, leaseOwner: null, leaseUntil: new Date(now().getTime() + options.retryDelayMs).toISOString() });
    },
    finish(patch) {
      return update({ ...patch, leaseOwner: null, leaseUntil: null, finishedAt: patch.finishedAt ?? now().toISOString() });
    },
  };
}
