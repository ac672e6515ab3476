/**
 * The Store contract, written once and run over every implementation (SQLite, MongoDB).
 * Each test gets a fresh, empty store from `create`; `dispose()` must release it (and, for
 * shared servers, drop what the test wrote).
 */
import { randomUUID } from 'node:crypto';
import { newPrivacyRequest } from '../../../server/domain/privacy.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsentRecord, ImageRecord, PrivacyRequest, Store } from '../../../server/ports.ts';

export interface StoreSuiteOptions {
  create: () => Promise<Store>;
}

const owner = () => `user_${randomUUID()}`;

function image(ownerId: string, patch: Partial<ImageRecord> = {}): ImageRecord {
  const id = patch.id ?? randomUUID();
  return {
    id,
    ownerId,
    key: `users/${ownerId}/images/${id}.png`,
    thumbKey: `users/${ownerId}/thumbs/${id}.webp`,
    prompt: 'a lighthouse at dusk',
    negativePrompt: null,
    model: 'sdxl',
    width: 1024,
    height: 1024,
    seed: 42,
    steps: 20,
    guidance: null,
    style: 'none',
    bytes: 1234,
    mime: 'image/png',
    createdAt: '2025-01-15T10:00:00.000Z',
    ...patch,
  };
}

function request(ownerId: string | null, patch: Partial<PrivacyRequest> = {}): PrivacyRequest {
  return { ...newPrivacyRequest({ id: randomUUID(), ownerId, kind: 'export', at: '2025-01-15T10:00:00.000Z' }), ...patch };
}

