/**
 * Public pages under Lighthouse: builds the site WITH an analytics id (so the consent banner,
 * Consent Mode defaults and the Partytown wiring are all on the page), serves it with the real
 * server, and runs Lighthouse's default mobile config (simulated slow 4G and 4× CPU slowdown)
 * on every public page in Debian's Chromium. Prints the four category scores per page (median
 * of the runs, with the lowest), what each failing audit says, and the gzipped bytes of every
 * script the page runs before a cookie choice (bench/js-budget.ts), next to what Lighthouse saw
 * the browser fetch.
 *
 * Installs nothing: `lighthouse` and `chrome-launcher` are devDependencies, the browser is
 * /usr/bin/chromium (or CHROMIUM_PATH). Loopback has no network latency of its own; the scores
 * are as measured under Lighthouse's simulated throttling.
 * Run: node bench/lighthouse.ts   (BENCH_LIGHTHOUSE_RUNS=5 runs per page)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_PATH, hasChromium } from '../tests/e2e/support/browser.ts';
import { startServer } from '../tests/e2e/support/server.ts';
import { BUDGET_BYTES, measurePage, PAGES } from './js-budget.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const GA_ID = 'G-BENCH0000';
const RUNS = Math.max(1, Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 5));
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
const CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

type Category = (typeof CATEGORIES)[number];

interface PageRun {
  scores: Record<Category, number>;
  /** Titles of audits that scored below 1 in a category that counts, with their shown value. */
  failing: string[];
  /** The full report, for a closer look (written to bench/results/). */
  report: string;
  /** Script requests the browser made during the load, and their bytes on the wire. */
  fetchedScripts: number;
  fetchedScriptBytes: number;
  /** Total Blocking Time, the one metric that moves with load on a shared machine. */
  tbtMs: number;
  /** Lighthouse's measure of this machine's CPU speed during the run (higher is faster). */
  benchmarkIndex: number;
}

/** Builds into a scratch folder inside the project (the server bundle resolves node_modules from there). */
async function build(outDir: string): Promise<void> {
  const astro = path.join(ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const child = spawn(process.execPath, [astro, 'build', '--outDir', outDir], {
      cwd: ROOT,
      env: { ...process.env, PUBLIC_GA_MEASUREMENT_ID: GA_ID },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`astro build failed (${code}):\n${log.slice(-4000)}`))));
  });
}

async function audit(url: string, port: number): Promise<PageRun> {
  const result = await lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] });
  if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
  const { lhr } = result;
  if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  const scores = {} as Record<Category, number>;
  const failing: string[] = [];
  for (const id of CATEGORIES) {
    const category = lhr.categories[id];
    scores[id] = category?.score ?? 0;
    for (const ref of category?.auditRefs ?? []) {
      const a = lhr.audits[ref.id];
      if (!a || ref.weight === 0 || a.score === null || a.score >= 1) continue;
      failing.push(`${id}: ${a.title}${a.displayValue ? ` (${a.displayValue})` : ''}`);
    }
  }
  let fetchedScripts = 0;
  let fetchedScriptBytes = 0;
  const requests = lhr.audits['network-requests']?.details;
  if (requests?.type === 'table') {
    for (const item of requests.items) {
      if (item['resourceType'] !== 'Script') continue;
      fetchedScripts++;
      fetchedScriptBytes += Number(item['transferSize'] ?? 0);
    }
  }
  const report = typeof result.report === 'string' ? result.report : JSON.stringify(lhr);
  const tbtMs = lhr.audits['total-blocking-time']?.numericValue ?? 0;
  return { scores, failing, fetchedScripts, fetchedScriptBytes, tbtMs, benchmarkIndex: lhr.environment.benchmarkIndex, report };
}

/** Lighthouse now and then loses the trace on a busy machine (NO_NAVSTART, NO_FCP): try that page again. */
async function auditWithRetry(url: string, port: number): Promise<PageRun> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await audit(url, port);
    } catch (error) {
      if (attempt >= 3) throw error;
      console.log(`  retrying ${url}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function main(): Promise<void> {
  if (!hasChromium()) {
    console.log(`Lighthouse skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH).`);
    return;
  }
  const outDir = path.join(ROOT, '.dist-lighthouse');
  console.log('Building the site with PUBLIC_GA_MEASUREMENT_ID=G-BENCH0000 into .dist-lighthouse …');
  await build(outDir);
  // The server gets the id too, as in production: its CSP header then lets the analytics hosts in.
  const site = await startServer({ distDir: outDir, env: { LOG_LEVEL: 'warn', PUBLIC_GA_MEASUREMENT_ID: GA_ID } });
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM_PATH, chromeFlags: CHROME_FLAGS, logLevel: 'silent' });
  const runs = new Map<string, PageRun[]>(PAGES.map((p) => [p, []]));
  try {
    // Round-robin over the pages, so a busy moment on this shared machine does not land on one page only.
    for (let round = 0; round < RUNS; round++) {
      for (const page of PAGES) runs.get(page)!.push(await auditWithRetry(site.url + page, chrome.port));
    }
  } finally {
    chrome.kill();
    await site.stop();
  }

  const client = path.join(outDir, 'client');
  await mkdir(RESULTS, { recursive: true });
  const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;
  const table: Record<string, Record<string, string>> = {};
  const notes: string[] = [];
  for (const page of PAGES) {
    const pageRuns = runs.get(page)!;
    const row: Record<string, string> = {};
    for (const id of CATEGORIES) {
      const values = pageRuns.map((r) => r.scores[id]);
      const low = Math.min(...values);
      row[id] = `${median(values).toFixed(2)}${low < median(values) ? ` (min ${low.toFixed(2)})` : ''}`;
    }
    row['TBT ms'] = `${Math.round(median(pageRuns.map((r) => r.tbtMs)))} (max ${Math.round(Math.max(...pageRuns.map((r) => r.tbtMs)))})`;
    const budget = measurePage(client, page);
    row['JS gz before consent'] = `${kb(budget.gzipBytes)} in ${budget.scripts} script${budget.scripts === 1 ? '' : 's'} ${budget.withinBudget ? '(ok)' : '(OVER)'}`;
    const last = pageRuns[pageRuns.length - 1]!;
    row['scripts fetched (wire)'] = `${last.fetchedScripts}, ${kb(last.fetchedScriptBytes)}`;
    table[page] = row;
    for (const line of new Set(pageRuns.flatMap((r) => r.failing))) notes.push(`${page} ${line}`);
    await writeFile(path.join(RESULTS, `lighthouse${page === '/' ? '-home' : page.replaceAll('/', '-')}.json`), last.report);
  }
  console.log(`\nLighthouse ${RUNS} run(s) per page, mobile defaults (simulated throttling), build with an analytics id; JS budget ${kb(BUDGET_BYTES)} gzipped`);
  console.table(table);
  if (notes.length > 0) console.log(`Audits below 1 in any run:\n  ${notes.join('\n  ')}`);
  const speed = [...runs.values()].flat().map((r) => r.benchmarkIndex);
  console.log(`Chromium benchmarkIndex over the runs: ${Math.round(Math.min(...speed))}–${Math.round(Math.max(...speed))} (a busy machine shows as a low figure and a high TBT).`);
  console.log(`Full reports of the last run: bench/results/lighthouse-*.json`);
  if (!process.env.BENCH_KEEP_BUILD && existsSync(outDir)) await rm(outDir, { recursive: true, force: true });
}

if (import.meta.main) await main();
