/**
 * The in-memory static file server (server/http/static-files.ts) over a real node:http socket,
 * against a small site written to a temp dir: precompressed variants by accept-encoding,
 * strong ETags answering 304, `immutable` caching only for hashed assets, pretty URLs, and
 * requests it must leave to the app.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEncoding } from '../../server/http/accept-encoding.ts';
import { loadStaticSite, type StaticSite } from '../../server/http/static-files.ts';

const PAGE = `<!doctype html><html lang="en"><title>Pricing</title>${'<p>Plans and prices, compressible text.</p>'.repeat(100)}</html>`;
const SCRIPT = `export const x = ${JSON.stringify('a'.repeat(2000))};`;
const EXTRA = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "frame-ancestors 'none'" };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

let dir: string;
let site: StaticSite;
let server: http.Server;
let base: string;

function request(urlPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${urlPath}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function decoded(answer: Answer): string {
  const encoding = answer.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(answer.body).toString();
  if (encoding === 'gzip') return gunzipSync(answer.body).toString();
  return answer.body.toString();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'artivio-static-'));
  await mkdir(path.join(dir, 'pricing'));
  await mkdir(path.join(dir, '_astro'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Home</title>');
  await writeFile(path.join(dir, 'pricing', 'index.html'), PAGE);
  await writeFile(path.join(dir, '_astro', 'client.D5SpHuTp.js'), SCRIPT);
  await writeFile(path.join(dir, 'og.jpg'), Buffer.alloc(2048, 7));
  await writeFile(path.join(dir, '404.html'), `<!doctype html><title>Page not found</title>${'<p>Nothing here.</p>'.repeat(40)}`);
  site = await loadStaticSite(dir);
  server = http.createServer((req, res) => {
    if (site.serve(req, res, EXTRA)) return;
    if (req.url === '/missing-page' && site.notFound(req, res, EXTRA)) return;
    res.writeHead(418, { 'content-type': 'text/plain' });
    res.end('left to the app');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('static files from memory', () => {
  it('sends brotli to a browser that accepts it, gzip to one that accepts only gzip, plain bytes otherwise; all decode to the file', async () => {
    const br = await request('/pricing', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    const gzip = await request('/pricing', { 'accept-encoding': 'gzip' });
    const plain = await request('/pricing');
    expect([br.headers['content-encoding'], gzip.headers['content-encoding'], plain.headers['content-encoding']]).toEqual(['br', 'gzip', undefined]);
    for (const answer of [br, gzip, plain]) {
      expect(answer.status).toBe(200);
      expect(decoded(answer)).toBe(PAGE);
      expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
      expect(answer.headers['vary']).toBe('accept-encoding');
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    }
    expect(br.body.length).toBeLessThan(PAGE.length / 5);
    expect(gzip.body.length).toBeLessThan(PAGE.length / 5);
  });

  it('honours q=0: a client that refuses brotli gets gzip', async () => {
    const answer = await request('/pricing', { 'accept-encoding': 'br;q=0, gzip;q=0.8' });
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(decoded(answer)).toBe(PAGE);
    expect(chooseEncoding('identity')).toBe('identity');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('*, br;q=0')).toBe('gzip');
  });

  it('answers 304 with no body when If-None-Match carries the strong ETag (alone, weak-prefixed or in a list), 200 otherwise', async () => {
    const first = await request('/pricing', { 'accept-encoding': 'br' });
    const etag = first.headers['etag']!;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await request('/pricing', { 'accept-encoding': 'br', 'if-none-match': ifNoneMatch });
      expect(again.status, ifNoneMatch).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers['etag']).toBe(etag);
      expect(again.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    }
    const changed = await request('/pricing', { 'if-none-match': '"an-older-version-of-the-page"' });
    expect(changed.status).toBe(200);
    expect(changed.body.toString()).toBe(PAGE);
  });

  it('serves hashed assets as immutable for a year, compressed, and the same ETag in every encoding', async () => {
    const br = await request('/_astro/client.D5SpHuTp.js', { 'accept-encoding': 'br' });
    const plain = await request('/_astro/client.D5SpHuTp.js');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.body.length).toBeLessThan(SCRIPT.length / 10);
    expect(decoded(br)).toBe(SCRIPT);
    expect(plain.headers['etag']).toBe(br.headers['etag']);
    // Files outside /_astro/ can change at the same URL: they revalidate.
    expect((await request('/og.jpg')).headers['cache-control']).toBe('public, max-age=3600');
  });

  it('leaves images and small files uncompressed', async () => {
    const image = await request('/og.jpg', { 'accept-encoding': 'br, gzip' });
    expect(image.headers['content-encoding']).toBeUndefined();
    expect(image.headers['content-type']).toBe('image/jpeg');
    expect(image.body.length).toBe(2048);
    const home = await request('/', { 'accept-encoding': 'br, gzip' });
    expect(home.headers['content-encoding']).toBeUndefined();
    expect(home.body.toString()).toBe('<!doctype html><title>Home</title>');
  });

  it('adds the extra headers to every answer, 304s included', async () => {
    const ok = await request('/pricing');
    const notModified = await request('/pricing', { 'if-none-match': ok.headers['etag']! });
    for (const answer of [ok, notModified]) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['content-security-policy']).toBe("frame-ancestors 'none'");
    }
  });

  it('serves pretty URLs with or without the slash, ignores the query string, and answers HEAD without a body', async () => {
    expect(decoded(await request('/pricing/'))).toBe(PAGE);
    expect(decoded(await request('/pricing/index.html'))).toBe(PAGE);
    expect(decoded(await request('/pricing?utm_source=newsletter'))).toBe(PAGE);
    expect(decoded(await request('/%70ricing'))).toBe(PAGE);
    const head = await request('/pricing', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
  });

  it('leaves other methods, unknown paths and malformed escapes to the app', async () => {
    expect((await request('/pricing', {}, 'POST')).status).toBe(418);
    expect((await request('/api/trpc/gallery.list')).status).toBe(418);
    expect((await request('/%E0%A4%A')).status).toBe(418);
  });

  it('answers the prerendered 404 page with status 404, never cached', async () => {
    const answer = await request('/missing-page', { 'accept-encoding': 'gzip' });
    expect(answer.status).toBe(404);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(decoded(answer)).toContain('Page not found');
  });
});
