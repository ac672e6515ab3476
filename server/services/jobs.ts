/**
 * Runs privacy jobs (exports and deletions) in the background: at start-up, on an interval and
 * right after a request is queued. Jobs are claimed with a lease in the Store, so two server
 * instances never run the same job at once; a lease is renewed while its job runs, and a job
 * whose instance died is claimed again once its lease runs out. Timers are `unref()`'d so they
 * never keep a process alive, and `stop()` waits for the job in hand.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { PrivacyRequest, PrivacyRequestKind, Store } from '../ports.ts';
import type { Logger } from '../logger.ts';
import { createRequestHandle, type RequestHandle } from './privacy-request-handle.ts';

export interface JobRunnerOptions {
  store: Store;
  logger: Logger;
  handlers: Record<PrivacyRequestKind, (handle: RequestHandle) => Promise<void>>;
  /** Housekeeping run on every tick (deleting expired exports). */
  sweep?: () => Promise<unknown>;
  /** Time between ticks; also how long a failed job waits before it is retried. */
  intervalMs: number;
  /** How long a claim holds before another instance may take the job over. @default 10 minutes */
  leaseMs?: number;
  /** This process's name in leases. @default hostname, pid and a random suffix */
  instanceId?: string;
  now?: () => Date;
}

export interface JobRunner {
  /** Starts the interval and runs what is due now. */
  start(): void;
  /** Stops the interval and waits for the job in hand. */
  stop(): Promise<void>;
  /** Runs every claimable job (and the sweep) until none is left; resolves with how many ran. */
  runDue(): Promise<number>;
  /** Asks a started runner to look for work now (a request was just queued). No-op when not started. */
  kick(): void;
  readonly instanceId: string;
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const now = options.now ?? (() => new Date());
  const leaseMs = options.leaseMs ?? 10 * 60_000;
  const instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const { store, logger } = options;

  let timer: NodeJS.Timeout | null = null;
  let started = false;
  let stopped = false;
  let pass: Promise<number> | null = null;
  let again = false;

  /**
   * Claims as of `passStart`, not the current time: a job given back during this pass has a
   * retry time after the pass began, so it waits for the next pass instead of looping hot.
   */
  async function claim(passStart: Date): Promise<PrivacyRequest | null> {
    return store.claimPrivacyRequest({ leaseOwner: instanceId, now: passStart.toISOString(), leaseUntil: new Date(now().getTime() + leaseMs).toISOString() });
  }

  async function runOne(request: PrivacyRequest): Promise<void> {
    const handle = createRequestHandle(store, request, { now, retryDelayMs: options.intervalMs });
    const heartbeat = setInterval(() => {
      void handle.update((fresh) => (fresh.leaseOwner === instanceId ? { leaseUntil: new Date(now().getTime() + leaseMs).toISOString() } : {})).catch(() => undefined);
    }, Math.max(1000, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    try {
      await options.handlers[request.kind](handle);
    } catch (error) {
      // Handlers record their own failures; this is for the unexpected (a Store outage mid-update).
      logger.error({ requestId: request.id, kind: request.kind, err: error instanceof Error ? error.message : String(error) }, 'privacy job crashed; its lease will expire and it will be retried');
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function drain(): Promise<number> {
    let ran = 0;
    do {
      again = false;
      const passStart = now();
      if (options.sweep) await options.sweep().catch((error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'privacy sweep failed'));
      for (let request = await claim(passStart); request && !stopped; request = await claim(passStart)) {
        await runOne(request);
        ran++;
      }
    } while (again && !stopped);
    return ran;
  }

  function runDue(): Promise<number> {
    if (pass) {
      again = true;
      return pass;
    }
    pass = drain()
      .catch((error: unknown) => {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, 'privacy job tick failed');
        return 0;
      })
      .finally(() => {
        pass = null;
      });
    return pass;
  }

  return {
    instanceId,
    start() {
      if (started) return;
      started = true;
      stopped = false;
      timer = setInterval(() => void runDue(), options.intervalMs);
      timer.unref();
      void runDue();
    },
    async stop() {
      stopped = true;
      started = false;
      if (timer) clearInterval(timer);
      timer = null;
      await pass;
    },
    runDue,
    kick() {
      if (started && !stopped) void runDue();
    },
  };
}
