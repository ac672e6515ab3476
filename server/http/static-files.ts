/**
 * Serves the prerendered site and hashed assets from memory. Everything under the client
 * build folder is read once at start, with gzip and brotli variants made ahead of time, a
 * strong ETag per file, and `immutable` caching for content-hashed assets.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

interface StaticFile {
  body: Buffer;
  gzip: Buffer | null;
  brotli: Buffer | null;
  etag: string;
  type: string;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.woff2': 'font/woff2',
};

const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.mjs', '.json', '.webmanifest', '.svg', '.txt', '.xml']);

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : Promise.resolve([path.join(dir, e.name)]))));
  return nested.flat();
}

function cacheControlFor(urlPath: string, ext: string): string {
  // Astro puts content-hashed bundles under /_astro/: their bytes never change at a URL.
  if (urlPath.startsWith('/_astro/')) return 'public, max-age=31536000, immutable';
  if (ext === '.html') return 'public, max-age=0, must-revalidate';
  return 'public, max-age=3600';
}

export interface StaticSite {
  /** Answers the request when it names a static file; returns false to let the app handle it. */
  serve(req: IncomingMessage, res: ServerResponse, extraHeaders: Record<string, string>): boolean;
  /** The prerendered 404 page, when there is one. */
  notFound(req: IncomingMessage, res: ServerResponse, extraHeaders: Record<string, string>): boolean;
  readonly files: number;
}

export async function loadStaticSite(root: string): Promise<StaticSite> {
  const table = new Map<string, StaticFile>();
  for (const file of await walk(root)) {
    const rel = '/' + path.relative(root, file).split(path.sep).join('/');
    const ext = path.extname(file).toLowerCase();
    const body = await readFile(file);
    const compress = COMPRESSIBLE.has(ext) && body.length > 512;
    const entry: StaticFile = {
      body,
      gzip: compress ? gzipSync(body, { level: 9 }) : null,
      brotli: compress ? brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }) : null,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      type: TYPES[ext] ?? 'application/octet-stream',
      cacheControl: cacheControlFor(rel, ext),
    };
    table.set(rel, entry);
    // Pretty URLs: /privacy and /privacy/ both serve /privacy/index.html.
    if (rel.endsWith('/index.html')) {
      const dir = rel.slice(0, -'index.html'.length);
      table.set(dir, entry);
      if (dir !== '/') table.set(dir.slice(0, -1), entry);
    }
  }

  function send(req: IncomingMessage, res: ServerResponse, file: StaticFile, status: number, extraHeaders: Record<string, string>): void {
    const headers: Record<string, string> = { ...extraHeaders, 'content-type': file.type, 'cache-control': file.cacheControl, etag: file.etag, vary: 'accept-encoding' };
    if (status === 200 && req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const accept = String(req.headers['accept-encoding'] ?? '');
    let body = file.body;
    if (file.brotli && /\bbr\b/.test(accept)) {
      body = file.brotli;
      headers['content-encoding'] = 'br';
    } else if (file.gzip && /\bgzip\b/.test(accept)) {
      body = file.gzip;
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(body.length);
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  return {
    files: table.size,
    serve(req, res, extraHeaders) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const pathname = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
      const file = table.get(pathname);
      if (!file) return false;
      send(req, res, file, 200, extraHeaders);
      return true;
    },
    notFound(req, res, extraHeaders) {
      const file = table.get('/404.html');
      if (!file) return false;
      send(req, res, { ...file, cacheControl: 'no-store' }, 404, extraHeaders);
      return true;
    },
  };
}
