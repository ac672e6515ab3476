/**
 * Serves the prerendered site and hashed assets from memory. Everything under the client
 * build folder is read once at start, with gzip and brotli variants made ahead of time, a
 * strong ETag per file, and `immutable` caching for content-hashed assets.
 *
 * The hot path does as little as it can: one map lookup, one memoised accept-encoding choice,
 * and `writeHead` with a header list built once per file, encoding and set of extra headers
 * (no per-request header objects or string building).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { chooseEncoding, type Encoding } from './accept-encoding.ts';


interface StaticFile {
  bodies: Record<Encoding, Buffer>;
  etag: string;
  type: string;
  cacheControl: string;
}

/** Flat [name, value, name, value, …] lists for `writeHead`, per encoding, plus the 304 one. */
interface PreparedHeaders {
  ok: Record<Encoding, string[]>;
  notModified: string[];
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
  '.xml': 'application/xml; charset=utf-8',
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

/** A compressed variant only when it saves something; otherwise the plain bytes stand in. */
function variants(body: Buffer, compress: boolean): Record<Encoding, Buffer> {
  if (!compress) return { br: body, gzip: body, identity: body };
  const gzip = gzipSync(body, { level: 9 });
  const br = brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } });
  return { br: br.length < body.length ? br : body, gzip: gzip.length < body.length ? gzip : body, identity: body };
}

/** Browsers send a handful of distinct accept-encoding values; remember each answer. */
const encodingMemo = new Map<string, Encoding>();
function encodingFor(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  let encoding = encodingMemo.get(acceptEncoding);
  if (encoding === undefined) {
    encoding = chooseEncoding(acceptEncoding);
    if (encodingMemo.size < 256) encodingMemo.set(acceptEncoding, encoding);
  }
  return encoding;
}

/** If-None-Match matches: the exact tag, `*`, or the tag in a list (weak comparison, as RFC 9110 asks for GET). */
function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch === etag || ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function prepare(file: StaticFile, extraHeaders: Record<string, string>): PreparedHeaders {
  const extra = Object.entries(extraHeaders).flat();
  const common = ['content-type', file.type, 'cache-control', file.cacheControl, 'etag', file.etag, 'vary', 'accept-encoding', ...extra];
  const ok = (encoding: Encoding) => {
    const body = file.bodies[encoding];
    const encoded = body !== file.bodies.identity ? ['content-encoding', encoding] : [];
    return [...common, ...encoded, 'content-length', String(body.length)];
  };
  return { ok: { br: ok('br'), gzip: ok('gzip'), identity: ok('identity') }, notModified: common };
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
    const entry: StaticFile = {
      bodies: variants(body, COMPRESSIBLE.has(ext) && body.length > 512),
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
  const notFoundPage = table.get('/404.html');
  const notFoundFile: StaticFile | null = notFoundPage ? { ...notFoundPage, cacheControl: 'no-store' } : null;

  // The extra (security) headers are one object for the server's life; prepared lists hang off it.
  const prepared = new WeakMap<Record<string, string>, Map<StaticFile, PreparedHeaders>>();
  function headersFor(file: StaticFile, extraHeaders: Record<string, string>): PreparedHeaders {
    let perFile = prepared.get(extraHeaders);
    if (!perFile) prepared.set(extraHeaders, (perFile = new Map()));
    let headers = perFile.get(file);
    if (!headers) perFile.set(file, (headers = prepare(file, extraHeaders)));
    return headers;
  }

  function send(req: IncomingMessage, res: ServerResponse, file: StaticFile, status: number, extraHeaders: Record<string, string>): void {
    const headers = headersFor(file, extraHeaders);
    if (status === 200 && notModified(req.headers['if-none-match'], file.etag)) {
      res.writeHead(304, headers.notModified);
      res.end();
      return;
    }
    const encoding = encodingFor(req.headers['accept-encoding']);
    res.writeHead(status, headers.ok[encoding]);
    res.end(req.method === 'HEAD' ? undefined : file.bodies[encoding]);
  }

  function lookup(url: string): StaticFile | undefined {
    const query = url.indexOf('?');
    const pathname = query === -1 ? url : url.slice(0, query);
    const file = table.get(pathname);
    if (file || !pathname.includes('%')) return file;
    try {
      return table.get(decodeURIComponent(pathname));
    } catch {
      // Malformed escapes name no file; the app answers them.
      return undefined;
    }
  }

  return {
    files: table.size,
    serve(req, res, extraHeaders) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const file = lookup(req.url ?? '/');
      if (!file) return false;
      send(req, res, file, 200, extraHeaders);
      return true;
    },
    notFound(req, res, extraHeaders) {
      if (!notFoundFile) return false;
      send(req, res, notFoundFile, 404, extraHeaders);
      return true;
    },
  };
}
