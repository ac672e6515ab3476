/**
 * Smoke test for the real-protocol peers (tests/support/peers.ts): each available peer starts on
 * loopback, answers its own protocol, and goes away on stop(). Peers whose binaries are missing
 * (see .ci/install-peers.sh) are skipped with a loud "SKIPPED:" line.
 */
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MongoClient } from 'mongodb';
import { existsSync } from 'node:fs';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  requirePeer,
  skipPeer,
  startFerret,
  startMinio,
  startStripeMock,
  type FerretPeer,
  type MinioPeer,
  type StripeMockPeer,
} from './peers.ts';

const STARTUP_TIMEOUT_MS = 90_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(skipPeer('minio', 'peers smoke: MinIO'))('peers smoke: MinIO', () => {
  let minio: MinioPeer | undefined;

  beforeAll(async () => {
    minio = requirePeer(await startMinio());
    console.info(`minio ready on ${minio.url} in ${minio.startupMs} ms`);
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await minio?.stop();
  });

  it('creates a bucket and round-trips an object over S3', async () => {
    const peer = minio;
    if (!peer) throw new Error('minio did not start');
    const s3 = new S3Client({
      endpoint: peer.url,
      region: 'auto',
      forcePathStyle: true,
      credentials: { accessKeyId: peer.accessKey, secretAccessKey: peer.secretKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    try {
      const before = await s3.send(new ListBucketsCommand({}));
      expect(before.Buckets ?? []).toEqual([]); // startMinio creates nothing

      await s3.send(new CreateBucketCommand({ Bucket: 'smoke' }));
      await s3.send(new PutObjectCommand({ Bucket: 'smoke', Key: 'hello.txt', Body: 'hello peers', ContentType: 'text/plain' }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'smoke', Key: 'hello.txt' }));
      expect(await got.Body?.transformToString()).toBe('hello peers');

      const after = await s3.send(new ListBucketsCommand({}));
      expect((after.Buckets ?? []).map((bucket) => bucket.Name)).toEqual(['smoke']);
    } finally {
      s3.destroy();
    }
  });

  it('stop() kills the process and removes its data dir', async () => {
    const peer = minio;
    if (!peer) throw new Error('minio did not start');
    await peer.stop();
    expect(isAlive(peer.pid)).toBe(false);
    expect(existsSync(peer.dataDir)).toBe(false);
    await peer.stop(); // idempotent
  });
});

describe.skipIf(skipPeer('ferretdb', 'peers smoke: FerretDB'))('peers smoke: FerretDB', () => {
  let ferret: FerretPeer | undefined;
  let client: MongoClient | undefined;

  beforeAll(async () => {
    ferret = requirePeer(await startFerret());
    console.info(`ferretdb ready on ${ferret.uri} in ${ferret.startupMs} ms`);
    client = new MongoClient(ferret.uri, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await client?.close();
    await ferret?.stop();
  });

  it('inserts and finds a document over the MongoDB wire protocol', async () => {
    if (!client) throw new Error('ferretdb did not start');
    const images = client.db('artivio_smoke').collection<{ _id: string; prompt: string; tags: string[]; createdAt: Date }>('images');
    const createdAt = new Date('2026-01-02T03:04:05.000Z');
    await images.insertOne({ _id: 'img_1', prompt: 'a ferret in a data center', tags: ['ferret', 'sqlite'], createdAt });
    await images.createIndex({ createdAt: -1 });

    const found = await images.findOne({ tags: 'sqlite' });
    expect(found).toEqual({ _id: 'img_1', prompt: 'a ferret in a data center', tags: ['ferret', 'sqlite'], createdAt });

    const updated = await images.updateOne({ _id: 'img_1' }, { $set: { prompt: 'renamed' } });
    expect(updated.modifiedCount).toBe(1);
    expect(await images.countDocuments({ prompt: 'renamed' })).toBe(1);
  });
});

describe.skipIf(skipPeer('stripe-mock', 'peers smoke: stripe-mock'))('peers smoke: stripe-mock', () => {
  let stripeMock: StripeMockPeer | undefined;

  beforeAll(async () => {
    stripeMock = requirePeer(await startStripeMock());
    console.info(`stripe-mock ready on ${stripeMock.url} in ${stripeMock.startupMs} ms`);
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await stripeMock?.stop();
  });

  it('answers the Stripe SDK', async () => {
    if (!stripeMock) throw new Error('stripe-mock did not start');
    const stripe = new Stripe(stripeMock.apiKey, {
      host: stripeMock.host,
      port: stripeMock.port,
      protocol: stripeMock.protocol,
      maxNetworkRetries: 0,
    });
    const customer = await stripe.customers.create({ email: 'smoke@example.com' });
    expect(customer.object).toBe('customer');
    expect(customer.id).toMatch(/^cus_/);
  });
});
