/**
 * The production entry: `npm start` builds, then runs this. Static files are answered from
 * memory; everything else goes to Astro's handler (built in middleware mode). On SIGTERM the
 * server stops accepting, lets in-flight requests finish, then releases the app's adapters.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, type Config } from './config.ts';
import { checkBodySize, refuseTooLarge } from './http/body-limit.ts';
import { normalizeForwardedHeaders } from './http/forwarded-headers.ts';
import { securityHeaders } from './http/security-headers.ts';
import { loadStaticSite } from './http/static-files.ts';

type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse, next: (err?: unknown) => void) => Promise<void>;

if (existsSync('.env')) process.loadEnvFile('.env');

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  console.error(`Artivio could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const started = performance.now();
const dist = path.resolve(process.env.ASTRO_DIST_DIR ?? 'dist');
const entry = path.join(dist, 'server', 'entry.mjs');
if (!existsSync(entry)) {
  console.error(`No build found at ${entry}. Run 'npm run build' first (npm start does both).`);
  process.exit(1);
}

const { handler } = (await import(pathToFileURL(entry).href)) as { handler: NodeHandler };
const site = await loadStaticSite(path.join(dist, 'client'));
const headers = securityHeaders(config);

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  normalizeForwardedHeaders(req, config.http.trustProxy);
  // Bodies over the limit never reach Astro (see http/body-limit.ts for why chunked ones are read here).
  const body = await checkBodySize(req).catch(() => 'aborted' as const);
  if (body === 'aborted') {
    req.socket.destroy();
    return;
  }
  if (body === 'too-large') {
    refuseTooLarge(req, res, headers);
    return;
  }
  await handler(req, res, () => {
    if (!site.notFound(req, res, headers)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found');
    }
  });
}

// Slow senders are cut off with 408: headers must arrive within headersTimeout and the whole
// request within requestTimeout. Node checks these every connectionsCheckingInterval.
const requestTimeout = config.http.requestTimeoutMs;
const headersTimeout = Math.min(config.http.headersTimeoutMs, requestTimeout);
const server = http.createServer(
  { requestTimeout, headersTimeout, connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(headersTimeout / 4))) },
  (req, res) => {
    if (site.serve(req, res, headers)) return;
    void handle(req, res);
  },
);

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
type RunningApp = { dispose(): Promise<void>; interruptInFlight(): void };
const runningApp = () => (globalThis as Record<symbol, Promise<RunningApp> | undefined>)[appKey];

let stopping = false;
/**
 * Stops taking requests and lets in-flight ones finish. Generations still waiting on the model
 * when the grace period ends are stopped and refunded (they answer "try again"), so nobody is
 * charged for an image the restart swallowed. Then the app's adapters and job runner stop:
 * a privacy job in hand runs to its end, or, cut off by the hard exit, is resumed by the next
 * instance once its lease runs out.
 */
function shutdown(signal: string): void {
  if (stopping) return;
  stopping = true;
  const grace = config.http.shutdownGraceMs;
  console.log(`${signal}: finishing in-flight requests (up to ${grace} ms), then stopping.`);
  server.close(async () => {
    const app = runningApp();
    if (app) await (await app).dispose();
    process.exit(0);
  });
  // Keep-alive connections are closed as soon as their last response is out.
  server.prependListener('request', (_req, res) => res.setHeader('connection', 'close'));
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  sweep.unref();
  setTimeout(() => {
    console.log('Grace period over: stopping generations still in progress (their quota is given back).');
    void runningApp()?.then((app) => app.interruptInFlight());
  }, grace).unref();
  setTimeout(() => process.exit(1), grace + 10_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
