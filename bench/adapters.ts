/**
 * Adapter overhead: `gallery.list` (50 items) and `generate.create` with a model that answers
 * a pre-rendered 1024×1024 PNG at once (so what is measured is everything but the model:
 * limits, quota, image check, thumbnail, storage, record), one call at a time and 8 calls at
 * once (p50/p99 per call; targets p50 ≤ 10 ms, p99 ≤ 50 ms), on the embedded SQLite + files
 * and on MongoDB (FerretDB peer) + R2 (MinIO peer). Calls go through the tRPC caller
 * in-process, without HTTP. Run: node bench/adapters.ts
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../server/app.ts';
import { createLocalImageModel } from '../server/adapters/ai/local.ts';
import { loadConfig } from '../server/config.ts';
import { findModel } from '../server/domain/models.ts';
import type { ImageModel, ModelImage } from '../server/ports.ts';
import { createContextInner } from '../server/trpc/context.ts';
import { createCallerFactory } from '../server/trpc/init.ts';
import { appRouter } from '../server/trpc/router.ts';
import { startFerret, startMinio, type FerretPeer, type MinioPeer } from '../tests/support/peers.ts';

const GENERATIONS = Number(process.env.BENCH_GENERATIONS ?? 60);
/** Calls in flight at once in the concurrent run, as the issue asks. */
const CONCURRENCY = 8;
const CONCURRENT_GENERATIONS = Number(process.env.BENCH_CONCURRENT_GENERATIONS ?? 200);
const LISTS = Number(process.env.BENCH_LISTS ?? 100);
const createCaller = createCallerFactory(appRouter);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)]!;
}

/** A model that returns the same bytes immediately, so only our own work is timed. */
function instantModel(image: ModelImage): ImageModel {
  return { name: 'instant', async dispose() {}, async generate() {
    return image;
  } };
}

interface Figures {
  generateMs: number[];
  /** Per-call times with CONCURRENCY calls in flight. */
  concurrentGenerateMs: number[];
  /** Generations per second during the concurrent run. */
  concurrentRate: number;
  listMs: number[];
}

async function measure(app: App): Promise<Figures> {
  const user = await app.account.signInLocal(`bench-${Date.now()}@example.com`, 'Bench');
  await app.store.updateUser(user.id, { plan: 'pro' });
  const caller = createCaller(createContextInner(app, (await app.store.getUser(user.id))!, '127.0.0.1'));
  const input = { prompt: 'a lighthouse on a cliff at dusk', model: 'sdxl-lightning', width: 1024, height: 1024 };

  const generateMs: number[] = [];
  for (let i = 0; i < GENERATIONS; i++) {
    const started = performance.now();
    await caller.generate.create(input);
    generateMs.push(performance.now() - started);
  }
  const concurrentGenerateMs: number[] = [];
  let next = 0;
  const concurrentStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < CONCURRENT_GENERATIONS) {
        const started = performance.now();
        await caller.generate.create(input);
        concurrentGenerateMs.push(performance.now() - started);
      }
    }),
  );
  const concurrentRate = CONCURRENT_GENERATIONS / ((performance.now() - concurrentStarted) / 1000);
  const listMs: number[] = [];
  for (let i = 0; i < LISTS; i++) {
    const started = performance.now();
    const page = await caller.gallery.list({ limit: 50 });
    listMs.push(performance.now() - started);
    if (page.items.length !== 50) throw new Error(`gallery.list returned ${page.items.length} items, not 50`);
  }
  // The first few of each warm caches and connections; leave them out.
  return { generateMs: generateMs.slice(5), concurrentGenerateMs: concurrentGenerateMs.slice(CONCURRENCY), concurrentRate, listMs: listMs.slice(5) };
}

async function withApp(env: Record<string, string>, model: ImageModel, run: (app: App) => Promise<Figures>): Promise<Figures> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'artivio-bench-'));
  const app = await createApp(
    loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      RATE_LIMIT_GENERATE_PER_MINUTE: '1000000',
      RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '1000000',
      ...env,
    }),
    { model },
  );
  try {
    return await run(app);
  } finally {
    await app.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  const spec = findModel('sdxl-lightning')!;
  const image = await createLocalImageModel().generate(
    { model: spec, prompt: 'a lighthouse on a cliff at dusk', width: 1024, height: 1024, steps: 8, seed: 1, style: 'none' },
    { signal: AbortSignal.timeout(30_000) },
  );
  const model = instantModel(image);
  const rows: Record<string, Record<string, string | number>> = {};
  const ms = (v: number) => Number(v.toFixed(1));
  const row = (figures: Figures) => ({
    'gallery.list (50) p50 ms': ms(median(figures.listMs)),
    'gallery.list p99 ms': ms(percentile(figures.listMs, 0.99)),
    'generate.create alone p50 ms': ms(median(figures.generateMs)),
    'alone p99 ms': ms(percentile(figures.generateMs, 0.99)),
    [`${CONCURRENCY} at once p50 ms`]: ms(median(figures.concurrentGenerateMs)),
    [`${CONCURRENCY} at once p99 ms`]: ms(percentile(figures.concurrentGenerateMs, 0.99)),
    [`${CONCURRENCY} at once images/s`]: ms(figures.concurrentRate),
  });

  rows['SQLite + files'] = row(await withApp({}, model, measure));

  const [ferretStart, minioStart] = await Promise.all([startFerret(), startMinio()]);
  const ferret: FerretPeer | null = 'peer' in ferretStart ? ferretStart.peer : null;
  const minio: MinioPeer | null = 'peer' in minioStart ? minioStart.peer : null;
  try {
    if (!ferret || !minio) {
      const reasons = [ferretStart, minioStart].flatMap((s) => ('unavailable' in s ? [s.unavailable] : []));
      console.log(`MongoDB + R2 row skipped: ${reasons.join('; ')}`);
    } else {
      const admin = new S3Client({ region: minio.region, endpoint: minio.url, forcePathStyle: true, credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey } });
      await admin.send(new CreateBucketCommand({ Bucket: 'bench' }));
      admin.destroy();
      const peers = { MONGODB_URI: ferret.uri, MONGODB_DB: 'bench', R2_ENDPOINT: minio.url, R2_ACCESS_KEY_ID: minio.accessKey, R2_SECRET_ACCESS_KEY: minio.secretKey, R2_BUCKET: 'bench' };
      rows['MongoDB (FerretDB 1.x peer) + R2 (MinIO peer)'] = row(await withApp(peers, model, measure));
    }
  } finally {
    await Promise.allSettled([ferret?.stop(), minio?.stop()]);
  }

  console.log(
    `\nAdapter overhead, in-process tRPC calls; a pre-rendered 1024×1024 PNG from an instant model: ${GENERATIONS - 5} generations one at a time, ` +
      `${CONCURRENT_GENERATIONS - CONCURRENCY} with ${CONCURRENCY} in flight; ${LISTS - 5} lists of 50 (warm-up calls left out). Target: generate.create p50 ≤ 10 ms, p99 ≤ 50 ms`,
  );
  console.table(rows);
}

if (import.meta.main) await main();
