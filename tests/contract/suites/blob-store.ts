/**
 * The BlobStore contract, written once and run over every implementation (files, R2).
 * `create` gives a store over an empty namespace; the suite disposes it at the end.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BlobStore } from '../../../server/ports.ts';

export interface BlobStoreSuiteOptions {
  create: () => Promise<BlobStore>;
}

const PNG_META = { contentType: 'image/png', cacheControl: 'private, max-age=31536000, immutable' };
const ZIP_META = { contentType: 'application/zip', cacheControl: 'private, no-store' };
const MiB = 1024 * 1024;

/** A stream of `total` pseudo-random bytes in `chunk`-sized pieces, made on demand. */
function byteStream(total: number, chunk = 64 * 1024, seed = 1): { stream: ReadableStream<Uint8Array>; sha256: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  let x = seed;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const size = Math.min(chunk, total - sent);
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        bytes[i] = x >>> 24;
      }
      hash.update(bytes);
      sent += size;
      controller.enqueue(bytes);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function testBlobStore(options: BlobStoreSuiteOptions): void {
  let store: BlobStore;
  /** Every test writes under its own prefix, so tests never see each other's objects. */
  const spaces: string[] = [];
  const space = () => {
    const prefix = `users/u_${randomUUID()}/`;
    spaces.push(prefix.slice(0, -1));
    return prefix;
  };

  beforeAll(async () => {
    store = await options.create();
  });
  // Leave a real bucket as it was found.
  afterAll(async () => {
    for (const prefix of spaces) await store?.deletePrefix(prefix);
    await store?.dispose();
  });

  it('.put() then .read() and .get() return the same bytes with content type, cache policy and size', async () => {
    const key = `${space()}images/a.png`;
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5]);
    await store.put(key, bytes, PNG_META);
    expect(await store.read(key)).toEqual(bytes);
    const object = await store.get(key);
    expect(object).toMatchObject({ contentType: 'image/png', cacheControl: PNG_META.cacheControl, size: bytes.byteLength });
    expect(await drain(object!.body)).toEqual(bytes);
    expect(await store.exists(key)).toBe(true);
  });

  it('.put() on an existing key replaces bytes and metadata', async () => {
    const key = `${space()}images/b.png`;
    await store.put(key, new Uint8Array([1, 2, 3]), PNG_META);
    await store.put(key, new Uint8Array([9]), { contentType: 'image/webp', cacheControl: 'no-cache' });
    expect(await store.read(key)).toEqual(new Uint8Array([9]));
    expect(await store.get(key)).toMatchObject({ contentType: 'image/webp', cacheControl: 'no-cache', size: 1 });
  });

  it('.get(), .read() and .exists() for a missing key resolve to null, null and false', async () => {
    const key = `${space()}images/missing.png`;
    expect(await store.get(key)).toBeNull();
    expect(await store.read(key)).toBeNull();
    expect(await store.exists(key)).toBe(false);
  });

  it('keys with percent-escapes, spaces and non-ASCII round-trip', async () => {
    const key = `users/${encodeURIComponent(`ada+${randomUUID()}@example.com`)}/exports/Ünïcode name 1.zip`;
    await store.put(key, new Uint8Array([7, 7, 7]), ZIP_META);
    expect(await store.read(key)).toEqual(new Uint8Array([7, 7, 7]));
    expect(await store.list(key.slice(0, key.lastIndexOf('/') + 1))).toEqual([key]);
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
  });

  it('.putStream() of an empty stream stores an empty object and resolves to 0', async () => {
    const key = `${space()}exports/empty.zip`;
    expect(await store.putStream(key, new ReadableStream({ start: (c) => c.close() }), ZIP_META)).toBe(0);
    expect(await store.read(key)).toEqual(new Uint8Array());
  });

  it('.putStream() of a small stream resolves to its length and stores it with its metadata', async () => {
    const key = `${space()}exports/small.zip`;
    const { stream, sha256 } = byteStream(200 * 1024, 10_000);
    expect(await store.putStream(key, stream, ZIP_META)).toBe(200 * 1024);
    expect(sha(await store.read(key) ?? new Uint8Array())).toBe(sha256());
    expect(await store.get(key)).toMatchObject({ contentType: 'application/zip', cacheControl: 'private, no-store', size: 200 * 1024 });
  });

  it('.putStream() of a stream larger than several upload parts stores every byte in order', async () => {
    const key = `${space()}exports/big.zip`;
    const total = 21 * MiB + 12345;
    const { stream, sha256 } = byteStream(total, 100_000, 7);
    expect(await store.putStream(key, stream, ZIP_META)).toBe(total);
    const object = await store.get(key);
    expect(object?.size).toBe(total);
    expect(sha(await drain(object!.body))).toBe(sha256());
  });

  it('.putStream() of a stream that fails midway rejects and leaves no object behind', async () => {
    const key = `${space()}exports/broken.zip`;
    let sent = 0;
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 12 * MiB) return controller.error(new Error('zip writer crashed'));
        sent += MiB;
        controller.enqueue(new Uint8Array(MiB));
      },
    });
    await expect(store.putStream(key, failing, ZIP_META)).rejects.toThrow('zip writer crashed');
    expect(await store.exists(key)).toBe(false);
    expect(await store.list(key.slice(0, key.lastIndexOf('/') + 1))).toEqual([]);
  });

  it('.delete() removes the object and is a no-op for a missing key', async () => {
    const key = `${space()}images/c.png`;
    await store.put(key, new Uint8Array([1]), PNG_META);
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
    await expect(store.delete(key)).resolves.toBeUndefined();
  });

  it('.list(prefix) returns the sorted keys under the prefix and nothing beside it', async () => {
    const root = space();
    const keys = [`${root}images/2.png`, `${root}images/1.png`, `${root}thumbs/1.webp`, `${root}images-old/1.png`];
    for (const key of keys) await store.put(key, new Uint8Array([1]), PNG_META);
    expect(await store.list(`${root}images/`)).toEqual([`${root}images/1.png`, `${root}images/2.png`]);
    expect(await store.list(root)).toEqual([...keys].sort());
    expect(await store.list(`${root}nothing/`)).toEqual([]);
  });

  it('.deletePrefix() deletes more than one batch (1005 objects) under the prefix only, and counts them', async () => {
    const root = space();
    const neighbour = `${root.slice(0, -1)}x/keep.png`;
    await store.put(neighbour, new Uint8Array([1]), PNG_META);
    const keys = Array.from({ length: 1005 }, (_, i) => `${root}thumbs/${String(i).padStart(4, '0')}.webp`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((key) => store.put(key, new Uint8Array([i % 256]), PNG_META)));
    expect(await store.deletePrefix(root)).toBe(1005);
    expect(await store.list(root)).toEqual([]);
    expect(await store.exists(neighbour)).toBe(true);
    expect(await store.deletePrefix(root)).toBe(0);
  });

  it('.directUrl() is null, or a URL that serves the bytes with their type (and the download name when asked)', async () => {
    const key = `${space()}images/d.png`;
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 42]);
    await store.put(key, bytes, PNG_META);
    const view = await store.directUrl(key, { expiresInSeconds: 60 });
    const download = await store.directUrl(key, { expiresInSeconds: 60, downloadName: 'artivio-1234.png' });
    expect(view === null).toBe(download === null);
    if (view === null || download === null) return;
    const viewed = await fetch(view);
    expect(viewed.status).toBe(200);
    expect(viewed.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await viewed.arrayBuffer())).toEqual(bytes);
    const downloaded = await fetch(download);
    expect(downloaded.headers.get('content-disposition')).toBe('attachment; filename="artivio-1234.png"');
    expect(new Uint8Array(await downloaded.arrayBuffer())).toEqual(bytes);
  });
}
