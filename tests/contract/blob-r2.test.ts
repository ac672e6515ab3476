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
    it('.directUrl() is a presigned GET that expires when asked, and says the download name', async () => {
      const store = createR2BlobStore(options);
      const url = new URL((await store.directUrl('users/u_1/images/x.png', { expiresInSeconds: 300, downloadName: 'artivio-x.png' }))!);
      expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="artivio-x.png"');
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
