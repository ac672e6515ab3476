/**
 * Two server processes behind one MongoDB (the FerretDB peer), one bucket (the MinIO peer) and
 * the fake Workers AI server, sharing only SESSION_SECRET: a person signs in and generates
 * through one, and reads their gallery, usage and image bytes through the other. Proves the
 * server keeps no per-user state in memory that matters.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBuild, startServer, type RunningServer } from '../e2e/support/server.ts';
import { startFakeWorkersAi, type FakeWorkersAi } from '../support/fake-workers-ai.ts';
import { requirePeer, skipPeer, startFerret, startMinio, type FerretPeer, type MinioPeer } from '../support/peers.ts';

const distDir = process.env.ASTRO_DIST_DIR;
const built = hasBuild(distDir);
if (!built) console.warn('SKIPPED: two instances: no build at dist/server/entry.mjs (run npm run build; npm test does).');
const skip = !built || skipPeer('ferretdb', 'two instances') || skipPeer('minio', 'two instances');

interface Client {
  server: RunningServer;
  cookie: string;
}

async function trpcMutation(client: Client, path: string, input: unknown): Promise<{ status: number; body: { result?: { data: unknown }; error?: { message: string } } }> {
  const response = await fetch(`${client.server.url}/api/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: client.cookie, origin: client.server.url },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as never };
}

async function trpcQuery<T>(client: Client, path: string, input?: unknown): Promise<T> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${client.server.url}/api/trpc/${path}${query}`, { headers: { cookie: client.cookie } });
  const body = (await response.json()) as { result: { data: T } };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.result.data;
}

describe.skipIf(skip)('two server instances on one MongoDB and one bucket', () => {
  let ferret: FerretPeer;
  let minio: MinioPeer;
  let ai: FakeWorkersAi;
  let a: RunningServer;
  let b: RunningServer;
  let asA: Client;
  let asB: Client;

  beforeAll(async () => {
    [ferret, minio, ai] = await Promise.all([startFerret().then(requirePeer), startMinio().then(requirePeer), startFakeWorkersAi()]);
    const admin = new S3Client({ region: minio.region, endpoint: minio.url, forcePathStyle: true, credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey } });
    await admin.send(new CreateBucketCommand({ Bucket: 'artivio' }));
    admin.destroy();

    const env = {
      SESSION_SECRET: randomBytes(32).toString('hex'),
      MONGODB_URI: ferret.uri,
      MONGODB_DB: 'artivio_two_instances',
      R2_ENDPOINT: minio.url,
      R2_ACCESS_KEY_ID: minio.accessKey,
      R2_SECRET_ACCESS_KEY: minio.secretKey,
      R2_BUCKET: 'artivio',
      CLOUDFLARE_ACCOUNT_ID: ai.accountId,
      CLOUDFLARE_API_TOKEN: ai.apiToken,
      CLOUDFLARE_API_BASE_URL: ai.baseUrl,
      LOG_LEVEL: 'warn',
    };
    [a, b] = await Promise.all([startServer({ env, ...(distDir ? { distDir } : {}) }), startServer({ env, ...(distDir ? { distDir } : {}) })]);

    const signIn = await fetch(`${a.url}/api/auth/local/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: a.url },
      body: JSON.stringify({ email: 'ada@example.com', name: 'Ada' }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
    expect(cookie).not.toBe('');
    asA = { server: a, cookie };
    asB = { server: b, cookie };
  });

  afterAll(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await Promise.allSettled([ferret?.stop(), minio?.stop(), ai?.close()]);
  });

  it('both instances report the MongoDB store, the R2 blob store and the Workers AI model on /api/health', async () => {
    for (const server of [a, b]) {
      const health = (await (await fetch(`${server.url}/api/health`)).json()) as { adapters: Record<string, string> };
      expect(health.adapters).toMatchObject({ store: 'mongo', blob: 'r2', ai: 'cloudflare' });
    }
  });

  it('an image generated through one instance is listed, counted and served by the other', async () => {
    const created = await trpcMutation(asA, 'generate.create', { prompt: 'a lighthouse on a cliff at dusk', model: 'flux-1-schnell' });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const { images } = created.body.result!.data as { images: Array<{ id: string }> };
    expect(images).toHaveLength(1);
    const id = images[0]!.id;
    expect(ai.requests.filter((r) => r.status === 200)).toHaveLength(1);

    const page = await trpcQuery<{ items: Array<{ id: string; url: string; mime: string }> }>(asB, 'gallery.list', { limit: 50 });
    expect(page.items.map((i) => i.id)).toEqual([id]);
    expect((await trpcQuery<{ used: number }>(asB, 'usage.current')).used).toBe(1);

    // B's media route redirects to a short-lived presigned URL on the bucket.
    const media = await fetch(`${b.url}/media/${id}`, { headers: { cookie: asB.cookie }, redirect: 'manual' });
    expect(media.status).toBe(302);
    const location = media.headers.get('location')!;
    expect(location.startsWith(minio.url)).toBe(true);
    const bytes = new Uint8Array(await (await fetch(location)).arrayBuffer());
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'jpeg', width: 1024, height: 1024 });
  });

  it('an image deleted through one instance is gone from the other, objects included', async () => {
    const created = await trpcMutation(asB, 'generate.create', { prompt: 'a red fox in snow', model: 'sdxl-lightning', width: 512, height: 512 });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const id = (created.body.result!.data as { images: Array<{ id: string }> }).images[0]!.id;
    const before = await trpcQuery<{ url: string }>(asA, 'gallery.get', { id });
    expect((await fetch(before.url)).status).toBe(200);

    const deleted = await trpcMutation(asA, 'gallery.delete', { id });
    expect(deleted.status).toBe(200);
    const after = await fetch(`${b.url}/api/trpc/gallery.get?input=${encodeURIComponent(JSON.stringify({ id }))}`, { headers: { cookie: asB.cookie } });
    expect(after.status).toBe(404);
    // The presigned URL made before the delete now finds nothing in the bucket.
    expect((await fetch(before.url)).status).toBe(404);
  });
});
