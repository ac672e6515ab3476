/**
 * Every outside call of a generation failing in turn — the model, the image upload, the
 * thumbnail, the thumbnail upload, the record insert — alone and as one image of a batch.
 * Whatever fails: no record without both its objects, no object without its record, usage
 * equal to the images kept, and a message that says what to do and gives nothing internal away.
 * (generation.test.ts has the single-case tests with exact messages; this is the matrix.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { createFsBlobStore } from '../../server/adapters/blob/fs.ts';
import { createLocalImageModel } from '../../server/adapters/ai/local.ts';
import { createSqliteStore } from '../../server/adapters/store/sqlite.ts';
import { createGenerationService } from '../../server/services/generation.ts';
import { makeThumbnail } from '../../server/services/image-check.ts';
import { AppError } from '../../server/domain/errors.ts';
import { usagePeriod } from '../../server/domain/plans.ts';
import { createLogger } from '../../server/logger.ts';
import type { BlobStore, ImageModel, Store } from '../../server/ports.ts';

type Step = 'model' | 'image upload' | 'thumbnail' | 'thumbnail upload' | 'record insert';
type Failure = 'provider error' | 'crash';

const STEPS: Step[] = ['model', 'image upload', 'thumbnail', 'thumbnail upload', 'record insert'];
const INTERNAL = 'INTERNAL-DETAIL-42';

/** Real embedded adapters with one step failing on its `failOn`-th call (0 = never). */
async function faultyPorts(step: Step, failure: Failure, failOn: number) {
  const dir = await mkdtemp(path.join(tmpdir(), 'artivio-faults-'));
  const blobsReal = createFsBlobStore({ dir: path.join(dir, 'blobs') });
  const storeReal = createSqliteStore({ file: path.join(dir, 'artivio.sqlite') });
  const modelReal = createLocalImageModel();
  const calls: Record<Step, number> = { model: 0, 'image upload': 0, thumbnail: 0, 'thumbnail upload': 0, 'record insert': 0 };
  const maybeFail = (at: Step) => {
    if (at !== step) return;
    calls[at] += 1;
    if (calls[at] !== failOn) return;
    throw failure === 'provider error' ? new AppError('ProviderUnavailable', `${at} down ${INTERNAL}`) : new Error(`${at} exploded ${INTERNAL}`);
  };
  const model: ImageModel = {
    ...modelReal,
    name: 'faulty',
    async generate(request, options) {
      maybeFail('model');
      return modelReal.generate(request, options);
    },
  };
  const blobs: BlobStore = {
    ...blobsReal,
    async put(key, body, options) {
      maybeFail(key.includes('/thumbs/') ? 'thumbnail upload' : 'image upload');
      return blobsReal.put(key, body, options);
    },
  };
  const store: Store = {
    ...storeReal,
    async insertImage(image) {
      maybeFail('record insert');
      return storeReal.insertImage(image);
    },
  };
  const thumbnail = async (bytes: Uint8Array) => {
    maybeFail('thumbnail');
    return makeThumbnail(bytes);
  };
  return { dir, blobs, blobsReal, store, model, thumbnail };
}

let t: TestApp | null = null;
let dir: string | null = null;
afterEach(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  t = null;
  dir = null;
});

/** Records and objects agree exactly, and usage equals what is kept. */
async function expectConsistent(app: TestApp['app'], blobs: BlobStore, ownerId: string, expectedImages: number): Promise<void> {
  const records = (await app.store.listImages(ownerId, { limit: 50 })).items;
  const objects = (await blobs.list('')).sort();
  expect(objects).toEqual(records.flatMap((r) => [r.key, r.thumbKey]).sort());
  expect(records).toHaveLength(expectedImages);
  expect(await app.store.getUsage(ownerId, usagePeriod(new Date()))).toBe(expectedImages);
}

const small = { prompt: 'a lighthouse at dusk', model: 'dreamshaper-8-lcm', width: 512, height: 512 };

/** The thumbnail maker is not a port, so the faulty one goes into a service built for the case. */
function serviceOn(ports: Awaited<ReturnType<typeof faultyPorts>>) {
  return createGenerationService({
    store: ports.store,
    blobs: ports.blobs,
    model: ports.model,
    thumbnail: ports.thumbnail,
    logger: createLogger({ level: 'silent' }),
    limits: { perUserPerMinute: 100, perAddressPerMinute: 100, modelTimeoutMs: 30_000 },
  });
}

