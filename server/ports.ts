/**
 * The ports: every interface the services use to reach the outside world.
 * Interfaces and value types only — no implementation and no vendor imports.
 * Each port has one adapter file per implementation under `server/adapters/<port>/`.
 */
import type { PlanId } from './domain/plans.ts';
import type { ModelSpec } from './domain/models.ts';
import type { StyleId } from './domain/styles.ts';
import type { BillingEvent, CheckoutSessionObject, SubscriptionObject } from './domain/billing-events.ts';
import type { PaidPlanId } from './domain/subscription.ts';

/** Every adapter can be named (for /api/health) and released (for shutdown and tests). */
export interface Adapter {
  readonly name: string;
  dispose(): Promise<void>;
}

// ---------------------------------------------------------------------------
// ImageModel
// ---------------------------------------------------------------------------

export interface ModelRequest {
  model: ModelSpec;
  /** The prompt as sent to the model (style modifiers already applied). */
  prompt: string;
  negativePrompt?: string;
  width: number;
  height: number;
  steps: number;
  guidance?: number;
  seed: number;
  style: StyleId;
}

export interface ModelImage {
  bytes: Uint8Array;
  mime: 'image/png' | 'image/jpeg' | 'image/webp';
}

export interface ImageModel extends Adapter {
  /** Produces one image. Throws an `AppError` with a model code on failure. */
  generate(request: ModelRequest, options: { signal: AbortSignal }): Promise<ModelImage>;
}

// ---------------------------------------------------------------------------
// BlobStore
// ---------------------------------------------------------------------------

export interface PutOptions {
  contentType: string;
  cacheControl: string;
}

export interface BlobObject {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  size: number;
  cacheControl?: string;
}

