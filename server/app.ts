/**
 * The one place that knows concrete adapter classes: config → adapters → services.
 * Everything else sees ports. `getApp()` keeps one instance per process (it survives the
 * dev server's module reloads through globalThis).
 */
import path from 'node:path';
import type { MiddlewareHandler } from 'astro';
import type { BlobStore, Billing, Identity, ImageModel, Store } from './ports.ts';
import { loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { createSqliteStore } from './adapters/store/sqlite.ts';
import { createMongoStore } from './adapters/store/mongo.ts';
import { createFsBlobStore } from './adapters/blob/fs.ts';
import { createR2BlobStore } from './adapters/blob/r2.ts';
import { createLocalImageModel } from './adapters/ai/local.ts';
import { createCloudflareImageModel } from './adapters/ai/cloudflare.ts';
import { createLocalIdentity, type LocalIdentity } from './adapters/identity/local.ts';
import { createClerkIdentity } from './adapters/identity/clerk.ts';
import { createClerkMiddleware } from './adapters/identity/clerk-middleware.ts';
import { createLocalBilling } from './adapters/billing/local.ts';
import { createStripeBilling } from './adapters/billing/stripe.ts';
import { createGenerationService } from './services/generation.ts';
import { createGalleryService } from './services/gallery.ts';
import { createAccountService } from './services/account.ts';
import { createPrivacyServices, type PrivacyServices } from './services/privacy.ts';
import { createBillingService, type BillingService } from './services/billing.ts';
import { createIdentityEventService, type IdentityEventService } from './services/identity-events.ts';
import { AppError } from './domain/errors.ts';

export interface Ports {
  store: Store;
  blobs: BlobStore;
  model: ImageModel;
  identity: Identity;
  billing: Billing;
}

export interface App extends Ports, PrivacyServices {
  config: Config;
  logger: Logger;
  /** Set when local sign-in is on; the sign-in routes use it to issue sessions. */
  localIdentity: LocalIdentity | null;
  generation: ReturnType<typeof createGenerationService>;
  gallery: ReturnType<typeof createGalleryService>;
  account: ReturnType<typeof createAccountService>;
  /** Plans and payments: the one path that applies billing events (Stripe or local). */
  billingService: BillingService;
  /** Follows the identity provider's user changes (Clerk webhooks). */
  identityEvents: IdentityEventService;
  /** Clerk's Astro middleware when Clerk is configured; src/middleware.ts runs it before its own. */
  clerkMiddleware: MiddlewareHandler | null;
  /** Shutdown: stops generations still waiting on the model; they fail with a "try again" and are refunded. */
  interruptInFlight(): void;
  dispose(): Promise<void>;
}

function createStore(config: Config): Store {
  // config.mongo (like r2 and cloudflare below) is set only when every setting is present.
  if (config.mongo) return createMongoStore(config.mongo);
  return createSqliteStore({ file: path.join(config.dataDir, 'artivio.sqlite') });
}

function createBlobStore(config: Config): BlobStore {
  if (config.r2) return createR2BlobStore(config.r2);
  return createFsBlobStore({ dir: path.join(config.dataDir, 'blobs') });
}

function createImageModel(config: Config): ImageModel {
  if (config.cloudflare) return createCloudflareImageModel({ ...config.cloudflare, maxRetries: config.ai.maxRetries });
  return createLocalImageModel();
}

function createIdentity(config: Config, logger: Logger, store: Store): Identity {
  if (config.clerk) return createClerkIdentity({ ...config.clerk, logger });
  // Signed-out local sessions are recorded in the Store, so every instance refuses them.
  return createLocalIdentity({ secret: config.sessionSecret, secretFile: path.join(config.dataDir, 'session-secret'), revocations: store, logger });
}

function createBilling(config: Config, logger: Logger): Billing {
  if (config.stripe) return createStripeBilling({ ...config.stripe, logger });
  return createLocalBilling({ logger });
}

/**
 * Builds the app. Tests pass `overrides` to swap a port (e.g. a failing model). The privacy
 * job runner starts unless `startJobs` is false; under vitest it is off unless asked for, so
 * tests drive jobs with `app.jobs.runDue()`.
 */
export async function createApp(config: Config, overrides: Partial<Ports> & { logger?: Logger; startJobs?: boolean } = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const store = overrides.store ?? createStore(config);
  const blobs = overrides.blobs ?? createBlobStore(config);
  const model = overrides.model ?? createImageModel(config);
  const identity = overrides.identity ?? createIdentity(config, logger, store);
  const billing = overrides.billing ?? createBilling(config, logger);
  await store.init();
  const stopping = new AbortController();
  const privacy = createPrivacyServices({ store, blobs, billing, identity, logger, contactEmail: config.contactEmail, jobIntervalMs: config.jobIntervalMs });

  const app: App = {
    config,
    logger,
    store,
    blobs,
    model,
    identity,
    billing,
    localIdentity: identity.kind === 'local' ? (identity as LocalIdentity) : null,
    generation: createGenerationService({ store, blobs, model, logger, limits: { perUserPerMinute: config.rateLimits.generatePerUser, perAddressPerMinute: config.rateLimits.generatePerAddress, modelTimeoutMs: config.ai.timeoutMs }, stopping: stopping.signal }),
    gallery: createGalleryService({ store, blobs }),
    account: createAccountService({ store, identity }),
    billingService: createBillingService({ store, billing, logger, siteUrl: config.siteUrl }),
    identityEvents: createIdentityEventService({
      store,
      logger,
      // A user deleted at Clerk: delete everything we keep about them too (idempotent).
      onIdentityDeleted: async (userId) => void (await privacy.privacyDeletion.request(userId, { source: 'identity-provider' })),
    }),
    clerkMiddleware: config.clerk && identity.kind === 'clerk' ? createClerkMiddleware(config.clerk) : null,
    ...privacy,
    interruptInFlight() {
      stopping.abort(new AppError('ProviderUnavailable', 'server shutting down', { userMessage: 'The server is restarting. Your quota was not used; try again in a minute.' }));
    },
    async dispose() {
      await privacy.jobs.stop();
      await Promise.allSettled([store.dispose(), blobs.dispose(), model.dispose(), identity.dispose(), billing.dispose()]);
    },
  };
  logger.info({ adapters: adapterNames(app) }, 'app ready');
  if (overrides.startJobs ?? !process.env.VITEST) privacy.jobs.start();
  return app;
}

export function adapterNames(ports: Ports): Record<'identity' | 'store' | 'blob' | 'ai' | 'billing', string> {
  return { identity: ports.identity.name, store: ports.store.name, blob: ports.blobs.name, ai: ports.model.name, billing: ports.billing.name };
}

const globalKey = Symbol.for('artivio.app');
type GlobalWithApp = typeof globalThis & { [globalKey]?: Promise<App> };

/** The process-wide app, created on first use from the environment. */
export function getApp(): Promise<App> {
  const g = globalThis as GlobalWithApp;
  g[globalKey] ??= createApp(loadConfig()).catch((error: unknown) => {
    delete g[globalKey];
    throw error;
  });
  return g[globalKey];
}
