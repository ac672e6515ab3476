/**
 * Static serving: autocannon against a prerendered page on the real server, and against a
 * bare node:http server answering the very same bytes on the wire (the compressed body the
 * real server sends and the same response headers) from memory, side by side in one run.
 * Both servers run in their own process, as autocannon runs in this one, so each side gets
 * the same share of the machine. Prints requests/second for each and the ratio.
 * Run: node bench/static-serving.ts   (BENCH_SECONDS=5 per round, 3 rounds)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startServer, freePort } from '../tests/e2e/support/server.ts';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 32;
const ROUNDS = 3;
const PAGE = '/pricing';
const REQUEST_HEADERS = { 'accept-encoding': 'gzip, deflate, br' };

/** The reference: node:http answering one fixed response read from a file, nothing else. */
const BARE_SERVER = `
import http from 'node:http';
import { readFileSync } from 'node:fs';
const body = readFileSync(process.env.BODY_FILE);
const headers = JSON.parse(process.env.RESPONSE_HEADERS);
http.createServer((_req, res) => { res.writeHead(200, headers); res.end(body); })
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
`;

async function measure(url: string): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers: REQUEST_HEADERS });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

/** The response exactly as sent: raw (still compressed) body and headers. fetch() would decompress. */
async function rawResponse(url: string): Promise<{ body: Buffer; headers: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: REQUEST_HEADERS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) if (name !== 'date' && name !== 'connection' && name !== 'keep-alive' && value !== undefined) headers[name] = String(value);
          resolve({ body: Buffer.concat(chunks), headers });
        });
      })
      .on('error', reject);
  });
}

async function startBare(body: Buffer, headers: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'artivio-bare-'));
  const bodyFile = path.join(dir, 'body');
  await writeFile(bodyFile, body);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', BARE_SERVER], {
    env: { PATH: process.env.PATH ?? '', BODY_FILE: bodyFile, RESPONSE_HEADERS: JSON.stringify(headers), PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout!, 'data');
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function main(): Promise<void> {
  const site = await startServer({ env: { LOG_LEVEL: 'warn' } });
  let bare: Awaited<ReturnType<typeof startBare>> | null = null;
  const real: number[] = [];
  const reference: number[] = [];
  let sample: Awaited<ReturnType<typeof rawResponse>>;
  try {
    sample = await rawResponse(site.url + PAGE);
    bare = await startBare(sample.body, sample.headers);
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate so drift on a noisy machine hits both sides alike.
      reference.push(await measure(bare.url + PAGE));
      real.push(await measure(site.url + PAGE));
    }
  } finally {
    await bare?.stop();
    await site.stop();
  }
  const fmt = (v: number[]) => `${Math.round(median(v))} req/s (min ${Math.round(Math.min(...v))}, max ${Math.round(Math.max(...v))})`;
  const headerBytes = Object.entries(sample.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  console.log(
    `\nStatic serving of ${PAGE}: ${sample.body.length} bytes ${sample.headers['content-encoding'] ?? 'uncompressed'} + ${headerBytes} bytes of headers, ` +
      `${CONNECTIONS} connections, ${ROUNDS}×${DURATION_S}s; the reference sends the same bytes`,
  );
  console.table({
    'Artivio server': { 'median req/s': Math.round(median(real)), range: fmt(real) },
    'bare node:http (reference)': { 'median req/s': Math.round(median(reference)), range: fmt(reference) },
  });
  console.log(`ratio (Artivio / bare): ${(median(real) / median(reference)).toFixed(2)} (target ≥ 0.50)`);
}

if (import.meta.main) await main();
