/**
 * The gallery page in Chromium with 10k images: a person's gallery is seeded straight into the
 * SQLite store (thumbnails answered by a stand-in, so only the page's own work is measured),
 * then loaded page by page with "Load more" as far as 10k tiles. Measured on the way: long
 * tasks (> 50 ms) while loading, the time from a new page's tiles entering the DOM to the next
 * frame, and the frame after jumping to another part of the grid. The reference, side by side
 * in the same run: the same page with the off-screen skipping (`content-visibility`) turned off.
 *
 * Uses the regular build (npm run build; ASTRO_DIST_DIR picks another).
 * Run: node bench/gallery-render.ts   (BENCH_GALLERY_TILES=10000)
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createSqliteStore } from '../server/adapters/store/sqlite.ts';
import { record } from './support/image-record.ts';
import { hasChromium, launchBrowser } from '../tests/e2e/support/browser.ts';
import { hasBuild, startServer } from '../tests/e2e/support/server.ts';

const TILES = Number(process.env.BENCH_GALLERY_TILES ?? 10_000);
const MARKS = [1_000, 5_000, 10_000].filter((m) => m <= TILES);
const EMAIL = 'gallery-render@example.com';
const STAND_IN = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="#8a84c0"/></svg>';

interface Figures {
  /** Per mark: median ms from new tiles in the DOM to the next frame, over the pages around it. */
  append: Record<number, number>;
  longTasks: number;
  longestTaskMs: number;
  jumpMs: number[];
}

async function seed(dataDir: string): Promise<void> {
  const store = createSqliteStore({ file: path.join(dataDir, 'artivio.sqlite') });
  await store.init();
  const user = await store.createUser({ id: `usr_${randomUUID().replaceAll('-', '')}`, email: EMAIL, name: 'Render' });
  // A few pages more than the tiles loaded, so "Load more" is still there at the end.
  for (let n = 0; n < TILES + 300; n++) {
    await store.insertImage(record(user.id, n));
  }
  await store.dispose();
}

/** Clicks "Load more" and resolves with ms from the new tiles entering the DOM to the frame after. */
function appendPage(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const grid = document.querySelector('.gallery')!;
        const count = () => grid.querySelectorAll('.thumb').length;
        const before = count();
        const observer = new MutationObserver(() => {
          if (count() <= before) return;
          observer.disconnect();
          const at = performance.now();
          requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - at), 0));
        });
        observer.observe(grid, { childList: true, subtree: true });
        const more = document.querySelector<HTMLButtonElement>('.gallery-more .btn');
        if (!more) throw new Error(`no "Load more" button at ${before} tiles: ${document.querySelector('.gallery-more')?.textContent ?? 'no gallery'}`);
        more.click();
      }),
  );
}

async function run(browser: Browser, url: string, skipping: boolean): Promise<Figures> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  try {
    const signIn = await context.request.post(`${url}/api/auth/local/sign-in`, { data: { email: EMAIL, name: 'Render' }, headers: { origin: url } });
    if (!signIn.ok()) throw new Error(`sign-in answered ${signIn.status()}`);
    const page = await context.newPage();
    await page.route('**/media/**', (route) => route.fulfill({ status: 200, contentType: 'image/svg+xml', body: STAND_IN }));
    await page.goto(`${url}/gallery`);
    await page.locator('.thumb[data-image-id]').first().waitFor();
    if (!skipping) await page.addStyleTag({ content: '.thumb-chunks > .thumbs, .thumbs > li { content-visibility: visible !important; }' });
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => w.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
    });

    const append: Record<number, number> = {};
    let samples: number[] = [];
    for (;;) {
      const tiles = await page.locator('.thumb[data-image-id]').count();
      const mark = MARKS.find((m) => tiles >= m && !(m in append));
      if (mark !== undefined) {
        // Five more pages at this size, timed; their median stands for the mark.
        samples = [];
        for (let i = 0; i < 5; i++) samples.push(await appendPage(page));
        append[mark] = [...samples].sort((a, b) => a - b)[2]!;
        continue;
      }
      if (tiles >= TILES) break;
      await appendPage(page);
    }
    const jumpMs = await page.evaluate(async () => {
      const out: number[] = [];
      for (let i = 1; i <= 6; i++) {
        const started = performance.now();
        window.scrollTo(0, (document.body.scrollHeight * i) / 8);
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        out.push(performance.now() - started);
      }
      return out;
    });
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    return { append, longTasks: longTasks.length, longestTaskMs: Math.max(0, ...longTasks), jumpMs };
  } finally {
    await context.close();
  }
}

export async function main(): Promise<void> {
  if (!hasChromium() || !hasBuild()) {
    console.log('Gallery rendering skipped: it needs a build (npm run build) and Chromium (/usr/bin/chromium or CHROMIUM_PATH).');
    return;
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'artivio-bench-render-'));
  await seed(dataDir);
  const site = await startServer({ dataDir, env: { LOG_LEVEL: 'warn' } });
  const browser = await launchBrowser();
  const rows: Record<string, Record<string, string | number>> = {};
  try {
    for (const [name, skipping] of [
      ['Artivio gallery', true],
      ['same page, off-screen skipping off (reference)', false],
    ] as const) {
      const f = await run(browser, site.url, skipping);
      const row: Record<string, string | number> = {};
      for (const mark of MARKS) row[`new page → frame at ${mark / 1000}k ms`] = Number((f.append[mark] ?? NaN).toFixed(1));
      row['long tasks while loading'] = `${f.longTasks} (max ${Math.round(f.longestTaskMs)} ms)`;
      row['jump-scroll frame median ms'] = Number([...f.jumpMs].sort((a, b) => a - b)[3]!.toFixed(1));
      rows[name] = row;
    }
  } finally {
    await browser.close();
    await site.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  console.log(`\nGallery page in Chromium (1280×900), loaded 24 at a time up to ${TILES.toLocaleString('en')} tiles; frame budget 16.7 ms, long task > 50 ms`);
  console.table(rows);
}

if (import.meta.main) await main();
