/**
 * The embedded Store: SQLite through Node's built-in `node:sqlite`, one file under DATA_DIR.
 * Tables mirror the Mongo collections. node:sqlite is synchronous, so every statement here is
 * atomic with respect to the event loop, and SQLite itself serialises writers across processes.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type {
  ConsentRecord,
  ImagePage,
  ImageRecord,
  NewUser,
  PrivacyRequest,
  RateLimitResult,
  Store,
  UsageRecord,
  UserPatch,
  UserRecord,
} from '../../ports.ts';
import { isPlanId } from '../../domain/plans.ts';
import type { StyleId } from '../../domain/styles.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

export interface SqliteStoreOptions {
  /** Path of the database file, or ':memory:'. */
  file: string;
}

/** Schema migrations, applied in order; `PRAGMA user_version` records how many ran. */
const MIGRATIONS: string[] = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     email TEXT NOT NULL,
     name TEXT NOT NULL,
     plan TEXT NOT NULL DEFAULT 'free',
     stripe_customer_id TEXT,
     subscription TEXT,
     marketing_opt_in INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX users_email ON users(email);
   CREATE UNIQUE INDEX users_customer ON users(stripe_customer_id) WHERE stripe_customer_id IS NOT NULL;
   CREATE TABLE images (
     id TEXT PRIMARY KEY,
     owner_id TEXT NOT NULL,
     key TEXT NOT NULL,
     thumb_key TEXT NOT NULL,
     prompt TEXT NOT NULL,
     negative_prompt TEXT,
     model TEXT NOT NULL,
     width INTEGER NOT NULL,
     height INTEGER NOT NULL,
     seed INTEGER NOT NULL,
     steps INTEGER NOT NULL,
     guidance REAL,
     style TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     mime TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE INDEX images_owner_newest ON images(owner_id, created_at DESC, id DESC);
   CREATE TABLE usage (
     owner_id TEXT NOT NULL,
     period TEXT NOT NULL,
     count INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (owner_id, period)
   );
   CREATE TABLE events (
     id TEXT PRIMARY KEY,
     source TEXT NOT NULL,
     owner_id TEXT,
     created_at TEXT NOT NULL
   );
   CREATE INDEX events_owner ON events(owner_id);
   CREATE TABLE rate_limits (
     key TEXT NOT NULL,
     window_start INTEGER NOT NULL,
     count INTEGER NOT NULL,
     PRIMARY KEY (key, window_start)
   );
   CREATE TABLE privacy_requests (
     id TEXT PRIMARY KEY,
     owner_id TEXT,
     kind TEXT NOT NULL,
     status TEXT NOT NULL,
     doc TEXT NOT NULL,
     lease_until TEXT,
     created_at TEXT NOT NULL
   );
   CREATE INDEX privacy_requests_status ON privacy_requests(status, kind);
   CREATE INDEX privacy_requests_owner ON privacy_requests(owner_id, created_at DESC);
   CREATE TABLE consents (
     id TEXT PRIMARY KEY,
     owner_id TEXT NOT NULL,
     doc TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE INDEX consents_owner ON consents(owner_id, created_at);`,
  // 2: signed-out sessions. No owner column: only the session id and when it would have expired.
  `CREATE TABLE revoked_sessions (
     sid TEXT PRIMARY KEY,
     expires_at TEXT NOT NULL
   );
   CREATE INDEX revoked_sessions_expiry ON revoked_sessions(expires_at);`,
];

type Row = Record<string, SQLInputValue>;

function str(row: Row, key: string): string {
  return String(row[key]);
}

function nullableStr(row: Row, key: string): string | null {
  const v = row[key];
  return v === null || v === undefined ? null : String(v);
}

function toUser(row: Row): UserRecord {
  const plan = str(row, 'plan');
  const subscription = nullableStr(row, 'subscription');
  return {
    id: str(row, 'id'),
    email: str(row, 'email'),
    name: str(row, 'name'),
    plan: isPlanId(plan) ? plan : 'free',
    stripeCustomerId: nullableStr(row, 'stripe_customer_id'),
    subscription: subscription ? (JSON.parse(subscription) as UserRecord['subscription']) : null,
    marketingOptIn: Number(row.marketing_opt_in) === 1,
    createdAt: str(row, 'created_at'),
    updatedAt: str(row, 'updated_at'),
  };
}

function toImage(row: Row): ImageRecord {
  const guidance = row.guidance;
  return {
    id: str(row, 'id'),
    ownerId: str(row, 'owner_id'),
    key: str(row, 'key'),
    thumbKey: str(row, 'thumb_key'),
    prompt: str(row, 'prompt'),
    negativePrompt: nullableStr(row, 'negative_prompt'),
    model: str(row, 'model'),
    width: Number(row.width),
    height: Number(row.height),
    seed: Number(row.seed),
    steps: Number(row.steps),
    guidance: guidance === null || guidance === undefined ? null : Number(guidance),
    style: str(row, 'style') as StyleId,
    bytes: Number(row.bytes),
    mime: str(row, 'mime'),
    createdAt: str(row, 'created_at'),
  };
}

function toRequest(row: Row): PrivacyRequest {
  return JSON.parse(str(row, 'doc')) as PrivacyRequest;
}

export function createSqliteStore(options: SqliteStoreOptions): Store {
  if (options.file !== ':memory:') mkdirSync(path.dirname(options.file), { recursive: true });
  const db = new DatabaseSync(options.file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');

  const all = (sql: string, ...params: SQLInputValue[]): Row[] => db.prepare(sql).all(...params) as Row[];
  const one = (sql: string, ...params: SQLInputValue[]): Row | undefined => db.prepare(sql).get(...params) as Row | undefined;
  const run = (sql: string, ...params: SQLInputValue[]): number => Number(db.prepare(sql).run(...params).changes);

  function writeRequest(request: PrivacyRequest): void {
    run(
      `INSERT INTO privacy_requests (id, owner_id, kind, status, doc, lease_until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET owner_id = excluded.owner_id, status = excluded.status, doc = excluded.doc, lease_until = excluded.lease_until`,
      request.id,
      request.ownerId,
      request.kind,
      request.status,
      JSON.stringify(request),
      request.leaseUntil,
      request.createdAt,
    );
  }

  const store: Store = {
    name: 'sqlite',

    async init() {
      const version = Number((one('PRAGMA user_version') ?? {}).user_version ?? 0);
      for (let i = version; i < MIGRATIONS.length; i++) {
        db.exec('BEGIN IMMEDIATE');
        try {
          db.exec(MIGRATIONS[i]!);
          db.exec(`PRAGMA user_version = ${i + 1}`);
          db.exec('COMMIT');
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      }
    },

    async dispose() {
      if (db.isOpen) db.close();
    },

    async createUser(user: NewUser) {
      const now = new Date().toISOString();
      run(
        `INSERT INTO users (id, email, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
        user.id,
        user.email,
        user.name,
        now,
        now,
      );
      return toUser(one('SELECT * FROM users WHERE id = ?', user.id)!);
    },

    async getUser(id) {
      const row = one('SELECT * FROM users WHERE id = ?', id);
      return row ? toUser(row) : null;
    },

    async findUserByEmail(email) {
      const row = one('SELECT * FROM users WHERE email = ? ORDER BY created_at LIMIT 1', email);
      return row ? toUser(row) : null;
    },

    async findUserByCustomer(customerId) {
      const row = one('SELECT * FROM users WHERE stripe_customer_id = ?', customerId);
      return row ? toUser(row) : null;
    },

    async updateUser(id, patch: UserPatch) {
      const sets: string[] = [];
      const values: SQLInputValue[] = [];
      if (patch.email !== undefined) (sets.push('email = ?'), values.push(patch.email));
      if (patch.name !== undefined) (sets.push('name = ?'), values.push(patch.name));
      if (patch.plan !== undefined) (sets.push('plan = ?'), values.push(patch.plan));
      if (patch.stripeCustomerId !== undefined) (sets.push('stripe_customer_id = ?'), values.push(patch.stripeCustomerId));
      if (patch.subscription !== undefined) (sets.push('subscription = ?'), values.push(patch.subscription ? JSON.stringify(patch.subscription) : null));
      if (patch.marketingOptIn !== undefined) (sets.push('marketing_opt_in = ?'), values.push(patch.marketingOptIn ? 1 : 0));
      sets.push('updated_at = ?');
      values.push(new Date().toISOString());
      run(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`, ...values, id);
      return store.getUser(id);
    },

    async deleteUser(id) {
      return run('DELETE FROM users WHERE id = ?', id);
    },

    async insertImage(image) {
      run(
        `INSERT INTO images (id, owner_id, key, thumb_key, prompt, negative_prompt, model, width, height, seed, steps, guidance, style, bytes, mime, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        image.id,
        image.ownerId,
        image.key,
        image.thumbKey,
        image.prompt,
        image.negativePrompt,
        image.model,
        image.width,
        image.height,
        image.seed,
        image.steps,
        image.guidance,
        image.style,
        image.bytes,
        image.mime,
        image.createdAt,
      );
    },

    async getImage(ownerId, id) {
      const row = one('SELECT * FROM images WHERE id = ? AND owner_id = ?', id, ownerId);
      return row ? toImage(row) : null;
    },

    async listImages(ownerId, { limit, cursor }): Promise<ImagePage> {
      const after = decodeCursor(cursor);
      const rows = after
        ? all(
            // A row-value comparison is an index range; the equivalent OR walked every newer row first.
            `SELECT * FROM images WHERE owner_id = ? AND (created_at, id) < (?, ?)
             ORDER BY created_at DESC, id DESC LIMIT ?`,
            ownerId,
            after.createdAt,
            after.id,
            limit + 1,
          )
        : all('SELECT * FROM images WHERE owner_id = ? ORDER BY created_at DESC, id DESC LIMIT ?', ownerId, limit + 1);
      const items = rows.slice(0, limit).map(toImage);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },

    async deleteImage(ownerId, id) {
      return run('DELETE FROM images WHERE id = ? AND owner_id = ?', id, ownerId) > 0;
    },

    async countImages(ownerId) {
      return Number(one('SELECT COUNT(*) AS n FROM images WHERE owner_id = ?', ownerId)?.n ?? 0);
    },

    async deleteImagesByOwner(ownerId) {
      return run('DELETE FROM images WHERE owner_id = ?', ownerId);
    },

    async reserveUsage(ownerId, period, amount, limit) {
      // One conditional upsert: the row is created or incremented only while it stays within the limit.
      if (amount > limit) return false;
      const changed = run(
        `INSERT INTO usage (owner_id, period, count) VALUES (?, ?, ?)
         ON CONFLICT(owner_id, period) DO UPDATE SET count = count + excluded.count WHERE count + excluded.count <= ?`,
        ownerId,
        period,
        amount,
        limit,
      );
      return changed > 0;
    },

    async releaseUsage(ownerId, period, amount) {
      run('UPDATE usage SET count = MAX(count - ?, 0) WHERE owner_id = ? AND period = ?', amount, ownerId, period);
    },

    async getUsage(ownerId, period) {
      return Number(one('SELECT count FROM usage WHERE owner_id = ? AND period = ?', ownerId, period)?.count ?? 0);
    },

    async listUsage(ownerId): Promise<UsageRecord[]> {
      return all('SELECT * FROM usage WHERE owner_id = ? ORDER BY period', ownerId).map((r) => ({
        ownerId: str(r, 'owner_id'),
        period: str(r, 'period'),
        count: Number(r.count),
      }));
    },

    async deleteUsageByOwner(ownerId) {
      return run('DELETE FROM usage WHERE owner_id = ?', ownerId);
    },

    async markEventProcessed(id, source, ownerId = null) {
      return run('INSERT INTO events (id, source, owner_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING', id, source, ownerId, new Date().toISOString()) > 0;
    },

    async unmarkEvent(id) {
      run('DELETE FROM events WHERE id = ?', id);
    },

    async deleteEventsByOwner(ownerId) {
      return run('DELETE FROM events WHERE owner_id = ?', ownerId);
    },

    async hitRateLimit(key, windowSeconds, max, now = new Date()): Promise<RateLimitResult> {
      const windowMs = windowSeconds * 1000;
      const windowStart = Math.floor(now.getTime() / windowMs) * windowMs;
      const row = one(
        `INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
         ON CONFLICT(key, window_start) DO UPDATE SET count = count + 1 RETURNING count`,
        key,
        windowStart,
      );
      // Old windows are dead weight; drop them now and then rather than on every hit.
      if (Math.random() < 0.01) run('DELETE FROM rate_limits WHERE window_start < ?', windowStart - windowMs);
      const count = Number(row?.count ?? 1);
      return count <= max
        ? { allowed: true, retryAfter: 0 }
        : { allowed: false, retryAfter: Math.max(1, Math.ceil((windowStart + windowMs - now.getTime()) / 1000)) };
    },

    async insertPrivacyRequest(request) {
      writeRequest(request);
    },

    async getPrivacyRequest(id) {
      const row = one('SELECT doc FROM privacy_requests WHERE id = ?', id);
      return row ? toRequest(row) : null;
    },

    async listPrivacyRequests(ownerId) {
      return all('SELECT doc FROM privacy_requests WHERE owner_id = ? ORDER BY created_at DESC', ownerId).map(toRequest);
    },

    async updatePrivacyRequest(id, patch) {
      const current = await store.getPrivacyRequest(id);
      if (!current) return null;
      const next: PrivacyRequest = { ...current, ...patch, id, updatedAt: new Date().toISOString() };
      writeRequest(next);
      return next;
    },

    async claimPrivacyRequest({ kind, id, leaseOwner, now, leaseUntil }) {
      const filters = [`(status = 'pending' OR (status = 'running' AND (lease_until IS NULL OR lease_until < ?)))`];
      const params: SQLInputValue[] = [now];
      if (kind) (filters.push('kind = ?'), params.push(kind));
      if (id) (filters.push('id = ?'), params.push(id));
      const candidate = one(`SELECT doc FROM privacy_requests WHERE ${filters.join(' AND ')} ORDER BY created_at LIMIT 1`, ...params);
      if (!candidate) return null;
      const request = toRequest(candidate);
      const claimed: PrivacyRequest = { ...request, status: 'running', leaseOwner, leaseUntil, attempts: request.attempts + 1, updatedAt: now };
      // The claim only lands if nobody else claimed it since we read it (same status and lease).
      const changed = run(
        `UPDATE privacy_requests SET status = 'running', lease_until = ?, doc = ?
         WHERE id = ? AND status = ? AND lease_until IS ?`,
        leaseUntil,
        JSON.stringify(claimed),
        request.id,
        request.status,
        request.leaseUntil,
      );
      return changed > 0 ? claimed : null;
    },

    async listExpiredExports(now) {
      return all(`SELECT doc FROM privacy_requests WHERE kind = 'export' AND status = 'done'`)
        .map(toRequest)
        .filter((r) => r.expiresAt !== null && r.expiresAt < now && r.artifactKey !== null);
    },

    async deletePrivacyRequestsByOwner(ownerId, exceptId) {
      return exceptId
        ? run('DELETE FROM privacy_requests WHERE owner_id = ? AND id != ?', ownerId, exceptId)
        : run('DELETE FROM privacy_requests WHERE owner_id = ?', ownerId);
    },

    async insertConsent(consent: ConsentRecord) {
      run('INSERT INTO consents (id, owner_id, doc, created_at) VALUES (?, ?, ?, ?)', consent.id, consent.ownerId, JSON.stringify(consent), consent.createdAt);
    },

    async listConsents(ownerId) {
      return all('SELECT doc FROM consents WHERE owner_id = ? ORDER BY created_at', ownerId).map((r) => JSON.parse(str(r, 'doc')) as ConsentRecord);
    },

    async deleteConsentsByOwner(ownerId) {
      return run('DELETE FROM consents WHERE owner_id = ?', ownerId);
    },

    async revokeSession(sid, expiresAt, now = new Date()) {
      // Sign-outs are rare, so each one sweeps revocations whose tokens have expired anyway.
      run('DELETE FROM revoked_sessions WHERE expires_at < ?', now.toISOString());
      run('INSERT INTO revoked_sessions (sid, expires_at) VALUES (?, ?) ON CONFLICT(sid) DO NOTHING', sid, expiresAt);
    },

    async isSessionRevoked(sid) {
      return one('SELECT 1 AS revoked FROM revoked_sessions WHERE sid = ?', sid) !== undefined;
    },
  };
  return store;
}
