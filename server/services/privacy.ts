/**
 * The privacy center's services wired together: consent records, data export, account
 * deletion and the job runner that carries out the last two. app.ts builds this once.
 */
import type { Billing, BlobStore, Identity, Store } from '../ports.ts';
import type { Logger } from '../logger.ts';
import { createConsentService } from './consent.ts';
import { createPrivacyExportService } from './privacy-export.ts';
import { createPrivacyDeletionService } from './privacy-deletion.ts';
import { createJobRunner, type JobRunner } from './jobs.ts';

export interface PrivacyDeps {
  store: Store;
  blobs: BlobStore;
  billing: Billing;
  identity: Identity;
  logger: Logger;
  contactEmail: string;
  /** Time between job runner ticks (config.jobIntervalMs). */
  jobIntervalMs: number;
}

export function createPrivacyServices(deps: PrivacyDeps) {
  // The services tell the runner about new work; the runner needs the services. Late binding breaks the loop.
  let runner: JobRunner | null = null;
  const onQueued = () => runner?.kick();
  const privacyExport = createPrivacyExportService({ ...deps, onQueued });
  const privacyDeletion = createPrivacyDeletionService({ ...deps, onQueued });
  runner = createJobRunner({
    store: deps.store,
    logger: deps.logger,
    intervalMs: deps.jobIntervalMs,
    handlers: { export: privacyExport.run, deletion: privacyDeletion.run },
    sweep: privacyExport.sweepExpired,
  });
  return { consent: createConsentService(deps), privacyExport, privacyDeletion, jobs: runner };
}

export type PrivacyServices = ReturnType<typeof createPrivacyServices>;
