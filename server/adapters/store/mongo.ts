/**
 * The MongoDB Store, on the official driver. One MongoClient per store (the app makes one
 * store per process), closed in dispose(). No multi-document transactions, and nothing FerretDB
 * 1.x lacks ($lookup, $facet, $addFields, nested arrays, dots or `$` in keys), so the same code
 * runs on MongoDB and on the FerretDB peer the tests use.
 *
 * Why the counters are ledgers: FerretDB 1.x applies every update as read → change in Go →
 * write the whole document back by id (`internal/backends/sqlite/collection.go`, UpdateAll),
 * so a conditional update such as `findOneAndUpdate({count: {$lte: 4}}, {$inc: {count: 1}})`
 * is not atomic there: twenty concurrent reservations against a limit of 5 let 19 through.
 * What every MongoDB-compatible server does refuse atomically is a second document with the
 * same `_id`. So usage, rate-limit windows and privacy-request claims are append-only ledgers
 * whose `_id` ends in a sequence number: a writer reads the head and inserts head + 1, and a
 * duplicate-key error means someone else moved first, so it reads again. Each decision is one
 * single-document insert — atomic on MongoDB and on FerretDB alike.
 * @see https://www.mongodb.com/docs/drivers/node/current/
 */
import { MongoClient, MongoServerError, type Collection, type Filter } from 'mongodb';
import type {
  ConsentRecord,
  ImagePage,
  ImageRecord,
  PrivacyRequest,
  RateLimitResult,
  Store,
  Subscription,
  UsageRecord,
  UserPatch,
  UserRecord,
} from '../../ports.ts';
import { AppError } from '../../domain/errors.ts';
import { isPlanId } from '../../domain/plans.ts';
import type { StyleId } from '../../domain/styles.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

export interface MongoStoreOptions {
  /** A `mongodb://` or `mongodb+srv://` connection string. */
  uri: string;
  /** Database name. */
  db: string;
  /**
   * How long to wait for a server before an operation fails.
   * @default 10000
   */
  serverSelectionTimeoutMS?: number;
}

interface UserDoc {
  _id: string;
  email: string;
  name: string;
  plan: string;
  stripeCustomerId: string | null;
  subscription: Subscription | null;
  marketingOptIn: boolean;
  createdAt: string;
  updatedAt: string;
}

type ImageDoc = Omit<ImageRecord, 'id'> & { _id: string };
/** One entry of an owner's usage ledger for a period; the highest `seq` holds the count. */
interface UsageDoc {
  _id: string;
  ownerId: string;
  period: string;
  seq: number;
  count: number;
}
interface EventDoc {
  _id: string;
  source: string;
  ownerId: string | null;
  createdAt: string;
}
/** The n-th allowed hit in a rate-limit window. */
interface HitDoc {
  _id: string;
  key: string;
  windowStart: number;
  n: number;
}
/** The ticket for attempt `attempt` at a privacy request; only one claimer can insert it. */
interface ClaimDoc {
  _id: string;
  requestId: string;
  ownerId: string | null;
  attempt: number;
  leaseOwner: string;
  leaseUntil: string;
}
type RequestDoc = Omit<PrivacyRequest, 'id'> & { _id: string };
type ConsentDoc = Omit<ConsentRecord, 'id'> & { _id: string };
/** A signed-out session: `_id` is the session id; no owner is kept. */
interface RevokedSessionDoc {
  _id: string;
  expiresAt: string;
}

const DUPLICATE_KEY = 11000;
/** Ledger appends retried this often lose to a storm of concurrent writers; give up politely. */
const MAX_APPENDS = 200;
/** Tickets past an expired one that a claimer will try before leaving the request alone. */
const MAX_TICKET_SKIPS = 10;

