/**
 * JavaScript budget of the prerendered pages: gzipped bytes of every script a page runs
 * before any cookie choice (inline scripts, external scripts and the modules they import),
 * against the 6 KB budget. `text/partytown` scripts are left out: they are data until
 * Partytown runs them, which happens only after analytics consent. A second column adds what
 * analytics consent loads on the main thread (Partytown's loader), and a note gives what
 * runs off it (Partytown's service worker, sandbox and worker; the Google tag itself comes
 * from Google and is not in the build).
 *
 * Builds nothing: run `npx astro build` first (with `PUBLIC_GA_MEASUREMENT_ID=G-TEST123` to
 * see the analytics case). Run: node bench/js-budget.ts [dist dir]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const BUDGET_BYTES = 6 * 1024;
export const PAGES = ['/', '/pricing', '/privacy', '/terms', '/cookies'];

/** Script types a browser executes as JavaScript. */
const EXECUTABLE = new Set(['', 'module', 'text/javascript', 'application/javascript']);

export interface PageBudget {
  page: string;
  scripts: number;
  rawBytes: number;
  gzipBytes: number;
  /** Gzipped main-thread bytes once analytics is accepted (equal to gzipBytes without analytics). */
  afterConsentGzipBytes: number;
  analytics: boolean;
  withinBudget: boolean;
}

const gz = (text: string | Buffer) => gzipSync(text, { level: 9 }).length;

function attr(attrs: string, name: string): string | null {
  const match = new RegExp(`(?:^|\\s)${name}(?:\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+)))?`, 'i').exec(attrs);
  if (!match) return null;
  return match[1] ?? match[2] ?? match[3] ?? '';
}

/** A module's static imports (`import … from "./x.js"`, `import "./x.js"`), resolved to file paths. */
function staticImports(code: string, fromUrl: string): string[] {
  const urls = new Set<string>();
  for (const m of code.matchAll(/\bimport\s*(?:[\w*{}\s,$]+?\s*from\s*)?["']([^"']+)["']/g)) urls.add(new URL(m[1]!, `http://x${fromUrl}`).pathname);
  return [...urls];
}

function fileFor(client: string, urlPath: string): string {
  return path.join(client, ...urlPath.split('/').filter(Boolean));
}

export function measurePage(client: string, page: string): PageBudget {
  const htmlFile = page === '/' ? path.join(client, 'index.html') : path.join(client, page.slice(1), 'index.html');
  const html = readFileSync(htmlFile, 'utf8');
  const seen = new Set<string>();
  let raw = 0;
  let gzip = 0;
  let scripts = 0;

  const addExternal = (urlPath: string, isModule: boolean) => {
    if (seen.has(urlPath)) return;
    seen.add(urlPath);
    const file = fileFor(client, urlPath);
    if (!existsSync(file)) throw new Error(`${page} loads ${urlPath}, which is not in the build.`);
    const code = readFileSync(file);
    scripts++;
    raw += code.length;
    gzip += gz(code);
    if (isModule) for (const dep of staticImports(code.toString('utf8'), urlPath)) addExternal(dep, true);
  };

  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const attrs = m[1] ?? '';
    const type = (attr(attrs, 'type') ?? '').toLowerCase();
    if (!EXECUTABLE.has(type)) continue;
    const src = attr(attrs, 'src');
    if (src) {
      addExternal(new URL(src, 'http://x/').pathname, type === 'module');
      continue;
    }
    const code = m[2] ?? '';
    scripts++;
    raw += Buffer.byteLength(code);
    gzip += gz(code);
    if (type === 'module') for (const dep of staticImports(code, page)) addExternal(dep, true);
  }

  const analytics = html.includes('id="analytics-config"');
  const loader = path.join(client, '~partytown', 'partytown.js');
  const afterConsent = gzip + (analytics && existsSync(loader) ? gz(readFileSync(loader)) : 0);
  return { page, scripts, rawBytes: raw, gzipBytes: gzip, afterConsentGzipBytes: afterConsent, analytics, withinBudget: gzip <= BUDGET_BYTES };
}

/** Gzipped size of what Partytown runs off the main thread after consent (service worker with sandbox and worker). */
export function offMainThreadBytes(client: string): number | null {
  const sw = path.join(client, '~partytown', 'partytown-sw.js');
  return existsSync(sw) ? gz(readFileSync(sw)) : null;
}

export async function main(distDir = process.argv[2] ?? process.env.ASTRO_DIST_DIR ?? 'dist'): Promise<PageBudget[]> {
  const client = path.resolve(distDir, 'client');
  if (!existsSync(path.join(client, 'index.html'))) {
    console.log(`No prerendered build at ${client}. Run 'npx astro build' first.`);
    return [];
  }
  const rows = PAGES.map((page) => measurePage(client, page));
  const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;
  console.log(`JavaScript per prerendered page (${client}); budget ${kb(BUDGET_BYTES)} gzipped before consent`);
  console.table(
    rows.map((r) => ({
      page: r.page,
      scripts: r.scripts,
      raw: kb(r.rawBytes),
      'gzip before consent': kb(r.gzipBytes),
      'gzip after analytics consent (main thread)': r.analytics ? kb(r.afterConsentGzipBytes) : 'no analytics id in this build',
      budget: r.withinBudget ? 'ok' : 'OVER',
    })),
  );
  const off = offMainThreadBytes(client);
  if (rows.some((r) => r.analytics) && off !== null) {
    console.log(`After analytics consent, off the main thread: Partytown service worker + sandbox + worker ${kb(off)} gzipped, plus Google's tag (not in the build).`);
  }
  if (rows.some((r) => !r.withinBudget)) process.exitCode = 1;
  return rows;
}

if (import.meta.main) await main();
