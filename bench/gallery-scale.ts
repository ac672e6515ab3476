/**
 * Gallery cost against gallery size: `gallery.list` of 50 (through the tRPC caller, so DTOs
 * and media URLs included) for people with 1k, 10k and 100k images, all in one SQLite store,
 * for the first page and for a page half-way down (a cursor, never an offset). Records are
 * inserted straight into the store (no blobs: listing never reads them). Each size is compared
 * with the 1k figure; the target is flat within ±20%.
 * Run: node bench/gallery-scale.ts   (BENCH_GALLERY_MAX=100000, BENCH_LISTS=250 calls per figure)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { record } from './support/image-record.ts';
import { createContextInner } from '../server/trpc/context.ts';
import { createCallerFactory } from '../server/trpc/init.ts';
import { appRouter } from '../server/trpc/router.ts';

const MAX = Number(process.env.BENCH_GALLERY_MAX ?? 100_000);
const SIZES = [1_000, 10_000, 100_000].filter((n) => n <= MAX);
const ROUNDS = 5;
const LISTS_PER_ROUND = Math.ceil(Number(process.env.BENCH_LISTS ?? 250) / ROUNDS);
const PAGE = 50;
const createCaller = createCallerFactory(appRouter);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)]!;
}


interface Gallery {
  size: number;
  ownerId: string;
  caller: ReturnType<typeof createCaller>;
  cursor: string | null;
  first: number[];
  middle: number[];
}

/** Times LISTS_PER_ROUND calls; every answer must be a full page. */
async function time(run: () => Promise<{ items: unknown[] }>, expected: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < LISTS_PER_ROUND; i++) {
    const started = performance.now();
    const page = await run();
    ms.push(performance.now() - started);
    if (page.items.length !== expected) throw new Error(`gallery.list returned ${page.items.length} items, not ${expected}`);
  }
  return ms;
}

export async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'artivio-bench-gallery-'));
  let app: App | null = null;
  try {
    app = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir }));
    // One person per size, all in the same store: the largest store is what every size is listed from.
    const galleries: Gallery[] = [];
    for (const size of SIZES) {
      const user = await app.account.signInLocal(`gallery-${size}@example.com`, `Bench ${size}`);
      galleries.push({ size, ownerId: user.id, caller: createCaller(createContextInner(app, user)), cursor: null, first: [], middle: [] });
    }
    const started = performance.now();
    for (let n = 0; n < SIZES.at(-1)!; n++) {
      for (const g of galleries) if (n < g.size) await app.store.insertImage(record(g.ownerId, n));
    }
    const insertS = (performance.now() - started) / 1000;

    for (const g of galleries) {
      if ((await app.store.countImages(g.ownerId)) !== g.size) throw new Error(`expected ${g.size} images in the gallery`);
      // A cursor half-way down: walk there once, then time that page.
      for (let walked = 0; walked < g.size / 2; walked += PAGE) g.cursor = (await g.caller.gallery.list({ limit: PAGE, cursor: g.cursor })).nextCursor;
      for (let i = 0; i < 50; i++) await g.caller.gallery.list({ limit: PAGE });
    }
    // Rounds over the sizes in turn, so warm-up and a busy moment on the machine fall on every size alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const g of galleries) {
        g.first.push(...(await time(() => g.caller.gallery.list({ limit: PAGE }), PAGE)));
        g.middle.push(...(await time(() => g.caller.gallery.list({ limit: PAGE, cursor: g.cursor }), PAGE)));
      }
    }

    const base = galleries[0]!;
    const vs = (v: number, ref: number) => `${v >= ref ? '+' : ''}${(((v - ref) / ref) * 100).toFixed(0)}%`;
    const rows: Record<string, Record<string, string | number>> = {};
    for (const g of galleries) {
      const [firstP50, middleP50] = [percentile(g.first, 0.5), percentile(g.middle, 0.5)];
      rows[`${g.size.toLocaleString('en')} images`] = {
        'first page p50 ms': Number(firstP50.toFixed(2)),
        'first page p99 ms': Number(percentile(g.first, 0.99).toFixed(2)),
        'vs 1k': vs(firstP50, percentile(base.first, 0.5)),
        'middle page p50 ms': Number(middleP50.toFixed(2)),
        'middle page p99 ms': Number(percentile(g.middle, 0.99).toFixed(2)),
        'middle vs 1k': vs(middleP50, percentile(base.middle, 0.5)),
      };
    }
    const total = galleries.reduce((n, g) => n + g.size, 0);
    console.log(
      `\ngallery.list of ${PAGE} on SQLite by gallery size, ${total.toLocaleString('en')} images in the store (inserted in ${insertS.toFixed(1)} s); ` +
        `${ROUNDS * LISTS_PER_ROUND} calls per figure. Target: flat within ±20% of the 1k figure`,
    );
    console.table(rows);
  } finally {
    await app?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
