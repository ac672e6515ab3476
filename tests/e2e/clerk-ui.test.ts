/**
 * A build with PUBLIC_CLERK_PUBLISHABLE_KEY in Chromium: /sign-in and /sign-up mount Clerk's
 * sign-in and sign-up components, under the site's Content Security Policy. Offline: the
 * browser's requests to the (made-up) Frontend API are answered here by a stand-in SDK that
 * records what it is asked to mount.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { hasChromium, launchBrowser } from './support/browser.ts';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';
import { rememberConsent } from './support/consent.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLERK_DIST = path.join(ROOT, 'dist', 'e2e-clerk');
const FRONTEND_API = 'clerk.artivio.test';
const PUBLISHABLE_KEY = `pk_test_${Buffer.from(`${FRONTEND_API}$`).toString('base64')}`;

/** Stands in for clerk.browser.js: a Clerk global that loads at once and records mounts. */
const FAKE_CLERK_JS = `(function(){
  if (window.Clerk) return;
  function mount(kind){ return function(el, props){ el.setAttribute('data-fake-clerk', kind); el.textContent = JSON.stringify(props || null); }; }
  window.Clerk = { loaded: false, load: function(){ this.loaded = true; return Promise.resolve(); }, addListener: function(){ return function(){}; },
    mountSignIn: mount('sign-in'), mountSignUp: mount('sign-up'), unmountSignIn: function(){}, unmountSignUp: function(){} };
})();`;
const FAKE_CLERK_UI = 'window.__internal_ClerkUICtor = function(){};';

const ready = hasChromium() && hasBuild();
if (!ready) console.warn('SKIPPED: Clerk UI browser test needs a build (npm run build) and Chromium (/usr/bin/chromium or CHROMIUM_PATH).');

describe.skipIf(!ready)('Clerk sign-in and sign-up components (Chromium, Clerk build)', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build', '--outDir', CLERK_DIST], {
      cwd: ROOT,
      env: { ...process.env, PUBLIC_CLERK_PUBLISHABLE_KEY: PUBLISHABLE_KEY, PUBLIC_CLERK_TELEMETRY_DISABLED: 'true' },
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`The Clerk build failed:\n${build.stdout}\n${build.stderr}`);
    [server, browser] = await Promise.all([
      startServer({
        distDir: CLERK_DIST,
        env: { PUBLIC_CLERK_PUBLISHABLE_KEY: PUBLISHABLE_KEY, CLERK_SECRET_KEY: 'sk_test_artivio_e2e', PUBLIC_CLERK_TELEMETRY_DISABLED: 'true', CLERK_API_URL: 'http://127.0.0.1:9' },
      }),
      launchBrowser(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function visit(): Promise<{ context: BrowserContext; frontendApi: string[]; cspViolations: string[]; page: Awaited<ReturnType<BrowserContext['newPage']>> }> {
    const context = await browser.newContext();
    await rememberConsent(context, server.url);
    // The dev-browser cookie a pk_test_ instance's SDK sets on first visit; without it Clerk's
    // middleware sends a document request through the Frontend API (a redirect the stand-in cannot answer).
    await context.addCookies([{ name: '__clerk_db_jwt', value: 'dvb_e2e', url: server.url }]);
    const frontendApi: string[] = [];
    const cspViolations: string[] = [];
    await context.route(`https://${FRONTEND_API}/**`, async (route) => {
      const url = route.request().url();
      frontendApi.push(new URL(url).pathname);
      if (url.includes('/clerk.browser.js')) return route.fulfill({ contentType: 'application/javascript', body: FAKE_CLERK_JS });
      if (url.includes('/ui.browser.js')) return route.fulfill({ contentType: 'application/javascript', body: FAKE_CLERK_UI });
      return route.fulfill({ status: 404, body: '' });
    });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return { context, frontendApi, cspViolations, page };
  }

  it('/sign-in mounts Clerk’s sign-in with hash routing and the page to return to, with no CSP violation', async () => {
    const { context, page, frontendApi, cspViolations } = await visit();
    await page.goto(`${server.url}/sign-in?returnTo=%2Fgallery`);
    const mounted = page.locator('[data-fake-clerk="sign-in"]');
    await mounted.waitFor({ timeout: 15_000 });
    expect(JSON.parse((await mounted.textContent()) ?? 'null')).toMatchObject({ routing: 'hash', signUpUrl: '/sign-up', forceRedirectUrl: '/gallery' });
    expect(await page.locator('form[action="/api/auth/local/sign-in"]').count()).toBe(0);
    expect(frontendApi.some((p) => p.endsWith('/clerk.browser.js'))).toBe(true);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('/sign-up mounts Clerk’s sign-up', async () => {
    const { context, page, cspViolations } = await visit();
    await page.goto(`${server.url}/sign-up`);
    const mounted = page.locator('[data-fake-clerk="sign-up"]');
    await mounted.waitFor({ timeout: 15_000 });
    expect(JSON.parse((await mounted.textContent()) ?? 'null')).toMatchObject({ routing: 'hash', signInUrl: '/sign-in', forceRedirectUrl: '/generate' });
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('private pages send a signed-out visitor to Clerk’s sign-in', async () => {
    const response = await fetch(`${server.url}/gallery`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/sign-in?returnTo=%2Fgallery');
  });
});
