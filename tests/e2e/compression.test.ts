/**
 * Compression on the built server, as a browser sees it: prerendered pages come precompressed
 * with a validator that answers 304, and a tRPC batch of JSON is brotli-compressed when the
 * browser accepts it (and left alone when it does not).
 */
import http from 'node:http';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';

const ready = hasBuild();
if (!ready) console.warn('SKIPPED: compression tests need a build (npm run build).');

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** fetch() would decompress; this returns the bytes as sent. */
function rawGet(url: string, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe.skipIf(!ready)('compression on the built server', () => {
  let server: RunningServer;
  let cookie = '';

  beforeAll(async () => {
    server = await startServer();
    const signIn = await fetch(`${server.url}/api/auth/local/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: 'compression@example.com', name: 'Compression' }),
    });
    expect(signIn.ok).toBe(true);
    cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('serves a prerendered page brotli-compressed, then 304 for the ETag it gave', async () => {
    const first = await rawGet(`${server.url}/pricing`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(first.status).toBe(200);
    expect(first.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(first.body).toString()).toContain('<html lang="en"');
    const again = await rawGet(`${server.url}/pricing`, { 'accept-encoding': 'gzip, deflate, br', 'if-none-match': first.headers['etag']! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('brotli-compresses a tRPC batch of JSON for a browser that accepts it, and sends plain JSON otherwise', async () => {
    const batch = Array.from({ length: 12 }, () => 'account.me').join(',');
    const url = `${server.url}/api/trpc/${batch}?batch=1&input=${encodeURIComponent('{}')}`;
    const compressed = await rawGet(url, { cookie, 'accept-encoding': 'gzip, deflate, br' });
    const plain = await rawGet(url, { cookie });
    expect(compressed.status).toBe(200);
    expect(compressed.headers['content-encoding']).toBe('br');
    expect(compressed.headers['vary']).toMatch(/accept-encoding/i);
    expect(compressed.headers['cache-control']).toBe('private, no-store');
    const decoded = JSON.parse(brotliDecompressSync(compressed.body).toString()) as Array<{ result: { data: { user: { email: string } } } }>;
    expect(decoded).toHaveLength(12);
    expect(decoded[0]!.result.data.user.email).toBe('compression@example.com');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString())).toEqual(decoded);
    expect(compressed.body.length).toBeLessThan(plain.body.length / 3);
  });
});
