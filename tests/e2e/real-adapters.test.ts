/**
 * The walking-skeleton flow in Chromium with the site on its production adapters: MongoDB (the
 * FerretDB peer), R2 (the MinIO peer, images served by presigned URL) and Workers AI (the fake
 * server speaking its REST contract).
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchBrowser } from './support/browser.ts';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';
import { startFakeWorkersAi, type FakeWorkersAi } from '../support/fake-workers-ai.ts';
import { requirePeer, skipPeer, startFerret, startMinio, type FerretPeer, type MinioPeer } from '../support/peers.ts';

const distDir = process.env.ASTRO_DIST_DIR;
const ready = hasBuild(distDir) && hasChromium();
if (!ready) console.warn('SKIPPED: browser test on real adapters needs a build (npm run build) and Chromium (/usr/bin/chromium or CHROMIUM_PATH).');
const skip = !ready || skipPeer('ferretdb', 'browser test on real adapters') || skipPeer('minio', 'browser test on real adapters');

describe.skipIf(skip)('walking skeleton in Chromium on MongoDB, R2 and Workers AI', () => {
  let ferret: FerretPeer;
  let minio: MinioPeer;
  let ai: FakeWorkersAi;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [ferret, minio, ai, browser] = await Promise.all([startFerret().then(requirePeer), startMinio().then(requirePeer), startFakeWorkersAi(), launchBrowser()]);
    const admin = new S3Client({ region: minio.region, endpoint: minio.url, forcePathStyle: true, credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey } });
    await admin.send(new CreateBucketCommand({ Bucket: 'artivio' }));
    admin.destroy();
    server = await startServer({
      ...(distDir ? { distDir } : {}),
      env: {
        MONGODB_URI: ferret.uri,
        R2_ENDPOINT: minio.url,
        R2_ACCESS_KEY_ID: minio.accessKey,
        R2_SECRET_ACCESS_KEY: minio.secretKey,
        R2_BUCKET: 'artivio',
        CLOUDFLARE_ACCOUNT_ID: ai.accountId,
        CLOUDFLARE_API_TOKEN: ai.apiToken,
        CLOUDFLARE_API_BASE_URL: ai.baseUrl,
      },
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await Promise.allSettled([ferret?.stop(), minio?.stop(), ai?.close()]);
  });

  it('signs in, generates through Workers AI, sees the image from the bucket, finds it after a reload and deletes it', async () => {
    await page.goto(server.url + '/generate');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/sign-in');
    await page.getByLabel('Email').fill('new.person@example.com');
    await page.getByLabel('Display name').fill('New Person');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/generate');

    await page.getByLabel('Prompt', { exact: true }).fill('A lighthouse on a cliff at dusk');
    await page.getByRole('button', { name: /^Generate/ }).click();
    const result = page.locator('.gen-results img').first();
    await result.waitFor({ state: 'visible', timeout: 30_000 });
    // The picture really loaded from the bucket (a broken presigned URL leaves naturalWidth at 0).
    await expect.poll(() => result.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    expect((await result.getAttribute('src'))?.startsWith(`${minio.url}/artivio/`)).toBe(true);
    expect(ai.requests.filter((r) => r.status === 200)).toHaveLength(1);

    await page.goto(server.url + '/gallery');
    await page.reload();
    const tile = page.locator('button.thumb').first();
    await tile.waitFor({ state: 'visible' });
    expect(await page.locator('button.thumb').count()).toBe(1);
    await expect.poll(() => tile.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);

    await tile.click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByText('A lighthouse on a cliff at dusk').first().isVisible()).toBe(true);
    await dialog.getByRole('button', { name: /delete/i }).first().click();
    await page.getByRole('alertdialog').or(page.getByRole('dialog').last()).getByRole('button', { name: /^delete/i }).last().click();
    await expect.poll(() => page.locator('button.thumb').count()).toBe(0);
    await page.reload();
    await page.getByText(/no images yet|generate your first|nothing here/i).first().waitFor();
  });
});
