/**
 * The privacy center in a real browser against the built site: edit the profile, record a
 * cookie choice while signed in, download my data (and nobody else can), delete my account
 * and end up signed out with a receipt, with nothing of the account left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hasChromium, launchBrowser } from './support/browser.ts';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';
import { readZip } from '../support/zip.ts';

const ready = hasBuild() && hasChromium();
if (!ready) console.warn('SKIPPED: browser tests need a build (npm run build) and Chromium (/usr/bin/chromium or CHROMIUM_PATH).');

describe.skipIf(!ready)('privacy center in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    // A short job interval so a retried step would not keep the test waiting.
    [server, browser] = await Promise.all([startServer({ env: { JOB_INTERVAL_MS: '1000' } }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signIn(email: string, name: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in?returnTo=/account`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Display name').fill(name);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/account');
    return { context, page };
  }

  async function generate(page: Page, prompt: string): Promise<void> {
    const status = await page.evaluate(async (p) => {
      const response = await fetch('/api/trpc/generate.create', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: p, model: 'dreamshaper-8-lcm', width: 512, height: 512, seed: 7 }),
      });
      return response.status;
    }, prompt);
    expect(status).toBe(200);
  }

  it('edits the profile, keeps marketing email off by default, and passes axe-core', async () => {
    const { context, page } = await signIn('grace@example.com', 'Grace');
    await page.getByRole('button', { name: 'Reject all' }).first().click();
    const name = page.getByLabel('Display name');
    const marketing = page.getByLabel(/Email me now and then/);
    await name.waitFor();
    expect(await marketing.isChecked()).toBe(false);

    await name.fill('Grace Hopper');
    await marketing.check();
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => page.getByText('Saved.').isVisible()).toBe(true);
    await page.reload();
    expect(await page.getByLabel('Display name').inputValue()).toBe('Grace Hopper');
    expect(await page.getByLabel(/Email me now and then/).isChecked()).toBe(true);

    await page.getByLabel('Display name').fill('');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => page.getByText('Display name is required.').isVisible()).toBe(true);

    // Through DevTools, not an inline <script>: the page's CSP would refuse one.
    await page.evaluate(axe.source);
    const violations = await page.evaluate(async () => {
      const runner = (window as unknown as { axe: typeof axe }).axe;
      const result = await runner.run({ include: [['.pc-profile'], ['.privacy-center']] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    expect(violations).toEqual([]);
    await context.close();
  });

  it('prepares a download with every image and the cookie choice; the link works only for its owner', async () => {
    const { context, page } = await signIn('ada@example.com', 'Ada');
    await page.getByRole('button', { name: 'Reject all' }).first().click();
    await generate(page, 'a red fox asleep in deep snow');
    await generate(page, 'a brass telescope on a windowsill');
    // A choice made while signed in is recorded server-side too.
    await page.getByRole('button', { name: 'Cookie settings' }).first().click();
    await page.locator('#consent-preferences').check();
    await page.getByRole('button', { name: 'Save my choices' }).click();

    await page.getByRole('button', { name: 'Prepare my download' }).click();
    const link = page.getByRole('link', { name: /Download ZIP/ });
    await link.waitFor({ timeout: 30_000 });
    expect(await page.getByText(/Only you can use this link, until/).isVisible()).toBe(true);
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^\/api\/privacy\/export\/exp_/);

    const response = await context.request.get(server.url + href);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/zip');
    const files = await readZip(await response.body());
    const images = JSON.parse(files.get('images.json')!.toString()) as Array<{ prompt: string; file: string }>;
    expect(images.map((i) => i.prompt).sort()).toEqual(['a brass telescope on a windowsill', 'a red fox asleep in deep snow']);
    for (const image of images) expect(files.get(image.file)?.subarray(1, 4).toString()).toBe('PNG');
    const consents = JSON.parse(files.get('consents.json')!.toString()) as Array<{ categories: Record<string, boolean> }>;
    expect(consents.at(-1)?.categories).toMatchObject({ analytics: false, preferences: true });

    const other = await signIn('bob@example.com', 'Bob');
    expect((await other.context.request.get(server.url + href)).status()).toBe(404);
    expect((await fetch(server.url + href)).status).toBe(404);
    await other.context.close();
    await context.close();
  });

  it('deletes the account after the typed phrase, signs the person out and shows the receipt', async () => {
    const { context, page } = await signIn('linus@example.com', 'Linus');
    await page.getByRole('button', { name: 'Reject all' }).first().click();
    await generate(page, 'a lighthouse in a storm');

    const confirm = page.getByLabel(/to confirm/);
    const button = page.getByRole('button', { name: 'Delete my account' });
    await confirm.fill('delete my acount');
    expect(await button.isDisabled()).toBe(true);
    await confirm.fill('Delete my account');
    await button.click();

    await page.waitForURL((url) => url.pathname.startsWith('/deletion/del_'), { timeout: 10_000 });
    const receipt = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect(await page.locator('.pc-receipt').textContent()).toBe(receipt);
    expect(await page.getByRole('heading', { name: 'Account deletion receipt' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Everything is deleted.').isVisible(), { timeout: 30_000 }).toBe(true);
    expect((await context.cookies()).some((c) => c.name === 'artivio_session')).toBe(false);
    // The header, rendered for this request, shows a signed-out visitor.
    await expect.poll(() => page.locator('header').getByRole('link', { name: 'Sign in' }).isVisible()).toBe(true);
    expect((await page.locator('main').textContent())?.toLowerCase()).not.toContain('linus');
    expect((await fetch(`${server.url}/deletion/del_unknown`)).status).toBe(404);

    await page.goto(server.url + '/account');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    const gone = await context.request.get(`${server.url}/api/trpc/privacy.receipt?input=${encodeURIComponent(JSON.stringify({ id: receipt }))}`);
    const body = await gone.text();
    expect(body).toContain('"state":"done"');
    expect(body).not.toContain('linus');

    // Signing in again with the same email starts from nothing.
    const again = await signIn('linus@example.com', 'Linus');
    const list = await again.page.evaluate(async () => (await fetch('/api/trpc/gallery.list')).json());
    expect(JSON.stringify(list)).not.toContain('lighthouse');
    await again.context.close();
    await context.close();
  });
});