describe('generation with a failing outside call', () => {
  for (const step of STEPS) {
    for (const failure of ['provider error', 'crash'] as const) {
      it(`${step} (${failure}): a single image leaves nothing, refunds, and says what to do`, async () => {
        const ports = await faultyPorts(step, failure, 1);
        dir = ports.dir;
        t = await createTestApp({ store: ports.store, blobs: ports.blobs, model: ports.model });
        const generation = serviceOn(ports);
        const { user } = await t.signIn('ada@example.com');
        const error = await generation.create(user.id, small).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(AppError);
        const app = error as AppError;
        expect(app.status).toBeGreaterThanOrEqual(500);
        expect(app.userMessage).toMatch(/quota was not used; try again/);
        expect(app.userMessage).not.toContain(INTERNAL);
        await expectConsistent(t.app, ports.blobsReal, user.id, 0);
      });

      it(`${step} (${failure}): one image of a batch of three is refunded, the other two are kept whole`, async () => {
        const ports = await faultyPorts(step, failure, 2);
        dir = ports.dir;
        t = await createTestApp({ store: ports.store, blobs: ports.blobs, model: ports.model });
        const generation = serviceOn(ports);
        const { user } = await t.signIn('ada@example.com');
        const result = await generation.create(user.id, { ...small, count: 3 });
        expect(result.images).toHaveLength(2);
        expect(result.failed).toBe(1);
        await expectConsistent(t.app, ports.blobsReal, user.id, 2);
      });
    }
  }

  it('over tRPC, a crash becomes a sentence, never the internal message', async () => {
    const ports = await faultyPorts('image upload', 'crash', 1);
    dir = ports.dir;
    t = await createTestApp({ store: ports.store, blobs: ports.blobs, model: ports.model });
    const { caller } = await t.signIn('ada@example.com');
    const error = await caller.generate.create(small).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).message).toBe('We could not save your image. Your quota was not used; try again in a moment.');
  });
});

describe('generation when the clean-up itself stumbles', () => {
  it('retries a failed clean-up delete, so a blip leaves no stray file', async () => {
    const ports = await faultyPorts('record insert', 'crash', 1);
    dir = ports.dir;
    let deleteFailures = 1;
    const blobs: BlobStore = {
      ...ports.blobs,
      async delete(key) {
        if (deleteFailures-- > 0) throw new Error('bucket blip');
        return ports.blobsReal.delete(key);
      },
    };
    t = await createTestApp({ store: ports.store, blobs, model: ports.model });
    const { user, caller } = await t.signIn('ada@example.com');
    await caller.generate.create(small).catch(() => undefined);
    await expectConsistent(t.app, ports.blobsReal, user.id, 0);
  });

  it('names the stray keys in an error log when the storage stays down', async () => {
    const ports = await faultyPorts('record insert', 'crash', 1);
    dir = ports.dir;
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } as unknown as NodeJS.WritableStream });
    const blobs: BlobStore = { ...ports.blobs, delete: () => Promise.reject(new Error('bucket down')) };
    t = await createTestApp({ store: ports.store, blobs, model: ports.model });
    const generation = createGenerationService({ store: ports.store, blobs, model: ports.model, logger, limits: { perUserPerMinute: 100, perAddressPerMinute: 100, modelTimeoutMs: 30_000 } });
    const { user } = await t.signIn('ada@example.com');
    await generation.create(user.id, small).catch(() => undefined);
    const stray = await ports.blobsReal.list('');
    expect(stray).toHaveLength(2);
    const logged = lines.map((l) => JSON.parse(l) as { level: number; msg: string; keys?: string[] }).find((l) => l.msg === 'could not remove the objects of a failed generation');
    expect(logged?.level).toBe(50);
    expect(logged?.keys?.sort()).toEqual(stray.sort());
    // The quota is still given back.
    expect(await ports.store.getUsage(user.id, usagePeriod(new Date()))).toBe(0);
  });

  it('retries the refund, so a blip in the database does not keep the quota', async () => {
    const ports = await faultyPorts('model', 'provider error', 1);
    dir = ports.dir;
    let releaseFailures = 1;
    const store: Store = {
      ...ports.store,
      async releaseUsage(ownerId, period, amount) {
        if (releaseFailures-- > 0) throw new Error('database blip');
        return ports.store.releaseUsage(ownerId, period, amount);
      },
    };
    t = await createTestApp({ store, blobs: ports.blobs, model: ports.model });
    const { user, caller } = await t.signIn('ada@example.com');
    await caller.generate.create(small).catch(() => undefined);
    await expectConsistent(t.app, ports.blobsReal, user.id, 0);
  });

  it('gives up on a model that never answers at the deadline, refunds, and says it took too long', async () => {
    const ports = await faultyPorts('model', 'crash', 0);
    dir = ports.dir;
    const hanging: ImageModel = { name: 'hanging', dispose: async () => {}, generate: () => new Promise(() => {}) };
    t = await createTestApp({ store: ports.store, blobs: ports.blobs, model: hanging }, { AI_TIMEOUT_MS: '50' });
    const { user, caller } = await t.signIn('ada@example.com');
    const error = await caller.generate.create({ ...small, count: 2 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as TRPCError).code).toBe('TIMEOUT');
    expect((error as TRPCError).message).toMatch(/took too long.*quota was not used/);
    await expectConsistent(t.app, ports.blobsReal, user.id, 0);
  });

  it('stops generations waiting on the model when the server shuts down, and refunds them', async () => {
    const ports = await faultyPorts('model', 'crash', 0);
    dir = ports.dir;
    let started!: () => void;
    const waiting = new Promise<void>((resolve) => (started = resolve));
    const hanging: ImageModel = {
      name: 'hanging',
      dispose: async () => {},
      generate: () => {
        started();
        return new Promise(() => {});
      },
    };
    t = await createTestApp({ store: ports.store, blobs: ports.blobs, model: hanging });
    const { user, caller } = await t.signIn('ada@example.com');
    const pending = caller.generate.create(small).then(
      () => null,
      (e: unknown) => e,
    );
    await waiting;
    t.app.interruptInFlight();
    const error = (await pending) as TRPCError;
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toBe('The server is restarting. Your quota was not used; try again in a minute.');
    await expectConsistent(t.app, ports.blobsReal, user.id, 0);
  });
});
