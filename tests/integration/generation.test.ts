import { afterEach, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { createLocalImageModel } from '../../server/adapters/ai/local.ts';
import { AppError } from '../../server/domain/errors.ts';
import { usagePeriod } from '../../server/domain/plans.ts';
import type { BlobStore, ImageModel, Store } from '../../server/ports.ts';
import { createSqliteStore } from '../../server/adapters/store/sqlite.ts';
import { createFsBlobStore } from '../../server/adapters/blob/fs.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

let t: TestApp;
afterEach(async () => t?.close());

async function trpcError(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

const small = { prompt: 'a lighthouse at dusk', model: 'dreamshaper-8-lcm', width: 512, height: 512 };

describe('generate.create', () => {
  it('stores the image, its thumbnail and its record, and counts one unit', async () => {
    t = await createTestApp();
    const { user, caller } = await t.signIn('ada@example.com');
    const { images } = await caller.generate.create({ ...small, seed: 42, style: 'watercolor' });
    expect(images).toHaveLength(1);
    const image = images[0]!;
    expect(image).toMatchObject({ prompt: small.prompt, model: 'dreamshaper-8-lcm', width: 512, height: 512, seed: 42, style: 'watercolor', mime: 'image/png' });
    expect(image.url).toBe(`/media/${image.id}`);
    const record = await t.app.store.getImage(user.id, image.id);
    expect(await t.app.blobs.exists(record!.key)).toBe(true);
    expect(await t.app.blobs.exists(record!.thumbKey)).toBe(true);
    expect((await caller.usage.current()).used).toBe(1);
  });

  it('rejects bad input naming the field, storing nothing and using no quota', async () => {
    t = await createTestApp();
    const { user, caller } = await t.signIn('ada@example.com');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ prompt: '' }, 'prompt'],
      [{ prompt: 'x'.repeat(2001) }, 'prompt'],
      [{ prompt: 'ok', model: 'no-such-model' }, 'model'],
      [{ prompt: 'ok', model: 'sdxl', width: 1000, height: 1000 }, 'width'],
      [{ prompt: 'ok', model: 'flux-1-schnell', steps: 9 }, 'steps'],
      [{ prompt: 'ok', model: 'flux-1-schnell', negativePrompt: 'blur' }, 'negativePrompt'],
      [{ prompt: 'ok', seed: -1 }, 'seed'],
      [{ prompt: 'ok', seed: 1.5 }, 'seed'],
      [{ prompt: 'ok', count: 5 }, 'count'],
      [{ prompt: 'ok', style: 'neon' }, 'style'],
      [{ prompt: 'ok', guidance: 99 }, 'guidance'],
    ];
    for (const [input, field] of cases) {
      const error = await trpcError(caller.generate.create(input as never));
      expect(error.code, JSON.stringify(input)).toBe('BAD_REQUEST');
      const cause = error.cause;
      const named = cause instanceof AppError ? cause.field : (cause as { issues?: Array<{ path: PropertyKey[] }> }).issues?.[0]?.path[0];
      expect(named, JSON.stringify(input)).toBe(field);
    }
    expect(await t.app.store.countImages(user.id)).toBe(0);
    expect(await t.app.blobs.list('')).toEqual([]);
    expect((await caller.usage.current()).used).toBe(0);
  });

  it('refuses when the monthly quota is used up, with a sentence that says what to do', async () => {
    t = await createTestApp();
    const { user, caller } = await t.signIn('ada@example.com');
    const { limit } = await caller.usage.current();
    expect(await t.app.store.reserveUsage(user.id, usagePeriod(new Date()), limit, limit)).toBe(true);
    const error = await trpcError(caller.generate.create(small));
    expect(error.code).toBe('TOO_MANY_REQUESTS');
    expect(error.message).toMatch(/used all \d+ images.*Upgrade your plan/);
    expect(await t.app.store.countImages(user.id)).toBe(0);
  });

  it('gives exactly the remaining quota to 20 concurrent requests when 5 are left', async () => {
    t = await createTestApp();
    const { user, caller } = await t.signIn('ada@example.com');
    const { limit } = await caller.usage.current();
    await t.app.store.reserveUsage(user.id, usagePeriod(new Date()), limit - 5, limit);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => caller.generate.create({ ...small, seed: i })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(await t.app.store.countImages(user.id)).toBe(5);
    expect((await caller.usage.current()).used).toBe(limit);
    expect((await t.app.blobs.list('')).length).toBe(10);
  });

  it('refunds the quota and stores nothing when the model fails', async () => {
    const failing: ImageModel = {
      name: 'failing',
      async dispose() {},
      async generate() {
        throw new AppError('ProviderUnavailable', 'upstream 503');
      },
    };
    t = await createTestApp({ model: failing });
    const { user, caller } = await t.signIn('ada@example.com');
    const error = await trpcError(caller.generate.create({ ...small, count: 3 }));
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toMatch(/quota was not used/);
    expect((await caller.usage.current()).used).toBe(0);
    expect(await t.app.store.countImages(user.id)).toBe(0);
    expect(await t.app.blobs.list('')).toEqual([]);
  });

  it('refunds only the failed images when some of a batch fail', async () => {
    const real = createLocalImageModel();
    let calls = 0;
    const flaky: ImageModel = {
      name: 'flaky',
      async dispose() {},
      generate(request, options) {
        calls += 1;
        return calls === 2 ? Promise.reject(new AppError('ProviderUnavailable', 'boom')) : real.generate(request, options);
      },
    };
    t = await createTestApp({ model: flaky });
    const { caller } = await t.signIn('ada@example.com');
    const result = await caller.generate.create({ ...small, count: 3 });
    expect(result.images).toHaveLength(2);
    expect(result.failed).toBe(1);
    expect((await caller.usage.current()).used).toBe(2);
  });

  it('rejects bytes that are not an image before storing anything', async () => {
    const liar: ImageModel = { name: 'liar', async dispose() {}, async generate() { return { bytes: new TextEncoder().encode('<html>nope</html>'), mime: 'image/png' }; } };
    t = await createTestApp({ model: liar });
    const { user, caller } = await t.signIn('ada@example.com');
    await trpcError(caller.generate.create(small));
    expect(await t.app.store.countImages(user.id)).toBe(0);
    expect(await t.app.blobs.list('')).toEqual([]);
    expect((await caller.usage.current()).used).toBe(0);
  });

  it('leaves no objects behind when the record insert fails', async () => {
    const store = createSqliteStore({ file: ':memory:' });
    const failingInsert: Store = { ...store, insertImage: () => Promise.reject(new Error('disk full')) };
    t = await createTestApp({ store: failingInsert });
    const { user, caller } = await t.signIn('ada@example.com');
    const error = await trpcError(caller.generate.create(small));
    expect(error.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.message).toBe('We could not save your image. Your quota was not used; try again in a moment.');
    expect(await t.app.blobs.list('')).toEqual([]);
    expect(await store.getUsage(user.id, usagePeriod(new Date()))).toBe(0);
  });

  it('leaves neither record nor original behind when the thumbnail upload fails', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'artivio-blobs-'));
    const real = createFsBlobStore({ dir });
    let puts = 0;
    const blobs: BlobStore = { ...real, put: (key, body, options) => (++puts === 2 ? Promise.reject(new Error('bucket down')) : real.put(key, body, options)) };
    t = await createTestApp({ blobs });
    const { user, caller } = await t.signIn('ada@example.com');
    await trpcError(caller.generate.create(small));
    expect(await real.list('')).toEqual([]);
    expect(await t.app.store.countImages(user.id)).toBe(0);
    expect((await caller.usage.current()).used).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });
});
