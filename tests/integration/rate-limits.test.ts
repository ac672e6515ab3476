/**
 * Generation rate limits: per person and per client address, kept in the Store (so they hold
 * across server instances), refused with a wait time and a sentence, and costing nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { createGenerationService } from '../../server/services/generation.ts';
import { createCallerFactory } from '../../server/trpc/init.ts';
import { appRouter } from '../../server/trpc/router.ts';
import { createContextInner } from '../../server/trpc/context.ts';
import { AppError } from '../../server/domain/errors.ts';
import { createLogger } from '../../server/logger.ts';
import { usagePeriod } from '../../server/domain/plans.ts';
import { createSqliteStore } from '../../server/adapters/store/sqlite.ts';
import path from 'node:path';

let t: TestApp;
afterEach(async () => t?.close());

const small = { prompt: 'a lighthouse at dusk', model: 'dreamshaper-8-lcm', width: 512, height: 512 };

/** A generation service on the test app's ports with a clock we control. */
function serviceAt(clock: { now: Date }, limits: { perUserPerMinute: number; perAddressPerMinute: number }) {
  return createGenerationService({
    store: t.app.store,
    blobs: t.app.blobs,
    model: t.app.model,
    logger: createLogger({ level: 'silent' }),
    limits: { ...limits, modelTimeoutMs: 30_000 },
    now: () => clock.now,
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('generation rate limits', () => {
  it('counts every account behind one address together and says how long to wait', async () => {
    t = await createTestApp();
    const ada = (await t.signIn('ada@example.com')).user;
    const bob = (await t.signIn('bob@example.com')).user;
    const clock = { now: new Date('2030-01-01T12:00:15Z') };
    const generation = serviceAt(clock, { perUserPerMinute: 10, perAddressPerMinute: 2 });

    await generation.create(ada.id, small, { clientAddress: '203.0.113.7' });
    await generation.create(bob.id, small, { clientAddress: '203.0.113.7' });
    const refused = await rejection(generation.create(bob.id, small, { clientAddress: '203.0.113.7' }));
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'RateLimited', retryAfter: 45 });
    expect((refused as AppError).userMessage).toBe('Too many images are being generated from your network. Wait 45 seconds and try again.');

    // Another address is not affected, and the window resets after the minute.
    await generation.create(bob.id, small, { clientAddress: '198.51.100.1' });
    clock.now = new Date('2030-01-01T12:01:00Z');
    await generation.create(bob.id, small, { clientAddress: '203.0.113.7' });
    expect(await t.app.store.countImages(ada.id)).toBe(1);
    expect(await t.app.store.countImages(bob.id)).toBe(3);
  });

  it('holds the per-person limit whatever address the person comes from', async () => {
    t = await createTestApp();
    const ada = (await t.signIn('ada@example.com')).user;
    const clock = { now: new Date('2030-01-01T12:00:50Z') };
    const generation = serviceAt(clock, { perUserPerMinute: 2, perAddressPerMinute: 100 });
    await generation.create(ada.id, small, { clientAddress: '203.0.113.1' });
    await generation.create(ada.id, small, { clientAddress: '203.0.113.2' });
    const refused = await rejection(generation.create(ada.id, small, { clientAddress: '203.0.113.3' }));
    expect(refused).toMatchObject({ code: 'RateLimited', retryAfter: 10 });
    expect((refused as AppError).userMessage).toBe('You are generating very quickly. Wait 10 seconds and try again.');
  });

  it('stores nothing and uses no quota for a refused request', async () => {
    t = await createTestApp();
    const ada = (await t.signIn('ada@example.com')).user;
    const clock = { now: new Date('2030-01-01T12:00:00Z') };
    const generation = serviceAt(clock, { perUserPerMinute: 1, perAddressPerMinute: 100 });
    await generation.create(ada.id, small);
    const before = { images: await t.app.store.countImages(ada.id), blobs: (await t.app.blobs.list('')).length, used: await t.app.store.getUsage(ada.id, usagePeriod(clock.now)) };
    await rejection(generation.create(ada.id, { ...small, count: 4 }));
    expect({ images: await t.app.store.countImages(ada.id), blobs: (await t.app.blobs.list('')).length, used: await t.app.store.getUsage(ada.id, usagePeriod(clock.now)) }).toEqual(before);
    expect(before).toEqual({ images: 1, blobs: 2, used: 1 });
  });

  it('is shared by two server instances on the same database file', async () => {
    t = await createTestApp();
    const ada = (await t.signIn('ada@example.com')).user;
    // A second instance: its own connection to the same SQLite file.
    const secondStore = createSqliteStore({ file: path.join(t.dataDir, 'artivio.sqlite') });
    await secondStore.init();
    try {
      const clock = { now: new Date('2030-01-01T12:00:30Z') };
      const limits = { perUserPerMinute: 100, perAddressPerMinute: 1, modelTimeoutMs: 30_000 };
      const logger = createLogger({ level: 'silent' });
      const first = createGenerationService({ store: t.app.store, blobs: t.app.blobs, model: t.app.model, logger, limits, now: () => clock.now });
      const second = createGenerationService({ store: secondStore, blobs: t.app.blobs, model: t.app.model, logger, limits, now: () => clock.now });
      await first.create(ada.id, small, { clientAddress: '203.0.113.9' });
      expect(await rejection(second.create(ada.id, small, { clientAddress: '203.0.113.9' }))).toMatchObject({ code: 'RateLimited', retryAfter: 30 });
    } finally {
      await secondStore.dispose();
    }
  });

  it('reaches the service from a tRPC call with the caller address, as TOO_MANY_REQUESTS', async () => {
    t = await createTestApp({}, { RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '1', RATE_LIMIT_GENERATE_PER_MINUTE: '100' });
    const user = (await t.signIn('ada@example.com')).user;
    const caller = createCallerFactory(appRouter)(createContextInner(t.app, user, '203.0.113.9'));
    // Refused at the latest on the third call: two calls can straddle a window boundary, three cannot (1 per window).
    let refused: unknown = null;
    for (let i = 0; i < 3 && !refused; i++) refused = await caller.generate.create(small).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).code).toBe('TOO_MANY_REQUESTS');
    expect((refused as TRPCError).cause).toMatchObject({ code: 'RateLimited' });
    expect(((refused as TRPCError).cause as AppError).retryAfter).toBeGreaterThan(0);
  });
});
