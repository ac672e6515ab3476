/**
 * The production entry: `npm start` builds, then runs this. Static files are answered from
 * memory; everything else goes to Astro's handler (built in middleware mode). On SIGTERM the
 * server stops accepting, lets in-flight requests finish, then releases the app's adapters.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { securityHeaders } from './http/security-headers.ts';
import { loadStaticSite } from './http/static-files.ts';

type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse, next: (err?: unknown) => void) => Promise<void>;

if (existsSync('.env')) process.loadEnvFile('.env');

const started = performance.now();
const dist = path.resolve(process.env.ASTRO_DIST_DIR ?? 'dist');
const entry = path.join(dist, 'server', 'entry.mjs');
if (!existsSync(entry)) {
  console.error(`No build found at ${entry}. Run 'npm run build' first (npm start does both).`);
  process.exit(1);
}

const { handler } = (await import(pathToFileURL(entry).href)) as { handler: NodeHandler };
const site = await loadStaticSite(path.join(dist, 'client'));
const headers = securityHeaders({ production: process.env.NODE_ENV === 'production' });

/** Larger bodies are refused before anything reads them; the adapter enforces the same limit on chunked bodies. */
const MAX_BODY_BYTES = 1024 * 1024;

const server = http.createServer((req, res) => {
  if (site.serve(req, res, headers)) return;
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    res.writeHead(413, { ...headers, 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ error: `Request bodies are limited to ${MAX_BODY_BYTES / 1024 / 1024} MB.` }));
    req.resume();
    return;
  }
  void handler(req, res, () => {
    if (!site.notFound(req, res, headers)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found');
    }
  });
});
server.requestTimeout = 120_000;
server.headersTimeout = 20_000;

const host = process.env.HOST ?? 'localhost';
const port = Number(process.env.PORT ?? 4321);
server.listen(port, host, async () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  // Warm the app (migrations, adapters, background jobs) before the first visitor, and fail fast on bad config.
  const health = await fetch(`${base}/api/health`).catch((error: unknown) => error);
  if (!(health instanceof Response) || !health.ok) {
    console.error('Artivio could not start: the health check failed. See the error above.');
    process.exit(1);
  }
  console.log(`Artivio is listening on ${base} (${site.files} static files in memory, ready in ${Math.round(performance.now() - started)} ms)`);
});

const appKey = Symbol.for('artivio.app');
let stopping = false;
function shutdown(signal: string): void {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: finishing in-flight requests, then stopping.`);
  server.close(async () => {
    const app = (globalThis as Record<symbol, Promise<{ dispose(): Promise<void> }> | undefined>)[appKey];
    if (app) await (await app).dispose();
    process.exit(0);
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), 30_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
