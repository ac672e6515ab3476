/**
 * Cookie consent and analytics in a real browser. The site is built once more, into its own
 * folder, with a test measurement id, because the regular build has none (and must then hold
 * no analytics code at all, which the last test checks). Every request to a Google host is
 * intercepted: the tag is answered with a stand-in that sets `_ga` cookies and sends a hit
 * every 200 ms from Partytown's worker, so "no further hit" really means the worker stopped.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hasChromium, launchBrowser } from './support/browser.ts';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';
import { storedConsent } from './support/consent.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const GA_ID = 'G-TEST0000';
const ANALYTICS_DIST = path.join(ROOT, 'dist', 'e2e-analytics');
const GOOGLE_HOST = /(^|\.)(google-analytics\.com|googletagmanager\.com|doubleclick\.net|google\.com|googleapis\.com|gstatic\.com)$/;

/** Stands in for gtag.js inside Partytown's worker: cookies like GA's, and a hit now and every 200 ms. */
const FAKE_TAG = `(function(){
  document.cookie = '_ga=GA1.1.123456789.1736900000; path=/; max-age=63072000';
  document.cookie = '_ga_TEST0000=GS1.1.1736900000.1.0.1736900000.0.0.0; path=/; max-age=63072000';
  function hit(){ fetch('https://www.google-analytics.com/g/collect?v=2&tid=${GA_ID}&en=page_view&dl=' + encodeURIComponent(location.href), { method: 'POST', mode: 'no-cors' }).catch(function(){}); }
  hit(); setInterval(hit, 200);
})();`;

const ready = hasChromium() && hasBuild();
if (!ready) console.warn('SKIPPED: consent browser tests need a build (npm run build) and Chromium (/usr/bin/chromium or CHROMIUM_PATH).');

interface Visit {
  context: BrowserContext;
  page: Page;
  /** Every request to a Google host the browser attempted (page, worker or service worker). */
  google: string[];
  hits: () => number;
}

