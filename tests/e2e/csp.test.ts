/**
 * The Content Security Policy in a real browser: every page and flow, with the policy on,
 * raises no violation (collected from `securitypolicyviolation` events and console errors).
 * Once on the regular build, and once on a build with an analytics id where Partytown starts
 * after consent. The policy itself is checked too: hashes for scripts (no blanket
 * 'unsafe-inline', no 'unsafe-eval'), frame-ancestors 'none' and friends in the header.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hasChromium, launchBrowser } from './support/browser.ts';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ANALYTICS_DIST = path.join(ROOT, 'dist', 'e2e-csp-analytics');
const GOOGLE_HOST = /(^|\.)(google-analytics\.com|googletagmanager\.com|doubleclick\.net|google\.com)$/;

const ready = hasChromium() && hasBuild();
if (!ready) console.warn('SKIPPED: CSP browser tests need a build (npm run build) and Chromium (/usr/bin/chromium or CHROMIUM_PATH).');

const PUBLIC_PAGES = ['/', '/pricing', '/privacy', '/terms', '/cookies', '/sign-in', '/no-such-page'];

interface Watched {
  context: BrowserContext;
  page: Page;
  violations(): Promise<string[]>;
}

/** A browser context that records every CSP violation on every page it opens. */
async function watch(browser: Browser): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber}) ${e.sample}`));
  });
  // Nothing leaves the machine: Google hosts get a harmless stand-in.
  await context.route(
    (url) => GOOGLE_HOST.test(url.hostname),
    (route) => route.fulfill({ status: 200, headers: { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' }, body: '/* stand-in */' }),
  );
  const consoleErrors: string[] = [];
  const page = await context.newPage();
  const listen = (p: Page) =>
    p.on('console', (message) => {
      if (/content security policy/i.test(message.text())) consoleErrors.push(`${p.url()}: ${message.text()}`);
    });
  listen(page);
  context.on('page', listen);
  const collected: string[] = [];
  // Events are per document: collect before each navigation replaces the window.
  page.on('framenavigated', () => undefined);
  return {
    context,
    page,
    async violations() {
      const current = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []).catch(() => []);
      return [...collected, ...current, ...consoleErrors];
    },
  };
}

/**
 * Navigates and waits for the page to settle, keeping the violations of the page being left.
 * With Partytown running the network never goes idle (its worker keeps talking to its service
 * worker), so those pages get the load event and a moment for the worker to run the tags.
 */
async function visit(w: Watched, url: string, seen: string[], settle: 'idle' | 'partytown' = 'idle'): Promise<void> {
  seen.push(...(await w.violations()).map((v) => `${w.page.url()}: ${v}`));
  await w.page.goto(url);
  if (settle === 'idle') await w.page.waitForLoadState('networkidle');
  else await w.page.waitForTimeout(1000);
}

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe.skipIf(!ready)('Content Security Policy (Chromium)', () => {
  let server: RunningServer;
  let analytics: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build', '--outDir', ANALYTICS_DIST], {
      cwd: ROOT,
      env: { ...process.env, PUBLIC_GA_MEASUREMENT_ID: 'G-CSPTEST00', PUBLIC_GTM_ID: '' },
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`The analytics build failed:\n${build.stdout}\n${build.stderr}`);
    [server, analytics, browser] = await Promise.all([startServer(), startServer({ distDir: ANALYTICS_DIST, env: { PUBLIC_GA_MEASUREMENT_ID: 'G-CSPTEST00' } }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([server?.stop(), analytics?.stop()]);
  });

  it('sends a policy: script and style hashes in the page, the rest in the header', async () => {
    const response = await fetch(server.url + '/pricing');
    const header = directives(response.headers.get('content-security-policy') ?? '');
    expect(header.get('frame-ancestors')).toEqual(["'none'"]);
    expect(header.get('base-uri')).toEqual(["'self'"]);
    expect(header.get('object-src')).toEqual(["'none'"]);
    expect(header.get('form-action')).toEqual(["'self'"]);
    expect(header.get('connect-src')).toEqual(["'self'"]);
    expect(header.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(header.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(header.has('script-src')).toBe(false);

    const html = await response.text();
    const meta = /<meta http-equiv="content-security-policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeTruthy();
    const page = directives(meta!);
    const scripts = page.get('script-src')!;
    expect(scripts).toContain("'self'");
    expect(scripts.some((s) => s.startsWith("'sha256-"))).toBe(true);
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(scripts).not.toContain("'unsafe-eval'");
    expect(meta).not.toContain('unsafe-eval');

    // On-demand pages get Astro's hashes in the header instead, joined with ours in one policy.
    const onDemand = directives((await fetch(server.url + '/sign-in')).headers.get('content-security-policy') ?? '');
    expect(onDemand.get('script-src')).toEqual(expect.arrayContaining(["'self'", expect.stringMatching(/^'sha256-/)]));
    expect(onDemand.get('script-src')).not.toContain("'unsafe-inline'");
    expect(onDemand.get('frame-ancestors')).toEqual(["'none'"]);

    // With an analytics id, the header lets the tag's hosts in.
    const withAnalytics = directives((await fetch(analytics.url + '/')).headers.get('content-security-policy') ?? '');
    expect(withAnalytics.get('connect-src')).toEqual(expect.arrayContaining(["'self'", 'https://*.google-analytics.com', 'https://*.googletagmanager.com']));
  });

  it('notices a violation when there is one (the watcher works)', async () => {
    const w = await watch(browser);
    await w.page.goto(server.url + '/pricing');
    await w.page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true';
      document.head.append(script);
      document.body.insertAdjacentHTML('beforeend', '<img src="https://images.elsewhere.example/x.png" alt="">');
    });
    await expect.poll(async () => (await w.violations()).join('\n')).toMatch(/script-src-elem[\s\S]*img-src|img-src[\s\S]*script-src-elem/);
    expect(await w.page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    await w.context.close();
  });

  it('every public page and the consent choices run without a violation', async () => {
    const w = await watch(browser);
    const seen: string[] = [];
    for (const page of PUBLIC_PAGES) await visit(w, server.url + page, seen);
    await visit(w, server.url + '/', seen);
    await w.page.getByRole('button', { name: 'Reject all' }).first().click();
    await w.page.locator('footer [data-cookie-settings]').click();
    await w.page.getByRole('dialog', { name: 'Cookie settings' }).waitFor();
    await w.page.locator('#consent-analytics').check();
    await w.page.getByRole('button', { name: 'Save my choices' }).click();
    await visit(w, server.url + '/pricing', seen);
    seen.push(...(await w.violations()));
    await w.context.close();
    expect(seen).toEqual([]);
  }, 60_000);

  it('signing in, generating, the gallery (open, delete), the account page and local billing run without a violation', async () => {
    const w = await watch(browser);
    const seen: string[] = [];
    const { page } = w;
    await visit(w, server.url + '/sign-in?returnTo=%2Fgenerate', seen);
    await page.getByRole('button', { name: 'Accept all' }).first().click();
    await page.getByLabel('Email').fill('csp@example.com');
    await page.getByLabel('Display name').fill('Csp Person');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/generate');
    await page.waitForLoadState('networkidle');

    await page.getByLabel('Prompt', { exact: true }).fill('A lighthouse under a strict policy');
    await page.getByRole('button', { name: /^Generate/ }).click();
    await page.locator('.gen-results img').first().waitFor({ state: 'visible', timeout: 30_000 });

    await visit(w, server.url + '/gallery', seen);
    const tile = page.locator('button.thumb').first();
    await tile.waitFor({ state: 'visible' });
    await tile.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: /delete/i }).first().click();
    await page.getByRole('alertdialog').or(page.getByRole('dialog').last()).getByRole('button', { name: /^delete/i }).last().click();
    await page.waitForLoadState('networkidle');

    await visit(w, server.url + '/account', seen);
    await visit(w, server.url + '/billing/local-checkout?plan=plus', seen);
    await visit(w, server.url + '/pricing', seen);
    seen.push(...(await w.violations()));
    await w.context.close();
    expect(seen).toEqual([]);
  }, 90_000);

  it('with analytics: accepting starts Partytown (worker and service worker) without a violation, and rejecting too', async () => {
    const w = await watch(browser);
    const seen: string[] = [];
    await visit(w, analytics.url + '/pricing', seen);
    await w.page.getByRole('button', { name: 'Accept all' }).first().click();
    // Partytown's sandbox iframe appears once its service worker is in place.
    await w.page.locator('iframe[src*="partytown"]').waitFor({ state: 'attached', timeout: 15_000 });
    await w.page.waitForTimeout(1000);
    await visit(w, analytics.url + '/privacy', seen, 'partytown');
    await w.page.locator('iframe[src*="partytown"]').waitFor({ state: 'attached', timeout: 15_000 });
    await w.page.locator('footer [data-cookie-settings]').click();
    await w.page.locator('#consent-analytics').uncheck();
    await w.page.getByRole('button', { name: 'Save my choices' }).click();
    await visit(w, analytics.url + '/', seen);
    seen.push(...(await w.violations()));
    await w.context.close();
    expect(seen).toEqual([]);
  }, 60_000);
});

describe.skipIf(!hasBuild())('headers and cookies in production', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ env: { NODE_ENV: 'production', ALLOW_LOCAL_AUTH_IN_PRODUCTION: '1', ALLOW_LOCAL_BILLING_IN_PRODUCTION: '1' } });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('sends HSTS on static and on-demand pages and marks the session cookie Secure and HttpOnly', async () => {
    for (const path of ['/pricing', '/sign-in', '/api/health']) {
      const response = await fetch(server.url + path);
      expect(response.headers.get('strict-transport-security'), path).toBe('max-age=63072000; includeSubDomains; preload');
      expect(response.headers.get('content-security-policy'), path).toContain('upgrade-insecure-requests');
    }
    const signIn = await fetch(server.url + '/api/auth/local/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: 'prod@example.com', name: 'Prod' }),
    });
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
  });
});
