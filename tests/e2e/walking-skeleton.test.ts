/**
 * The main job in a real browser against the built site: a new person signs in, generates an
 * image, finds it in the gallery after a reload, opens it and deletes it.
 */
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchBrowser } from './support/browser.ts';
import { rememberConsent } from './support/consent.ts';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';

const ready = hasBuild() && hasChromium();
if (!ready) console.warn('SKIPPED: browser tests need a build (npm run build) and Chromium (/usr/bin/chromium or CHROMIUM_PATH).');

describe.skipIf(!ready)('walking skeleton in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // The consent banner has its own tests; here it would only cover the page.
    await rememberConsent(context, server.url);
    page = await context.newPage();
    await mkdir('test-results', { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves the privacy policy and pricing as static HTML', async () => {
    for (const path of ['/privacy', '/pricing']) {
      const response = await fetch(server.url + path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('etag')).toMatch(/^"/);
      const html = await response.text();
      expect(html).toContain('<footer');
    }
    const privacy = await (await fetch(server.url + '/privacy')).text();
    expect(privacy).toMatch(/Effective/i);
    expect(privacy).toContain('privacy@example.com');
    const pricing = await (await fetch(server.url + '/pricing')).text();
    expect(pricing).toMatch(/Free/);
    expect(pricing).toMatch(/Pro/);
  });

  it('sends a signed-out visitor to sign-in and back, then generates, lists, opens and deletes an image', async () => {
    await page.goto(server.url + '/generate');
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await page.getByLabel('Email').fill('new.person@example.com');
    await page.getByLabel('Display name').fill('New Person');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/generate');

    // The island says so once it knows which model the server runs.
    await page.getByText(/local preview model/i).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.getByLabel('Prompt', { exact: true }).fill('A lighthouse on a cliff at dusk');
    await page.getByRole('button', { name: /^Generate/ }).click();
    const result = page.locator('.gen-results img').first();
    await result.waitFor({ state: 'visible', timeout: 30_000 });
    await page.screenshot({ path: 'test-results/generator.png', fullPage: true });

    await page.goto(server.url + '/gallery');
    await page.reload();
    const tile = page.locator('button.thumb').first();
    await tile.waitFor({ state: 'visible' });
    expect(await page.locator('button.thumb').count()).toBe(1);
    await page.screenshot({ path: 'test-results/gallery.png', fullPage: true });

    await tile.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('A lighthouse on a cliff at dusk').first().waitFor({ state: 'visible', timeout: 10_000 });
    await dialog.getByRole('button', { name: /delete/i }).first().click();
    await page.getByRole('alertdialog').or(page.getByRole('dialog').last()).getByRole('button', { name: /^delete/i }).last().click();
    await expect.poll(() => page.locator('button.thumb').count(), { timeout: 10_000 }).toBe(0);

    await page.reload();
    await page.getByText(/no images yet|generate your first|nothing here/i).first().waitFor();
    expect(await page.locator('button.thumb').count()).toBe(0);
  });

  it('answers another person’s image id like a missing one', async () => {
    const signIn = async (email: string) => {
      const response = await fetch(server.url + '/api/auth/local/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ email, name: email }),
      });
      return response.headers.get('set-cookie')!.split(';')[0]!;
    };
    const ada = await signIn('ada@example.com');
    const bob = await signIn('bob@example.com');
    const created = await fetch(server.url + '/api/trpc/generate.create', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url, cookie: ada },
      body: JSON.stringify({ prompt: 'private', model: 'dreamshaper-8-lcm', width: 512, height: 512 }),
    });
    const id = ((await created.json()) as { result: { data: { images: Array<{ id: string }> } } }).result.data.images[0]!.id;
    const own = await fetch(`${server.url}/media/${id}`, { headers: { cookie: ada } });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('image/png');
    expect(own.headers.get('cache-control')).toContain('private');
    const foreign = await fetch(`${server.url}/media/${id}`, { headers: { cookie: bob } });
    const missing = await fetch(`${server.url}/media/00000000-0000-0000-0000-000000000000`, { headers: { cookie: bob } });
    expect([foreign.status, await foreign.text()]).toEqual([missing.status, await missing.text()]);
    expect(foreign.status).toBe(404);
  });

  it('tells a person whose monthly allowance is used up before they press Generate', async () => {
    const signIn = await fetch(server.url + '/api/auth/local/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: 'spent@example.com', name: 'Spent' }),
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const generate = (count: number) =>
      fetch(server.url + '/api/trpc/generate.create', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url, cookie },
        body: JSON.stringify({ prompt: 'filler', model: 'dreamshaper-8-lcm', width: 512, height: 512, count }),
      });
    for (let i = 0; i < 6; i++) expect((await generate(4)).status).toBe(200);
    expect((await generate(1)).status).toBe(200);
    expect((await generate(1)).status).toBe(429);

    const context = await browser.newContext();
    await rememberConsent(context, server.url);
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    const spent = await context.newPage();
    await spent.goto(server.url + '/generate');
    await spent.getByText(/You have used all 25 images in your plan this month/).waitFor({ timeout: 15_000 });
    expect(await spent.getByRole('button', { name: /^Generate/ }).isDisabled()).toBe(true);
    await context.close();
  });

  it('refuses a cross-site mutation with 403 and an oversized body with 413', async () => {
    const cross = await fetch(server.url + '/api/auth/local/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ email: 'x@example.com', name: 'x' }),
    });
    expect(cross.status).toBe(403);
    const big = await fetch(server.url + '/api/trpc/generate.create', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: 'x'.repeat(12 * 1024 * 1024),
    });
    expect(big.status).toBe(413);
    expect((await fetch(server.url + '/api/health')).status).toBe(200);
  });
});
