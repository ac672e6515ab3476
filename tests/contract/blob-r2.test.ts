/**
 * The BlobStore contract on R2's adapter: against a real bucket when the R2_* settings are
 * set, otherwise against the MinIO peer on loopback (a fresh bucket, path-style addressing).
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createR2BlobStore, type R2BlobStoreOptions } from '../../server/adapters/blob/r2.ts';
import { loadConfig } from '../../server/config.ts';
import { requirePeer, skipPeer, startMinio, type MinioPeer } from '../support/peers.ts';
import { testBlobStore } from './suites/blob-store.ts';

const real = process.env.R2_BUCKET ? loadConfig(process.env).r2 : null;
const target = real ? `bucket ${real.bucket}` : 'the MinIO peer';
const skip = !real && skipPeer('minio', 'blob store: r2');

describe.skipIf(skip)(`blob store: r2 on ${target}`, () => {
  let minio: MinioPeer | undefined;
  let options: R2BlobStoreOptions;

  beforeAll(async () => {
    if (real) {
      options = real;
      return;
    }
    minio = requirePeer(await startMinio());
    const bucket = 'artivio-test';
    const admin = new S3Client({ region: minio.region, endpoint: minio.url, forcePathStyle: true, credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey } });
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    admin.destroy();
    options = { endpoint: minio.url, accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey, bucket, publicBaseUrl: null };
  });
  afterAll(async () => minio?.stop());

  testBlobStore({ create: async () => createR2BlobStore(options) });

  describe('r2 specifics', () => {
    it('.directUrl() is a presigned GET that lasts at least the asked time and says the download name', async () => {
      const at = Date.parse('2025-01-15T10:07:30.000Z');
      const store = createR2BlobStore({ ...options, now: () => at });
      const url = new URL((await store.directUrl('users/u_1/images/x.png', { expiresInSeconds: 300, downloadName: 'artivio-x.png' }))!);
      // Signed as of the 5-minute window's start (10:05), so valid until 10:15: 7.5 minutes from now.
      expect(url.searchParams.get('X-Amz-Date')).toBe('20250115T100500Z');
      expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="artivio-x.png"');
      await store.dispose();
    });

    it('.directUrl() gives the same URL within a signing window (so browsers cache images) and a new one after', async () => {
      let at = Date.parse('2025-01-15T10:05:00.000Z');
      const store = createR2BlobStore({ ...options, now: () => at });
      const first = await store.directUrl('users/u_1/images/x.png', { expiresInSeconds: 900 });
      at += 4 * 60 * 1000;
      const otherInstance = createR2BlobStore({ ...options, now: () => at });
      expect(await otherInstance.directUrl('users/u_1/images/x.png', { expiresInSeconds: 900 })).toBe(first);
      await otherInstance.dispose();
      expect(await store.directUrl('users/u_1/images/x.png', { expiresInSeconds: 900 })).toBe(first);
      at += 2 * 60 * 1000;
      expect(await store.directUrl('users/u_1/images/x.png', { expiresInSeconds: 900 })).not.toBe(first);
      await store.dispose();
    });

    it('.directUrl() with R2_PUBLIC_BASE_URL links views to the custom domain but keeps downloads presigned', async () => {
      const store = createR2BlobStore({ ...options, publicBaseUrl: 'https://images.example.com' });
      expect(await store.directUrl('users/a%40b/images/1 2.png', { expiresInSeconds: 60 })).toBe('https://images.example.com/users/a%2540b/images/1%202.png');
      expect(await store.directUrl('users/a/images/1.png', { expiresInSeconds: 60, downloadName: 'x.png' })).toContain('X-Amz-Signature=');
      await store.dispose();
    });

    it('a presigned URL signed with the wrong secret is refused by the server', async () => {
      const store = createR2BlobStore({ ...options, secretAccessKey: 'not-the-secret' });
      const response = await fetch((await store.directUrl('users/u_1/images/x.png', { expiresInSeconds: 60 }))!);
      expect(response.status).toBe(403);
      await response.arrayBuffer();
      await store.dispose();
    });
  });
});
