import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressJson, MIN_COMPRESS_BYTES } from '../../server/http/compress-json.ts';

const big = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ id: `img_${i}`, prompt: 'a lighthouse on a cliff at dusk', width: 1024, height: 1024 })) });
const small = JSON.stringify({ result: { data: { plan: 'free' } } });

const request = (acceptEncoding?: string) => new Request('http://localhost/api/trpc/gallery.list', { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} });
const json = (body: string, headers: Record<string, string> = {}) => new Response(body, { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'private, no-store', ...headers } });

describe('compressJson', () => {
  it('brotli-compresses a large JSON answer for a browser that accepts br, keeping status and headers', async () => {
    expect(big.length).toBeGreaterThan(MIN_COMPRESS_BYTES);
    const response = await compressJson(request('gzip, deflate, br, zstd'), new Response(big, { status: 207, headers: { 'content-type': 'application/json', 'cache-control': 'private, no-store' } }));
    expect(response.status).toBe(207);
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(response.headers.get('vary')).toMatch(/accept-encoding/);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    expect(bytes.length).toBeLessThan(big.length / 4);
    expect(brotliDecompressSync(bytes).toString()).toBe(big);
  });

  it('uses gzip when that is all the client takes, or when it refuses br with q=0', async () => {
    for (const accept of ['gzip', 'br;q=0, gzip']) {
      const response = await compressJson(request(accept), json(big));
      expect(response.headers.get('content-encoding'), accept).toBe('gzip');
      expect(gunzipSync(Buffer.from(await response.arrayBuffer())).toString()).toBe(big);
    }
  });

  it('leaves the answer as it is without accept-encoding, for small bodies, and for JSON that is already encoded', async () => {
    const plain = json(big);
    expect(await compressJson(request(), plain)).toBe(plain);
    const tiny = await compressJson(request('br'), json(small));
    expect(tiny.headers.get('content-encoding')).toBeNull();
    expect(await tiny.text()).toBe(small);
    const encoded = json('already', { 'content-encoding': 'gzip' });
    expect(await compressJson(request('br'), encoded)).toBe(encoded);
  });

  it('never buffers a streamed answer (tRPC jsonl batches) or anything that is not JSON', async () => {
    const stream = new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode(big)) }), { headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    expect(await compressJson(request('br'), stream)).toBe(stream);
    const zip = new Response(big, { headers: { 'content-type': 'application/zip' } });
    expect(await compressJson(request('br'), zip)).toBe(zip);
    const image = new Response(new Uint8Array(4096), { headers: { 'content-type': 'image/png' } });
    expect(await compressJson(request('br'), image)).toBe(image);
  });
});