export interface BlobStore extends Adapter {
  put(key: string, body: Uint8Array, options: PutOptions): Promise<void>;
  /** Streams a body of unknown length into the store (used for exports). Returns bytes written. */
  putStream(key: string, body: ReadableStream<Uint8Array>, options: PutOptions): Promise<number>;
  get(key: string): Promise<BlobObject | null>;
  /** Returns the object's bytes, or null when missing. */
  read(key: string): Promise<Uint8Array | null>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix`, page by page. Returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
  list(prefix: string): Promise<string[]>;
  /**
   * A URL the browser may fetch directly (presigned or public CDN), or null when the
   * object must be streamed through our own authorised media route.
   */
  directUrl(key: string, options: { expiresInSeconds: number; downloadName?: string }): Promise<string | null>;
}

// ---------------------------------------------------------------------------
// Store
// ---------------------------------------------------------------------------

export interface Subscription {
  id: string;
  status: string;
  plan: PlanId;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  /** Unix seconds of the Stripe event that produced this state; older events never overwrite it. */
  eventCreated: number;
}

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  plan: PlanId;
  stripeCustomerId: string | null;
  subscription: Subscription | null;
  marketingOptIn: boolean;
  createdAt: string;
  updatedAt: string;
}

export type NewUser = Pick<UserRecord, 'id' | 'email' | 'name'>;
export type UserPatch = Partial<Pick<UserRecord, 'email' | 'name' | 'plan' | 'stripeCustomerId' | 'subscription' | 'marketingOptIn'>>;

export interface ImageRecord {
  id: string;
  ownerId: string;
  key: string;
  thumbKey: string;
  prompt: string;
  negativePrompt: string | null;
  model: string;
  width: number;
  height: number;
  seed: number;
  steps: number;
  guidance: number | null;
  style: StyleId;
  bytes: number;
  mime: string;
  createdAt: string;
}

export interface ImagePage {
  items: ImageRecord[];
  nextCursor: string | null;
}

export interface UsageRecord {
  ownerId: string;
  period: string;
  count: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window resets (when not allowed). */
  retryAfter: number;
}

export type PrivacyRequestKind = 'export' | 'deletion';
export type PrivacyRequestStatus = 'pending' | 'running' | 'done' | 'failed';

export interface PrivacyRequest {
  id: string;
  /** Owner id; cleared on a finished deletion receipt so it keeps no personal data. */
  ownerId: string | null;
  kind: PrivacyRequestKind;
  status: PrivacyRequestStatus;
  steps: Record<string, { status: 'done' | 'failed'; at: string; count?: number; error?: string }>;
  attempts: number;
  lastError: string | null;
  artifactKey: string | null;
  artifactBytes: number | null;
  expiresAt: string | null;
  leaseOwner: string | null;
  leaseUntil: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface ConsentRecord {
  id: string;
  ownerId: string;
  categories: Record<string, boolean>;
  policyVersion: string;
  source: 'banner' | 'settings' | 'gpc';
  createdAt: string;
}

export interface Store extends Adapter {
  /** Creates tables/collections and indexes. Safe to call more than once. */
  init(): Promise<void>;

  // users
  createUser(user: NewUser): Promise<UserRecord>;
  getUser(id: string): Promise<UserRecord | null>;
  findUserByEmail(email: string): Promise<UserRecord | null>;
  findUserByCustomer(stripeCustomerId: string): Promise<UserRecord | null>;
  updateUser(id: string, patch: UserPatch): Promise<UserRecord | null>;
  deleteUser(id: string): Promise<number>;

  // images
  insertImage(image: ImageRecord): Promise<void>;
  /** The owner's image, or null for a missing one and for another owner's (indistinguishable). */
  getImage(ownerId: string, id: string): Promise<ImageRecord | null>;
  /** Newest first, keyset-paginated on (createdAt, id). */
  listImages(ownerId: string, options: { limit: number; cursor?: string | null }): Promise<ImagePage>;
  deleteImage(ownerId: string, id: string): Promise<boolean>;
  countImages(ownerId: string): Promise<number>;
  deleteImagesByOwner(ownerId: string): Promise<number>;

  // usage
  /** Atomically adds `amount` to the owner's count for `period` when the result stays within `limit`. */
  reserveUsage(ownerId: string, period: string, amount: number, limit: number): Promise<boolean>;
  /** Gives back `amount` units (never below zero). */
  releaseUsage(ownerId: string, period: string, amount: number): Promise<void>;
  getUsage(ownerId: string, period: string): Promise<number>;
  listUsage(ownerId: string): Promise<UsageRecord[]>;
  deleteUsageByOwner(ownerId: string): Promise<number>;

  // processed webhook events
  /** Records an event id; returns false when it was already recorded. */
  markEventProcessed(id: string, source: string, ownerId?: string | null): Promise<boolean>;
  /** Forgets a recorded event id, so an event whose application failed is applied when it is delivered again. */
  unmarkEvent(id: string): Promise<void>;
  deleteEventsByOwner(ownerId: string): Promise<number>;

  // rate limits (fixed windows, shared across server instances)
  hitRateLimit(key: string, windowSeconds: number, max: number, now?: Date): Promise<RateLimitResult>;

  // privacy requests
  insertPrivacyRequest(request: PrivacyRequest): Promise<void>;
  getPrivacyRequest(id: string): Promise<PrivacyRequest | null>;
  listPrivacyRequests(ownerId: string): Promise<PrivacyRequest[]>;
  updatePrivacyRequest(id: string, patch: Partial<Omit<PrivacyRequest, 'id'>>): Promise<PrivacyRequest | null>;
  /**
   * Claims one unfinished request (pending, or running with an expired lease) for `leaseOwner`
   * until `leaseUntil`, with a single conditional update. Returns null when none is claimable.
   */
  claimPrivacyRequest(options: { kind?: PrivacyRequestKind; id?: string; leaseOwner: string; now: string; leaseUntil: string }): Promise<PrivacyRequest | null>;
  listExpiredExports(now: string): Promise<PrivacyRequest[]>;
  deletePrivacyRequestsByOwner(ownerId: string, exceptId?: string): Promise<number>;

  // consents
  insertConsent(consent: ConsentRecord): Promise<void>;
  listConsents(ownerId: string): Promise<ConsentRecord[]>;
  deleteConsentsByOwner(ownerId: string): Promise<number>;

  // revoked sessions (signed-out local sessions, refused by every instance until they expire)
  /**
   * Records that session `sid` was ended; a second call for the same sid is a no-op. No owner is
   * kept, only the id and its expiry (ISO time). Revocations expired by `now` are purged here.
   */
  revokeSession(sid: string, expiresAt: string, now?: Date): Promise<void>;
  isSessionRevoked(sid: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/** The outcome of checking a webhook delivery's signature over its exact raw body. */
export type WebhookVerification<E> =
  /** Signed by the provider. `event` is null for a type we do not act on. */
  | { status: 'verified'; id: string; type: string; event: E | null }
  /** Missing, forged, or outside the provider's time tolerance: the caller's fault (400). */
  | { status: 'refused'; reason: string }
  /** The provider is configured but we have no secret to check with: our fault (500). */
  | { status: 'unconfigured'; reason: string }
  /** The provider is not in use on this server (embedded default): nothing to deliver to (404). */
  | { status: 'disabled'; reason: string };

// ---------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------

export interface SessionIdentity {
  userId: string;
  email: string | null;
  name: string | null;
}

/** A change at the identity provider that our records follow. */
export type IdentityEvent =
  | { type: 'user.created' | 'user.updated'; userId: string; email: string | null; name: string | null }
  | { type: 'user.deleted'; userId: string };

export interface Identity extends Adapter {
  /** 'local' renders our passwordless sign-in; 'clerk' renders Clerk's components. */
  readonly kind: 'local' | 'clerk';
  /** Reads the signed-in identity from a request, or null. Never throws for a bad token. */
  authenticate(request: Request): Promise<SessionIdentity | null>;
  /** Removes the account at the identity provider (idempotent: a missing account is success). */
  deleteAccount(userId: string): Promise<void>;
  /**
   * Ends the request's session at the provider when there is one (never throws: a provider
   * failure is logged and the person is signed out here anyway). Returns the cookies to clear.
   */
  signOut(request: Request): Promise<{ clearCookies: string[] }>;
  /** The provider's email and name for a user, or null when it has none or cannot be reached. */
  profile(userId: string): Promise<{ email: string | null; name: string | null } | null>;
  /** Verifies a provider webhook (reads the request body). */
  verifyWebhook(request: Request): Promise<WebhookVerification<IdentityEvent>>;
}

// ---------------------------------------------------------------------------
// Billing
// ---------------------------------------------------------------------------

export interface CheckoutRequest {
  /** The billing customer of the user (created once, kept on the user record). */
  customerId: string;
  userId: string;
  plan: PaidPlanId;
  successUrl: string;
  cancelUrl: string;
}

/** A Checkout Session and its subscription as the provider has them now. */
export interface CheckoutSnapshot {
  session: CheckoutSessionObject;
  subscription: SubscriptionObject | null;
}

export interface Billing extends Adapter {
  /** 'local' is test billing that never charges anyone. */
  readonly kind: 'local' | 'stripe';
  /** The recurring price id of each paid plan; events name prices, and this maps them back to plans. */
  readonly prices: Readonly<Record<PaidPlanId, string>>;
  /** Creates the billing customer for a user. Called once per user; the id is kept on the user record. */
  createCustomer(user: Pick<UserRecord, 'id' | 'email' | 'name'>): Promise<string>;
  /** Returns the URL to send the person to (Stripe Checkout, or the local confirmation page). */
  createCheckout(request: CheckoutRequest): Promise<{ url: string }>;
  /** Where a customer manages or cancels their subscription. */
  createPortal(options: { customerId: string; returnUrl: string }): Promise<{ url: string }>;
  /** The session and its subscription, to confirm a payment whose webhook is late; null when unknown. */
  retrieveCheckout(sessionId: string): Promise<CheckoutSnapshot | null>;
  /** Cancels any subscription and removes the customer (idempotent: a missing customer is success). */
  deleteCustomer(user: UserRecord): Promise<void>;
  /** Checks a webhook's signature over the exact raw body and returns the event when it is one we act on. */
  verifyWebhook(rawBody: string, signature: string | null): WebhookVerification<BillingEvent>;
}