export function testStore(options: StoreSuiteOptions): void {
  let store: Store;
  beforeEach(async () => {
    store = await options.create();
    await store.init();
  });
  afterEach(async () => store.dispose());

  it('.init() called again on a ready store resolves and keeps the data', async () => {
    const id = owner();
    await store.createUser({ id, email: 'ada@example.com', name: 'Ada' });
    await store.init();
    expect((await store.getUser(id))?.name).toBe('Ada');
  });

  describe('users', () => {
    it('.createUser() resolves to a free-plan user with no billing, no opt-in and ISO times', async () => {
      const id = owner();
      const user = await store.createUser({ id, email: 'ada@example.com', name: 'Ada' });
      expect(user).toMatchObject({ id, email: 'ada@example.com', name: 'Ada', plan: 'free', stripeCustomerId: null, subscription: null, marketingOptIn: false });
      expect(Date.parse(user.createdAt)).not.toBeNaN();
      expect(await store.getUser(id)).toEqual(user);
    });

    it('.createUser() for an existing id keeps the first record', async () => {
      const id = owner();
      const first = await store.createUser({ id, email: 'ada@example.com', name: 'Ada' });
      const second = await store.createUser({ id, email: 'other@example.com', name: 'Other' });
      expect(second).toEqual(first);
    });

    it('.getUser(id) with a missing id resolves to null', async () => {
      expect(await store.getUser(owner())).toBeNull();
    });

    it('.findUserByEmail() resolves to the earliest user with that email, or null', async () => {
      const email = `${randomUUID()}@example.com`;
      const first = await store.createUser({ id: owner(), email, name: 'First' });
      await new Promise((r) => setTimeout(r, 5));
      await store.createUser({ id: owner(), email, name: 'Second' });
      expect((await store.findUserByEmail(email))?.id).toBe(first.id);
      expect(await store.findUserByEmail(`${randomUUID()}@example.com`)).toBeNull();
    });

    it('.updateUser() changes only the given fields, bumps updatedAt, and round-trips the subscription', async () => {
      const id = owner();
      const created = await store.createUser({ id, email: 'ada@example.com', name: 'Ada' });
      await new Promise((r) => setTimeout(r, 5));
      const subscription = { id: 'sub_1', status: 'active', plan: 'plus' as const, currentPeriodEnd: '2025-02-15T00:00:00.000Z', cancelAtPeriodEnd: false, eventCreated: 1736935200 };
      const customer = `cus_${randomUUID()}`;
      const updated = await store.updateUser(id, { plan: 'plus', stripeCustomerId: customer, subscription, marketingOptIn: true });
      expect(updated).toMatchObject({ id, email: 'ada@example.com', name: 'Ada', plan: 'plus', stripeCustomerId: customer, subscription, marketingOptIn: true, createdAt: created.createdAt });
      expect(updated!.updatedAt > created.updatedAt).toBe(true);
      expect((await store.findUserByCustomer(customer))?.id).toBe(id);

      const renamed = await store.updateUser(id, { name: 'Ada L.', subscription: null, stripeCustomerId: null });
      expect(renamed).toMatchObject({ name: 'Ada L.', plan: 'plus', subscription: null, stripeCustomerId: null, marketingOptIn: true });
      expect(await store.findUserByCustomer(customer)).toBeNull();
    });

    it('.updateUser() for a missing id resolves to null', async () => {
      expect(await store.updateUser(owner(), { name: 'Nobody' })).toBeNull();
    });

    it('.deleteUser() resolves to 1, then 0', async () => {
      const id = owner();
      await store.createUser({ id, email: 'ada@example.com', name: 'Ada' });
      expect(await store.deleteUser(id)).toBe(1);
      expect(await store.deleteUser(id)).toBe(0);
      expect(await store.getUser(id)).toBeNull();
    });
  });

  describe('images', () => {
    it('.insertImage() then .getImage() round-trips every field, nulls included', async () => {
      const id = owner();
      const plain = image(id);
      const full = image(id, { negativePrompt: 'blurry', guidance: 7.5, style: 'watercolor', mime: 'image/jpeg', seed: 4_294_967_295 });
      await store.insertImage(plain);
      await store.insertImage(full);
      expect(await store.getImage(id, plain.id)).toEqual(plain);
      expect(await store.getImage(id, full.id)).toEqual(full);
    });

    it('.getImage() with another owner resolves to null, like a missing id', async () => {
      const ada = owner();
      const record = image(ada);
      await store.insertImage(record);
      expect(await store.getImage(owner(), record.id)).toBeNull();
      expect(await store.getImage(ada, randomUUID())).toBeNull();
    });

    it('.listImages() pages newest first, breaks createdAt ties by id, with no gaps or repeats', async () => {
      const ada = owner();
      const records: ImageRecord[] = [];
      // Three images share each timestamp, so the cursor must break ties by id.
      for (let i = 0; i < 12; i++) {
        records.push(image(ada, { id: `img-${String(i).padStart(2, '0')}-${randomUUID()}`, createdAt: `2025-01-15T10:00:0${Math.floor(i / 3)}.000Z` }));
      }
      for (const r of [...records].sort(() => Math.random() - 0.5)) await store.insertImage(r);
      await store.insertImage(image(owner()));

      const expected = [...records].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1)).map((r) => r.id);
      const seen: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<Store['listImages']>> = await store.listImages(ada, { limit: 5, cursor });
        seen.push(...page.items.map((r) => r.id));
        pageSizes.push(page.items.length);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(expected);
      expect(pageSizes).toEqual([5, 5, 2]);
    });

    it('.listImages() on an exact last page resolves with nextCursor null', async () => {
      const ada = owner();
      for (let i = 0; i < 4; i++) await store.insertImage(image(ada, { createdAt: `2025-01-15T10:00:0${i}.000Z` }));
      const first = await store.listImages(ada, { limit: 2 });
      expect(first.nextCursor).not.toBeNull();
      const second = await store.listImages(ada, { limit: 2, cursor: first.nextCursor });
      expect(second.items).toHaveLength(2);
      expect(second.nextCursor).toBeNull();
    });

    it('.listImages() with a cursor it did not issue starts from the newest', async () => {
      const ada = owner();
      await store.insertImage(image(ada));
      const page = await store.listImages(ada, { limit: 10, cursor: 'not-a-cursor' });
      expect(page.items).toHaveLength(1);
    });

    it('.deleteImage() resolves true, then false, and never deletes another owner’s image', async () => {
      const ada = owner();
      const record = image(ada);
      await store.insertImage(record);
      expect(await store.deleteImage(owner(), record.id)).toBe(false);
      expect(await store.getImage(ada, record.id)).not.toBeNull();
      expect(await store.deleteImage(ada, record.id)).toBe(true);
      expect(await store.deleteImage(ada, record.id)).toBe(false);
    });

    it('.countImages() and .deleteImagesByOwner() count only the owner’s images', async () => {
      const ada = owner();
      const bob = owner();
      for (let i = 0; i < 3; i++) await store.insertImage(image(ada));
      await store.insertImage(image(bob));
      expect(await store.countImages(ada)).toBe(3);
      expect(await store.deleteImagesByOwner(ada)).toBe(3);
      expect(await store.countImages(ada)).toBe(0);
      expect(await store.countImages(bob)).toBe(1);
    });
  });

  describe('usage', () => {
    it('.reserveUsage() succeeds up to the limit exactly, then refuses without counting', async () => {
      const ada = owner();
      expect(await store.reserveUsage(ada, '2025-01', 3, 5)).toBe(true);
      expect(await store.reserveUsage(ada, '2025-01', 2, 5)).toBe(true);
      expect(await store.reserveUsage(ada, '2025-01', 1, 5)).toBe(false);
      expect(await store.reserveUsage(ada, '2025-01', 1, 5)).toBe(false);
      expect(await store.getUsage(ada, '2025-01')).toBe(5);
      expect(await store.reserveUsage(ada, '2025-02', 1, 5)).toBe(true);
      expect(await store.getUsage(ada, '2025-02')).toBe(1);
    });

    it('.reserveUsage() of more than the limit on a fresh month refuses and creates nothing', async () => {
      const ada = owner();
      expect(await store.reserveUsage(ada, '2025-01', 6, 5)).toBe(false);
      expect(await store.getUsage(ada, '2025-01')).toBe(0);
      expect(await store.listUsage(ada)).toEqual([]);
    });

    it('.reserveUsage() after a plan upgrade raises the limit for a month already at the old one', async () => {
      const ada = owner();
      expect(await store.reserveUsage(ada, '2025-01', 5, 5)).toBe(true);
      expect(await store.reserveUsage(ada, '2025-01', 1, 5)).toBe(false);
      expect(await store.reserveUsage(ada, '2025-01', 1, 10)).toBe(true);
      expect(await store.getUsage(ada, '2025-01')).toBe(6);
    });

    it('.reserveUsage() ×20 at once against a limit of 5, first reservation included, lets exactly 5 through', async () => {
      const ada = owner();
      const results = await Promise.all(Array.from({ length: 20 }, () => store.reserveUsage(ada, '2025-01', 1, 5)));
      expect(results.filter(Boolean)).toHaveLength(5);
      expect(await store.getUsage(ada, '2025-01')).toBe(5);
      expect(await store.listUsage(ada)).toEqual([{ ownerId: ada, period: '2025-01', count: 5 }]);
    });

    it('.reserveUsage() of 2 ×10 at once against a limit of 5 lets exactly 2 through and never passes the limit', async () => {
      const ada = owner();
      const results = await Promise.all(Array.from({ length: 10 }, () => store.reserveUsage(ada, '2025-01', 2, 5)));
      expect(results.filter(Boolean)).toHaveLength(2);
      expect(await store.getUsage(ada, '2025-01')).toBe(4);
    });

    it('.releaseUsage() gives units back, never below zero, and ignores a month with no usage', async () => {
      const ada = owner();
      await store.reserveUsage(ada, '2025-01', 3, 5);
      await store.releaseUsage(ada, '2025-01', 1);
      expect(await store.getUsage(ada, '2025-01')).toBe(2);
      await store.releaseUsage(ada, '2025-01', 5);
      expect(await store.getUsage(ada, '2025-01')).toBe(0);
      await store.releaseUsage(ada, '2024-12', 1);
      expect(await store.getUsage(ada, '2024-12')).toBe(0);
      expect(await store.reserveUsage(ada, '2025-01', 5, 5)).toBe(true);
    });

    it('.releaseUsage() ×5 at once gives back all 5 units, none lost', async () => {
      const ada = owner();
      await store.reserveUsage(ada, '2025-01', 5, 5);
      await Promise.all(Array.from({ length: 5 }, () => store.releaseUsage(ada, '2025-01', 1)));
      expect(await store.getUsage(ada, '2025-01')).toBe(0);
    });

    it('.reserveUsage() and .releaseUsage() mixed at once never pass the limit and end consistent', async () => {
      const ada = owner();
      await store.reserveUsage(ada, '2025-01', 3, 5);
      const ops = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? store.releaseUsage(ada, '2025-01', 1).then(() => null) : store.reserveUsage(ada, '2025-01', 1, 5)));
      const results = await Promise.all(ops);
      const reserved = results.filter((r) => r === true).length;
      // 3 to start, 4 given back, so at most 6 reservations fit and the count is exact.
      expect(await store.getUsage(ada, '2025-01')).toBe(3 - 4 + reserved);
      expect(3 - 4 + reserved).toBeLessThanOrEqual(5);
    });

    it('.listUsage() keeps each earlier month’s count after later months are used', async () => {
      const ada = owner();
      for (let i = 0; i < 3; i++) await store.reserveUsage(ada, '2024-11', 1, 5);
      await store.releaseUsage(ada, '2024-11', 1);
      await store.reserveUsage(ada, '2024-12', 1, 5);
      await store.reserveUsage(ada, '2025-02', 4, 5);
      expect(await store.listUsage(ada)).toEqual([
        { ownerId: ada, period: '2024-11', count: 2 },
        { ownerId: ada, period: '2024-12', count: 1 },
        { ownerId: ada, period: '2025-02', count: 4 },
      ]);
      expect(await store.getUsage(ada, '2024-11')).toBe(2);
    });

    it('.listUsage() lists the owner’s months in order and .deleteUsageByOwner() removes them, counting months', async () => {
      const ada = owner();
      const bob = owner();
      await store.reserveUsage(ada, '2025-02', 2, 5);
      await store.reserveUsage(ada, '2025-01', 1, 5);
      await store.reserveUsage(ada, '2025-01', 2, 5);
      await store.releaseUsage(ada, '2025-01', 2);
      await store.reserveUsage(bob, '2025-01', 1, 5);
      expect(await store.listUsage(ada)).toEqual([
        { ownerId: ada, period: '2025-01', count: 1 },
        { ownerId: ada, period: '2025-02', count: 2 },
      ]);
      expect(await store.deleteUsageByOwner(ada)).toBe(2);
      expect(await store.listUsage(ada)).toEqual([]);
      expect(await store.getUsage(bob, '2025-01')).toBe(1);
    });
  });

  describe('events', () => {
    it('.markEventProcessed() resolves true the first time and false after', async () => {
      const id = `evt_${randomUUID()}`;
      expect(await store.markEventProcessed(id, 'stripe')).toBe(true);
      expect(await store.markEventProcessed(id, 'stripe')).toBe(false);
    });

    it('.markEventProcessed() ×10 at once with one id resolves true exactly once', async () => {
      const id = `evt_${randomUUID()}`;
      const results = await Promise.all(Array.from({ length: 10 }, () => store.markEventProcessed(id, 'clerk')));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('.unmarkEvent() forgets one id, so a failed event is accepted again; other ids stay recorded', async () => {
      const failed = `evt_${randomUUID()}`;
      const kept = `evt_${randomUUID()}`;
      await store.markEventProcessed(failed, 'stripe');
      await store.markEventProcessed(kept, 'stripe');
      await store.unmarkEvent(failed);
      await store.unmarkEvent(`evt_${randomUUID()}`); // a missing id is not an error
      expect(await store.markEventProcessed(failed, 'stripe')).toBe(true);
      expect(await store.markEventProcessed(kept, 'stripe')).toBe(false);
    });

    it('.unmarkEvent() forgets an event so it can be applied again, and ignores an unknown id', async () => {
      const id = `evt_${randomUUID()}`;
      await store.markEventProcessed(id, 'stripe');
      await store.unmarkEvent(id);
      expect(await store.markEventProcessed(id, 'stripe')).toBe(true);
      expect(await store.markEventProcessed(id, 'stripe')).toBe(false);
      await expect(store.unmarkEvent(`evt_${randomUUID()}`)).resolves.toBeUndefined();
    });

    it('.deleteEventsByOwner() removes only that owner’s events, so they could be applied again', async () => {
      const ada = owner();
      const mine = `evt_${randomUUID()}`;
      const other = `evt_${randomUUID()}`;
      await store.markEventProcessed(mine, 'stripe', ada);
      await store.markEventProcessed(other, 'stripe', owner());
      expect(await store.deleteEventsByOwner(ada)).toBe(1);
      expect(await store.markEventProcessed(mine, 'stripe', ada)).toBe(true);
      expect(await store.markEventProcessed(other, 'stripe')).toBe(false);
    });
  });

  describe('rate limits', () => {
    it('.hitRateLimit() allows max hits per window, then refuses with the seconds left, then allows the next window', async () => {
      const key = `test:${randomUUID()}`;
      const start = new Date('2025-01-15T10:00:00.000Z');
      const at = (ms: number) => new Date(start.getTime() + ms);
      expect(await store.hitRateLimit(key, 60, 2, at(0))).toEqual({ allowed: true, retryAfter: 0 });
      expect(await store.hitRateLimit(key, 60, 2, at(1000))).toEqual({ allowed: true, retryAfter: 0 });
      expect(await store.hitRateLimit(key, 60, 2, at(15_000))).toEqual({ allowed: false, retryAfter: 45 });
      expect(await store.hitRateLimit(`${key}:other`, 60, 2, at(15_000))).toEqual({ allowed: true, retryAfter: 0 });
      expect(await store.hitRateLimit(key, 60, 2, at(60_000))).toEqual({ allowed: true, retryAfter: 0 });
    });

    it('.hitRateLimit() ×10 at once with max 3, first hit included, allows exactly 3', async () => {
      const key = `test:${randomUUID()}`;
      const now = new Date('2025-01-15T10:00:00.000Z');
      const results = await Promise.all(Array.from({ length: 10 }, () => store.hitRateLimit(key, 60, 3, now)));
      expect(results.filter((r) => r.allowed)).toHaveLength(3);
    });
  });

  describe('privacy requests', () => {
    it('.insertPrivacyRequest() then .getPrivacyRequest() round-trips it, steps included', async () => {
      const r = request(owner(), { steps: { blobs: { status: 'done', at: '2025-01-15T10:01:00.000Z', count: 3 }, billing: { status: 'failed', at: '2025-01-15T10:02:00.000Z', error: 'stripe down' } } });
      await store.insertPrivacyRequest(r);
      expect(await store.getPrivacyRequest(r.id)).toEqual(r);
      expect(await store.getPrivacyRequest(randomUUID())).toBeNull();
    });

    it('.listPrivacyRequests() lists the owner’s requests newest first', async () => {
      const ada = owner();
      const older = request(ada, { createdAt: '2025-01-15T10:00:00.000Z' });
      const newer = request(ada, { kind: 'deletion', createdAt: '2025-01-16T10:00:00.000Z' });
      await store.insertPrivacyRequest(older);
      await store.insertPrivacyRequest(newer);
      await store.insertPrivacyRequest(request(owner()));
      expect((await store.listPrivacyRequests(ada)).map((r) => r.id)).toEqual([newer.id, older.id]);
    });

    it('.updatePrivacyRequest() merges the patch, bumps updatedAt, and resolves null for a missing id', async () => {
      const r = request(owner());
      await store.insertPrivacyRequest(r);
      const updated = await store.updatePrivacyRequest(r.id, { status: 'done', artifactKey: 'users/x/exports/1.zip', artifactBytes: 2048, steps: { zip: { status: 'done', at: '2025-01-15T10:05:00.000Z' } } });
      expect(updated).toMatchObject({ id: r.id, status: 'done', artifactKey: 'users/x/exports/1.zip', artifactBytes: 2048, kind: 'export', attempts: 0, steps: { zip: { status: 'done' } } });
      expect(updated!.updatedAt > r.updatedAt).toBe(true);
      expect(await store.getPrivacyRequest(r.id)).toEqual(updated);
      const cleared = await store.updatePrivacyRequest(r.id, { ownerId: null });
      expect(cleared?.ownerId).toBeNull();
      expect(await store.updatePrivacyRequest(randomUUID(), { status: 'done' })).toBeNull();
    });

    it('.claimPrivacyRequest() claims the oldest claimable request and leases it', async () => {
      const now = '2025-01-15T12:00:00.000Z';
      const leaseUntil = '2025-01-15T12:05:00.000Z';
      await store.insertPrivacyRequest(request(owner(), { status: 'done', createdAt: '2025-01-15T08:00:00.000Z' }));
      await store.insertPrivacyRequest(request(owner(), { status: 'running', leaseOwner: 'other', leaseUntil: '2025-01-15T12:01:00.000Z', createdAt: '2025-01-15T08:30:00.000Z' }));
      const oldest = request(owner(), { createdAt: '2025-01-15T09:00:00.000Z' });
      const newer = request(owner(), { createdAt: '2025-01-15T10:00:00.000Z' });
      await store.insertPrivacyRequest(newer);
      await store.insertPrivacyRequest(oldest);

      const claimed = await store.claimPrivacyRequest({ leaseOwner: 'worker-a', now, leaseUntil });
      expect(claimed).toMatchObject({ id: oldest.id, status: 'running', leaseOwner: 'worker-a', leaseUntil, attempts: 1 });
      expect(await store.getPrivacyRequest(oldest.id)).toEqual(claimed);
      expect((await store.claimPrivacyRequest({ leaseOwner: 'worker-a', now, leaseUntil }))?.id).toBe(newer.id);
      // The other worker's lease is still live and the done one is finished: nothing left.
      expect(await store.claimPrivacyRequest({ leaseOwner: 'worker-a', now, leaseUntil })).toBeNull();
    });

    it('.claimPrivacyRequest() takes over a running request whose lease has expired', async () => {
      const stale = request(owner(), { status: 'running', leaseOwner: 'crashed', leaseUntil: '2025-01-15T11:00:00.000Z', attempts: 1 });
      await store.insertPrivacyRequest(stale);
      const claimed = await store.claimPrivacyRequest({ id: stale.id, leaseOwner: 'worker-b', now: '2025-01-15T12:00:00.000Z', leaseUntil: '2025-01-15T12:05:00.000Z' });
      expect(claimed).toMatchObject({ id: stale.id, leaseOwner: 'worker-b', attempts: 2 });
    });

    it('.claimPrivacyRequest() filters by kind and by id', async () => {
      const ada = owner();
      const exportRequest = request(ada, { createdAt: '2025-01-15T09:00:00.000Z' });
      const deletion = request(ada, { kind: 'deletion', createdAt: '2025-01-15T10:00:00.000Z' });
      await store.insertPrivacyRequest(exportRequest);
      await store.insertPrivacyRequest(deletion);
      const lease = { leaseOwner: 'w', now: '2025-01-15T12:00:00.000Z', leaseUntil: '2025-01-15T12:05:00.000Z' };
      expect((await store.claimPrivacyRequest({ ...lease, kind: 'deletion' }))?.id).toBe(deletion.id);
      expect(await store.claimPrivacyRequest({ ...lease, id: deletion.id })).toBeNull();
      expect((await store.claimPrivacyRequest({ ...lease, id: exportRequest.id }))?.id).toBe(exportRequest.id);
    });

    it('.claimPrivacyRequest() raced by several workers lets exactly one win', async () => {
      const r = request(owner());
      await store.insertPrivacyRequest(r);
      const lease = { now: '2025-01-15T12:00:00.000Z', leaseUntil: '2025-01-15T12:05:00.000Z' };
      const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((w) => store.claimPrivacyRequest({ ...lease, id: r.id, leaseOwner: `worker-${w}` })));
      const winners = results.filter((x) => x !== null);
      expect(winners).toHaveLength(1);
      expect((await store.getPrivacyRequest(r.id))?.leaseOwner).toBe(winners[0]!.leaseOwner);
      expect((await store.getPrivacyRequest(r.id))?.attempts).toBe(1);
    });

    it('.listExpiredExports() lists finished exports past their expiry that still have an artifact', async () => {
      const now = '2025-01-20T00:00:00.000Z';
      const expired = request(owner(), { status: 'done', artifactKey: 'users/a/exports/1.zip', expiresAt: '2025-01-19T00:00:00.000Z' });
      await store.insertPrivacyRequest(expired);
      await store.insertPrivacyRequest(request(owner(), { status: 'done', artifactKey: 'users/b/exports/2.zip', expiresAt: '2025-01-21T00:00:00.000Z' }));
      await store.insertPrivacyRequest(request(owner(), { status: 'done', artifactKey: null, expiresAt: '2025-01-19T00:00:00.000Z' }));
      await store.insertPrivacyRequest(request(owner(), { status: 'running', artifactKey: 'users/c/exports/3.zip', expiresAt: '2025-01-19T00:00:00.000Z' }));
      await store.insertPrivacyRequest(request(owner(), { kind: 'deletion', status: 'done', artifactKey: 'x', expiresAt: '2025-01-19T00:00:00.000Z' }));
      expect((await store.listExpiredExports(now)).map((r) => r.id)).toEqual([expired.id]);
    });

    it('.deletePrivacyRequestsByOwner() removes the owner’s requests, sparing the one named', async () => {
      const ada = owner();
      const keep = request(ada, { kind: 'deletion' });
      await store.insertPrivacyRequest(keep);
      await store.insertPrivacyRequest(request(ada));
      await store.insertPrivacyRequest(request(ada));
      const other = request(owner());
      await store.insertPrivacyRequest(other);
      expect(await store.deletePrivacyRequestsByOwner(ada, keep.id)).toBe(2);
      expect((await store.listPrivacyRequests(ada)).map((r) => r.id)).toEqual([keep.id]);
      expect(await store.deletePrivacyRequestsByOwner(ada)).toBe(1);
      expect(await store.getPrivacyRequest(other.id)).not.toBeNull();
    });
  });

  describe('consents', () => {
    it('.insertConsent() records each decision; .listConsents() lists them oldest first; .deleteConsentsByOwner() removes them', async () => {
      const ada = owner();
      const first: ConsentRecord = { id: randomUUID(), ownerId: ada, categories: { essential: true, analytics: false, performance: false, preferences: true }, policyVersion: '2025-01-15', source: 'banner', createdAt: '2025-01-15T10:00:00.000Z' };
      const second: ConsentRecord = { ...first, id: randomUUID(), categories: { ...first.categories, analytics: true }, source: 'settings', createdAt: '2025-01-16T10:00:00.000Z' };
      await store.insertConsent(second);
      await store.insertConsent(first);
      await store.insertConsent({ ...first, id: randomUUID(), ownerId: owner() });
      expect(await store.listConsents(ada)).toEqual([first, second]);
      expect(await store.deleteConsentsByOwner(ada)).toBe(2);
      expect(await store.listConsents(ada)).toEqual([]);
    });
  });

  describe('revoked sessions', () => {
    it('.revokeSession() makes .isSessionRevoked() true for that sid only, and a second revocation is a no-op', async () => {
      const sid = randomUUID();
      const now = new Date('2025-01-15T10:00:00.000Z');
      expect(await store.isSessionRevoked(sid)).toBe(false);
      await store.revokeSession(sid, '2025-02-14T10:00:00.000Z', now);
      await expect(store.revokeSession(sid, '2025-02-14T10:00:00.000Z', now)).resolves.toBeUndefined();
      expect(await store.isSessionRevoked(sid)).toBe(true);
      expect(await store.isSessionRevoked(randomUUID())).toBe(false);
    });

    it('.revokeSession() ×10 at once with one sid all resolve and leave it revoked', async () => {
      const sid = randomUUID();
      await Promise.all(Array.from({ length: 10 }, () => store.revokeSession(sid, '2025-02-14T10:00:00.000Z', new Date('2025-01-15T10:00:00.000Z'))));
      expect(await store.isSessionRevoked(sid)).toBe(true);
    });

    it('.revokeSession() purges revocations whose sessions have expired and keeps the live ones', async () => {
      const expired = randomUUID();
      const live = randomUUID();
      await store.revokeSession(expired, '2025-01-20T10:00:00.000Z', new Date('2025-01-15T10:00:00.000Z'));
      await store.revokeSession(live, '2025-03-01T10:00:00.000Z', new Date('2025-01-15T10:00:00.000Z'));
      await store.revokeSession(randomUUID(), '2025-03-01T10:00:00.000Z', new Date('2025-02-01T10:00:00.000Z'));
      expect(await store.isSessionRevoked(expired)).toBe(false);
      expect(await store.isSessionRevoked(live)).toBe(true);
    });
  });
}