const INDEXES: Array<[collection: string, key: Record<string, 1 | -1>, name: string, unique?: boolean]> = [
  ['users', { email: 1, createdAt: 1 }, 'users_email'],
  ['users', { stripeCustomerId: 1 }, 'users_customer'],
  ['images', { ownerId: 1, createdAt: -1, _id: -1 }, 'images_owner_newest'],
  ['usage', { ownerId: 1, period: 1, seq: -1 }, 'usage_owner_period', true],
  ['events', { ownerId: 1 }, 'events_owner'],
  ['rate_limits', { key: 1, windowStart: 1, n: -1 }, 'rate_limits_window', true],
  ['privacy_requests', { status: 1, kind: 1, createdAt: 1 }, 'privacy_requests_status'],
  ['privacy_requests', { ownerId: 1, createdAt: -1 }, 'privacy_requests_owner'],
  ['privacy_claims', { ownerId: 1 }, 'privacy_claims_owner'],
  ['consents', { ownerId: 1, createdAt: 1 }, 'consents_owner'],
  ['revoked_sessions', { expiresAt: 1 }, 'revoked_sessions_expiry'],
];

const busy = () =>
  new AppError('Conflict', 'ledger append lost too many races', { userMessage: 'Too many requests arrived at once. Wait a moment and try again.' });