describe.skipIf(!ready)('cookie consent and analytics (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build', '--outDir', ANALYTICS_DIST], {
      cwd: ROOT,
      env: { ...process.env, PUBLIC_GA_MEASUREMENT_ID: GA_ID, PUBLIC_GTM_ID: '' },
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`The analytics build failed:\n${build.stdout}\n${build.stderr}`);
    // The server gets the id too: its Content-Security-Policy header lets the analytics hosts in only when one is set.
    [server, browser] = await Promise.all([startServer({ distDir: ANALYTICS_DIST, env: { PUBLIC_GA_MEASUREMENT_ID: GA_ID } }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function visit(path: string, options: { gpcScript?: boolean; gpcHeader?: boolean } = {}): Promise<Visit> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...(options.gpcHeader ? { extraHTTPHeaders: { 'Sec-GPC': '1' } } : {}) });
    if (options.gpcScript) {
      await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true }));
    }
    const google: string[] = [];
    context.on('request', (request) => {
      if (GOOGLE_HOST.test(new URL(request.url()).hostname)) google.push(request.url());
    });
    await context.route(
      (url) => GOOGLE_HOST.test(url.hostname),
      (route) =>
        route.request().url().includes('/gtag/js')
          ? route.fulfill({ status: 200, headers: { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' }, body: FAKE_TAG })
          : route.fulfill({ status: 204, headers: { 'access-control-allow-origin': '*' } }),
    );
    const page = await context.newPage();
    await page.goto(server.url + path);
    await page.locator('#consent-banner').or(page.locator('footer')).first().waitFor();
    return { context, page, google, hits: () => google.filter((u) => u.includes('/g/collect')).length };
  }

  const gaCookies = async (context: BrowserContext) => (await context.cookies()).filter((c) => c.name.startsWith('_ga')).map((c) => c.name);
  const banner = (page: Page) => page.locator('#consent-banner');

  it('before any choice: the banner is shown, no Google host is even contacted and no _ga cookie exists', async () => {
    const { context, page, google } = await visit('/');
    await expect.poll(() => banner(page).isVisible()).toBe(true);
    await page.waitForLoadState('networkidle');
    expect(google).toEqual([]);
    expect(await gaCookies(context)).toEqual([]);
    expect(await page.locator('script[type^="text/partytown"], iframe[src*="partytown"]').count()).toBe(0);
    expect(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length))).toBe(0);
    await context.close();
  });

  it('accept all is one click; the tag then runs through Partytown, and withdrawing removes _ga cookies and stops hits', async () => {
    const { context, page, google, hits } = await visit('/pricing');
    await page.getByRole('button', { name: 'Accept all' }).first().click();
    await expect.poll(() => banner(page).isVisible()).toBe(false);
    expect(await storedConsent(context)).toMatchObject({ analytics: '1', performance: '1', preferences: '1' });

    await expect.poll(() => google.some((u) => u.startsWith(`https://www.googletagmanager.com/gtag/js?id=${GA_ID}`))).toBe(true);
    expect(await page.locator(`script[type^="text/partytown"][src*="gtag/js?id=${GA_ID}"]`).count()).toBe(1);
    await expect.poll(hits).toBeGreaterThan(0);
    await expect.poll(() => gaCookies(context)).toEqual(expect.arrayContaining(['_ga', '_ga_TEST0000']));
    // The hit carries the page without query string or fragment.
    expect(google.find((u) => u.includes('/g/collect'))).toBeTruthy();

    await page.locator('footer [data-cookie-settings]').click();
    const settings = page.getByRole('dialog', { name: 'Cookie settings' });
    await expect.poll(() => settings.isVisible()).toBe(true);
    expect(await page.locator('#consent-analytics').isChecked()).toBe(true);
    await page.locator('#consent-analytics').uncheck();
    await settings.getByRole('button', { name: 'Save my choices' }).click();

    await expect.poll(() => gaCookies(context)).toEqual([]);
    expect(await storedConsent(context)).toMatchObject({ analytics: '0', performance: '1', preferences: '1' });
    const before = hits();
    // The stand-in sends a hit every 200 ms while its worker lives; a second and a half of silence means it is gone.
    await page.waitForTimeout(1500);
    expect(hits()).toBe(before);
    expect(await gaCookies(context)).toEqual([]);

    // The next page load stays quiet too.
    const loadsBefore = google.length;
    await page.goto(server.url + '/privacy');
    await page.waitForLoadState('networkidle');
    expect(google.length).toBe(loadsBefore);
    expect(await banner(page).isVisible()).toBe(false);
    await context.close();
  });

  it('reject all is one click and loads nothing, on this page or the next', async () => {
    const { context, page, google } = await visit('/');
    await page.getByRole('button', { name: 'Reject all' }).first().click();
    await expect.poll(() => banner(page).isVisible()).toBe(false);
    expect(await storedConsent(context)).toMatchObject({ analytics: '0', performance: '0', preferences: '0' });
    await page.goto(server.url + '/terms');
    await page.waitForLoadState('networkidle');
    expect(await banner(page).isVisible()).toBe(false);
    expect(google).toEqual([]);
    expect(await gaCookies(context)).toEqual([]);
    await context.close();
  });

  it('with Global Privacy Control analytics stays off, even after "Accept all", unless switched on by hand', async () => {
    const { context, page, google } = await visit('/', { gpcScript: true, gpcHeader: true });
    await expect.poll(() => banner(page).getByText(/Global Privacy Control/).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Accept all' }).first().click();
    expect(await storedConsent(context)).toMatchObject({ analytics: '0', performance: '1', preferences: '1' });
    // Give a wrongly loaded tag time to show itself (Playwright's "networkidle" can miss keepalive requests).
    await page.waitForTimeout(1000);
    expect(google).toEqual([]);

    await page.locator('footer [data-cookie-settings]').click();
    await expect.poll(() => page.getByRole('dialog', { name: 'Cookie settings' }).getByText(/Global Privacy Control/).isVisible()).toBe(true);
    expect(await page.locator('#consent-analytics').isChecked()).toBe(false);
    await page.locator('#consent-analytics').check();
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await expect.poll(() => google.some((u) => u.includes('/gtag/js'))).toBe(true);
    await context.close();
  });

  it('an on-demand page reads the Sec-GPC header itself', async () => {
    const { context, page } = await visit('/sign-in', { gpcHeader: true });
    expect(await banner(page).getAttribute('data-gpc')).toBe('1');
    await expect.poll(() => banner(page).getByText(/Global Privacy Control/).isVisible()).toBe(true);
    await context.close();
  });

  it('a new policy version asks again', async () => {
    const { context, page } = await visit('/');
    await page.getByRole('button', { name: 'Reject all' }).first().click();
    const cookie = (await context.cookies()).find((c) => c.name === 'artivio_consent')!;
    await context.addCookies([{ ...cookie, value: cookie.value.replace(/v%3D[^%]+/, 'v%3D2020-01-01') }]);
    await page.reload();
    await expect.poll(() => banner(page).isVisible()).toBe(true);
    await context.close();
  });

  it('the panel works from the keyboard: tab to the choices, Escape closes settings and returns focus', async () => {
    const { context, page } = await visit('/');
    await expect.poll(() => banner(page).isVisible()).toBe(true);
    const focused = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.textContent?.trim() ?? '');
    const reached: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      reached.push(await focused());
    }
    // Right after the skip link: both choices are a few key presses away, before the page's own links.
    expect(reached).toEqual(expect.arrayContaining(['Accept all', 'Reject all', 'Customise']));
    while ((await focused()) !== 'Customise') await page.keyboard.press('Shift+Tab');

    await page.keyboard.press('Enter');
    const settings = page.getByRole('dialog', { name: 'Cookie settings' });
    await expect.poll(() => settings.isVisible()).toBe(true);
    expect(await page.evaluate(() => document.getElementById('consent-dialog')!.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => settings.isVisible()).toBe(false);
    expect(await focused()).toBe('Customise');

    await page.keyboard.press('Enter');
    await expect.poll(() => settings.isVisible()).toBe(true);
    for (let i = 0; i < 12 && (await page.evaluate(() => document.activeElement?.id)) !== 'consent-preferences'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    for (let i = 0; i < 12 && (await focused()) !== 'Save my choices'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => settings.isVisible()).toBe(false);
    expect(await storedConsent(context)).toMatchObject({ analytics: '0', performance: '0', preferences: '1' });
    expect(await banner(page).isVisible()).toBe(false);
    await context.close();
  });

  it('the banner and the settings dialog pass axe-core (WCAG 2.1 A and AA)', async () => {
    const { context, page } = await visit('/');
    await expect.poll(() => banner(page).isVisible()).toBe(true);
    // Through DevTools, not an inline <script>: the page's CSP would refuse one.
    await page.evaluate(axe.source);
    const check = (selector: string) =>
      page.evaluate(async (include) => {
        const runner = (window as unknown as { axe: typeof axe }).axe;
        const result = await runner.run({ include: [include] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      }, selector);
    expect(await check('#consent-banner')).toEqual([]);
    await page.getByRole('button', { name: 'Customise' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'Cookie settings' }).isVisible()).toBe(true);
    expect(await check('#consent-dialog')).toEqual([]);
    await context.close();
  });

  it('a build without an analytics id holds no analytics code at all', () => {
    for (const page of ['index.html', 'pricing/index.html', 'privacy/index.html', 'terms/index.html', 'cookies/index.html']) {
      const html = readFileSync(path.join(ROOT, 'dist', 'client', page), 'utf8');
      expect(html).toContain('id="consent-banner"');
      expect(html).not.toMatch(/partytown\.js|googletagmanager|analytics-config|gtag\(/);
    }
    const withId = readFileSync(path.join(ANALYTICS_DIST, 'client', 'index.html'), 'utf8');
    expect(withId).toContain('id="analytics-config"');
  });
});
