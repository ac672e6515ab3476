/**
 * Static serving: autocannon against a prerendered page on the real server, and against a
 * bare node:http server answering the same bytes from memory, side by side in one run.
 * Prints requests/second for each and the ratio. Run: node bench/static-serving.ts
 */
import http from 'node:http';
import autocannon from 'autocannon';
import { startServer, freePort } from '../tests/e2e/support/server.ts';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 32;
const ROUNDS = 3;

async function measure(url: string, headers: Record<string, string>): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function main(): Promise<void> {
  const site = await startServer({ env: { LOG_LEVEL: 'warn' } });
  const path = '/pricing';
  const headers = { 'accept-encoding': 'gzip, br' };
  const sample = await fetch(site.url + path, { headers });
  const body = Buffer.from(await sample.arrayBuffer());
  const sampleHeaders = Object.fromEntries(sample.headers);

  const barePort = await freePort();
  const bare = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': sampleHeaders['content-encoding'] ?? 'identity', 'content-length': String(body.length) });
    res.end(body);
  });
  await new Promise<void>((r) => bare.listen(barePort, '127.0.0.1', r));

  const real: number[] = [];
  const reference: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate so drift on a noisy machine hits both sides alike.
      reference.push(await measure(`http://127.0.0.1:${barePort}${path}`, headers));
      real.push(await measure(site.url + path, headers));
    }
  } finally {
    bare.close();
    await site.stop();
  }
  const fmt = (v: number[]) => `${Math.round(median(v))} req/s (min ${Math.round(Math.min(...v))}, max ${Math.round(Math.max(...v))})`;
  console.log(`\nStatic serving of ${path} (${body.length} bytes ${sampleHeaders['content-encoding'] ?? 'uncompressed'}), ${CONNECTIONS} connections, ${ROUNDS}×${DURATION_S}s`);
  console.table({
    'Artivio server': { 'median req/s': Math.round(median(real)), range: fmt(real) },
    'bare node:http (reference)': { 'median req/s': Math.round(median(reference)), range: fmt(reference) },
  });
  console.log(`ratio (Artivio / bare): ${(median(real) / median(reference)).toFixed(2)}`);
}

if (import.meta.main) await main();