/** The period before `period` ('YYYY-MM'). */
function previousPeriod(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(year, month - 2, 1));
  return d.toISOString().slice(0, 7);
}

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/** Drops keys whose value is undefined, so a patch never writes `null` by accident. */
function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function toUser(doc: UserDoc): UserRecord {
  return {
    id: doc._id,
    email: doc.email,
    name: doc.name,
    plan: isPlanId(doc.plan) ? doc.plan : 'free',
    stripeCustomerId: doc.stripeCustomerId ?? null,
    subscription: doc.subscription ?? null,
    marketingOptIn: doc.marketingOptIn === true,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function toImage({ _id, ...rest }: ImageDoc): ImageRecord {
  return {
    id: _id,
    ownerId: rest.ownerId,
    key: rest.key,
    thumbKey: rest.thumbKey,
    prompt: rest.prompt,
    negativePrompt: rest.negativePrompt ?? null,
    model: rest.model,
    width: rest.width,
    height: rest.height,
    seed: rest.seed,
    steps: rest.steps,
    guidance: rest.guidance ?? null,
    style: rest.style as StyleId,
    bytes: rest.bytes,
    mime: rest.mime,
    createdAt: rest.createdAt,
  };
}

function toRequest({ _id, ...rest }: RequestDoc): PrivacyRequest {
  return {
    id: _id,
    ownerId: rest.ownerId ?? null,
    kind: rest.kind,
    status: rest.status,
    steps: rest.steps ?? {},
    attempts: rest.attempts ?? 0,
    lastError: rest.lastError ?? null,
    artifactKey: rest.artifactKey ?? null,
    artifactBytes: rest.artifactBytes ?? null,
    expiresAt: rest.expiresAt ?? null,
    leaseOwner: rest.leaseOwner ?? null,
    leaseUntil: rest.leaseUntil ?? null,
    createdAt: rest.createdAt,
    updatedAt: rest.updatedAt,
    finishedAt: rest.finishedAt ?? null,
  };
}

function toConsent({ _id, ...rest }: ConsentDoc): ConsentRecord {
  return { id: _id, ownerId: rest.ownerId, categories: rest.categories, policyVersion: rest.policyVersion, source: rest.source, createdAt: rest.createdAt };
}

/** Creates the MongoDB Store (used when MONGODB_URI is set). Connects lazily on first use. */
export function createMongoStore(options: MongoStoreOptions): Store {
  const client = new MongoClient(options.uri, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
    // An optional field left undefined is left out, rather than stored as null.
    ignoreUndefined: true,
  });
  const db = client.db(options.db);
  const users: Collection<UserDoc> = db.collection('users');
  const images: Collection<ImageDoc> = db.collection('images');
  const usage: Collection<UsageDoc> = db.collection('usage');
  const events: Collection<EventDoc> = db.collection('events');
  const rateLimits: Collection<HitDoc> = db.collection('rate_limits');
  const requests: Collection<RequestDoc> = db.collection('privacy_requests');
  const claims: Collection<ClaimDoc> = db.collection('privacy_claims');
  const consents: Collection<ConsentDoc> = db.collection('consents');
  const revokedSessions: Collection<RevokedSessionDoc> = db.collection('revoked_sessions');

  /** Inserts a document, resolving false when its `_id` is taken (someone else won). */
  async function insertFirst<T extends { _id: string }>(collection: Collection<T>, doc: T): Promise<boolean> {
    try {
      await collection.insertOne(doc as Parameters<Collection<T>['insertOne']>[0]);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async function usageHead(ownerId: string, period: string): Promise<UsageDoc | null> {
    return usage.find({ ownerId, period }).sort({ seq: -1 }).limit(1).next();
  }

  /**
   * Appends the next usage entry computed from the head, retrying when another writer took
   * the sequence number. `next` returns the new count, or null to change nothing.
   */
  async function appendUsage(ownerId: string, period: string, next: (count: number) => number | null): Promise<boolean> {
    for (let i = 0; i < MAX_APPENDS; i++) {
      const head = await usageHead(ownerId, period);
      const count = next(head?.count ?? 0);
      if (count === null) return false;
      const seq = (head?.seq ?? 0) + 1;
      if (await insertFirst(usage, { _id: `${ownerId}|${period}|${seq}`, ownerId, period, seq, count })) {
        if (!head) await compactUsage(ownerId, period);
        return true;
      }
    }
    throw busy();
  }

  /**
   * Drops superseded entries of periods before last month (kept: each period's head). Only
   * periods nobody writes any more are touched, so no writer can re-take a freed sequence number.
   */
  async function compactUsage(ownerId: string, period: string): Promise<void> {
    const settled = await usage
      .find({ ownerId, period: { $lt: previousPeriod(period) } }, { projection: { period: 1, seq: 1 } })
      .sort({ period: 1, seq: -1 })
      .toArray();
    const heads = new Map<string, number>();
    for (const entry of settled) if (!heads.has(entry.period)) heads.set(entry.period, entry.seq);
    for (const [p, seq] of heads) await usage.deleteMany({ ownerId, period: p, seq: { $lt: seq } });
  }

  async function upsertRequest(request: PrivacyRequest): Promise<void> {
    const { id, ...rest } = request;
    await requests.replaceOne({ _id: id }, rest, { upsert: true });
  }

  const store: Store = {
    name: 'mongo',

    async init() {
      // One index per call, one call at a time: FerretDB 1.24 drops the connection when a
      // createIndexes with several specs meets indexes that already exist.
      for (const [collection, key, name, unique] of INDEXES) {
        await db.collection(collection).createIndex(key, { name, ...(unique ? { unique } : {}) });
      }
    },

    async dispose() {
      await client.close();
    },

    // users ------------------------------------------------------------------

    async createUser(user) {
      const now = new Date().toISOString();
      try {
        await users.insertOne({ _id: user.id, email: user.email, name: user.name, plan: 'free', stripeCustomerId: null, subscription: null, marketingOptIn: false, createdAt: now, updatedAt: now });
      } catch (error) {
        // Creating an existing user is a no-op, like the SQL `ON CONFLICT DO NOTHING`.
        if (!isDuplicateKey(error)) throw error;
      }
      const doc = await users.findOne({ _id: user.id });
      if (!doc) throw new Error(`user '${user.id}' vanished right after it was created`);
      return toUser(doc);
    },

    async getUser(id) {
      const doc = await users.findOne({ _id: id });
      return doc ? toUser(doc) : null;
    },

    async findUserByEmail(email) {
      const doc = await users.find({ email }).sort({ createdAt: 1 }).limit(1).next();
      return doc ? toUser(doc) : null;
    },

    async findUserByCustomer(customerId) {
      const doc = await users.findOne({ stripeCustomerId: customerId });
      return doc ? toUser(doc) : null;
    },

    async updateUser(id, patch: UserPatch) {
      const doc = await users.findOneAndUpdate({ _id: id }, { $set: { ...defined(patch), updatedAt: new Date().toISOString() } }, { returnDocument: 'after' });
      return doc ? toUser(doc) : null;
    },

    async deleteUser(id) {
      return (await users.deleteOne({ _id: id })).deletedCount;
    },

    // images -----------------------------------------------------------------

    async insertImage(image) {
      const { id, ...rest } = image;
      await images.insertOne({ _id: id, ...rest });
    },

    async getImage(ownerId, id) {
      const doc = await images.findOne({ _id: id, ownerId });
      return doc ? toImage(doc) : null;
    },

    async listImages(ownerId, { limit, cursor }): Promise<ImagePage> {
      const after = decodeCursor(cursor);
      const filter: Filter<ImageDoc> = after
        ? // The top-level bound on createdAt gives the index scan a start, whatever the planner does with $or.
          { ownerId, createdAt: { $lte: after.createdAt }, $or: [{ createdAt: { $lt: after.createdAt } }, { _id: { $lt: after.id } }] }
        : { ownerId };
      const docs = await images.find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit + 1).toArray();
      const items = docs.slice(0, limit).map(toImage);
      const last = items.at(-1);
      return { items, nextCursor: docs.length > limit && last ? encodeCursor(last) : null };
    },

    async deleteImage(ownerId, id) {
      return (await images.deleteOne({ _id: id, ownerId })).deletedCount > 0;
    },

    async countImages(ownerId) {
      return images.countDocuments({ ownerId });
    },

    async deleteImagesByOwner(ownerId) {
      return (await images.deleteMany({ ownerId })).deletedCount;
    },

    // usage ------------------------------------------------------------------

    async reserveUsage(ownerId, period, amount, limit) {
      if (amount > limit) return false;
      return appendUsage(ownerId, period, (count) => (count + amount <= limit ? count + amount : null));
    },

    async releaseUsage(ownerId, period, amount) {
      await appendUsage(ownerId, period, (count) => (count > 0 ? Math.max(0, count - amount) : null));
    },

    async getUsage(ownerId, period) {
      return (await usageHead(ownerId, period))?.count ?? 0;
    },

    async listUsage(ownerId): Promise<UsageRecord[]> {
      const entries = await usage.find({ ownerId }).sort({ period: 1, seq: -1 }).toArray();
      const heads = new Map<string, number>();
      for (const entry of entries) if (!heads.has(entry.period)) heads.set(entry.period, entry.count);
      return [...heads].map(([period, count]) => ({ ownerId, period, count }));
    },

    async deleteUsageByOwner(ownerId) {
      // Counted in months, like one row per month elsewhere, not in ledger entries.
      const months = (await store.listUsage(ownerId)).length;
      await usage.deleteMany({ ownerId });
      return months;
    },

    // events -----------------------------------------------------------------

    async markEventProcessed(id, source, ownerId = null) {
      try {
        await events.insertOne({ _id: id, source, ownerId, createdAt: new Date().toISOString() });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },

    async unmarkEvent(id) {
      await events.deleteOne({ _id: id });
    },

    async deleteEventsByOwner(ownerId) {
      return (await events.deleteMany({ ownerId })).deletedCount;
    },

    // rate limits ------------------------------------------------------------

    async hitRateLimit(key, windowSeconds, max, now = new Date()): Promise<RateLimitResult> {
      const windowMs = windowSeconds * 1000;
      const windowStart = Math.floor(now.getTime() / windowMs) * windowMs;
      const refused = { allowed: false, retryAfter: Math.max(1, Math.ceil((windowStart + windowMs - now.getTime()) / 1000)) };
      // Old windows are dead weight; drop them now and then rather than on every hit.
      if (Math.random() < 0.01) await rateLimits.deleteMany({ windowStart: { $lt: windowStart - windowMs } });
      for (let i = 0; i < MAX_APPENDS; i++) {
        const head = await rateLimits.find({ key, windowStart }).sort({ n: -1 }).limit(1).next();
        const n = (head?.n ?? 0) + 1;
        if (n > max) return refused;
        if (await insertFirst(rateLimits, { _id: `${key}|${windowStart}|${n}`, key, windowStart, n })) return { allowed: true, retryAfter: 0 };
      }
      return refused;
    },

    // privacy requests -------------------------------------------------------

    async insertPrivacyRequest(request) {
      await upsertRequest(request);
    },

    async getPrivacyRequest(id) {
      const doc = await requests.findOne({ _id: id });
      return doc ? toRequest(doc) : null;
    },

    async listPrivacyRequests(ownerId) {
      return (await requests.find({ ownerId }).sort({ createdAt: -1 }).toArray()).map(toRequest);
    },

    async updatePrivacyRequest(id, patch) {
      const { id: _ignored, ...fields } = patch as Partial<PrivacyRequest>;
      const doc = await requests.findOneAndUpdate({ _id: id }, { $set: { ...defined(fields), updatedAt: new Date().toISOString() } }, { returnDocument: 'after' });
      return doc ? toRequest(doc) : null;
    },

    async claimPrivacyRequest({ kind, id, leaseOwner, now, leaseUntil }) {
      const filter: Filter<RequestDoc> = {
        $or: [{ status: 'pending' }, { status: 'running', leaseUntil: null }, { status: 'running', leaseUntil: { $lt: now } }],
        ...(kind ? { kind } : {}),
        ...(id ? { _id: id } : {}),
      };
      const candidates = await requests.find(filter).sort({ createdAt: 1 }).limit(20).toArray();
      for (const candidate of candidates) {
        // Whoever inserts the ticket for the next attempt owns the request. A ticket whose lease
        // has run out (its holder crashed before writing the request) is skipped, not waited on.
        for (let attempt = (candidate.attempts ?? 0) + 1, skips = 0; skips <= MAX_TICKET_SKIPS; attempt++, skips++) {
          const ticket: ClaimDoc = { _id: `${candidate._id}#${attempt}`, requestId: candidate._id, ownerId: candidate.ownerId ?? null, attempt, leaseOwner, leaseUntil };
          if (await insertFirst(claims, ticket)) {
            const doc = await requests.findOneAndUpdate(
              { _id: candidate._id, attempts: { $lt: attempt } },
              { $set: { status: 'running', leaseOwner, leaseUntil, attempts: attempt, updatedAt: now } },
              { returnDocument: 'after' },
            );
            if (doc) return toRequest(doc);
            break;
          }
          const holder = await claims.findOne({ _id: ticket._id });
          if (holder && holder.leaseUntil >= now) break;
        }
      }
      return null;
    },

    async listExpiredExports(now) {
      const docs = await requests.find({ kind: 'export', status: 'done', expiresAt: { $lt: now }, artifactKey: { $type: 'string' } }).toArray();
      return docs.map(toRequest);
    },

    async deletePrivacyRequestsByOwner(ownerId, exceptId) {
      await claims.deleteMany(exceptId ? { ownerId, requestId: { $ne: exceptId } } : { ownerId });
      return (await requests.deleteMany(exceptId ? { ownerId, _id: { $ne: exceptId } } : { ownerId })).deletedCount;
    },

    // consents ---------------------------------------------------------------

    async insertConsent(consent) {
      const { id, ...rest } = consent;
      await consents.insertOne({ _id: id, ...rest });
    },

    async listConsents(ownerId) {
      return (await consents.find({ ownerId }).sort({ createdAt: 1, _id: 1 }).toArray()).map(toConsent);
    },

    async deleteConsentsByOwner(ownerId) {
      return (await consents.deleteMany({ ownerId })).deletedCount;
    },

    // revoked sessions -------------------------------------------------------

    async revokeSession(sid, expiresAt, now = new Date()) {
      // Sign-outs are rare, so each one sweeps revocations whose tokens have expired anyway.
      await revokedSessions.deleteMany({ expiresAt: { $lt: now.toISOString() } });
      // A single insert keyed by the sid: a second sign-out with the same cookie is a duplicate key, i.e. done.
      await insertFirst(revokedSessions, { _id: sid, expiresAt });
    },

    async isSessionRevoked(sid) {
      return (await revokedSessions.findOne({ _id: sid }, { projection: { _id: 1 } })) !== null;
    },
  };
  return store;
}
