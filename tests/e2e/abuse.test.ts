/**
 * Abuse over real HTTP against the built server: oversized bodies (declared and chunked),
 * slow senders, and rate limits on generation and sign-in that a client cannot dodge by
 * naming its own address.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';

const ready = hasBuild();
if (!ready) console.warn('SKIPPED: abuse tests need a build (npx astro build).');

const MB = 1024 * 1024;

function chunkedBody(totalBytes: number, chunkBytes = MB): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      const size = Math.min(chunkBytes, totalBytes - sent);
      controller.enqueue(new Uint8Array(size).fill(0x61));
      sent += size;
    },
  });
}

async function post(server: RunningServer, path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit & { duplex?: 'half' } = {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url, ...headers },
    body,
  };
  if (body instanceof ReadableStream) init.duplex = 'half';
  return fetch(server.url + path, init);
}

async function signIn(server: RunningServer, email: string, headers: Record<string, string> = {}): Promise<Response> {
  return post(server, '/api/auth/local/sign-in', JSON.stringify({ email, name: 'Tester' }), headers);
}

function cookieOf(response: Response): string {
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

/** Sends raw bytes and returns everything the server answers until it closes the connection. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(15_000, () => {
      socket.destroy();
      reject(new Error(`no answer within 15 s; got: ${answer}`));
    });
  });
}

const generation = JSON.stringify({ prompt: 'a small test image', model: 'dreamshaper-8-lcm', width: 512, height: 512 });

describe.skipIf(!ready)('abuse over HTTP', () => {
  let direct: RunningServer;
  let proxied: RunningServer;

  beforeAll(async () => {
    [direct, proxied] = await Promise.all([
      // Exposed directly: X-Forwarded-For must be ignored.
      startServer({ env: { RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '2', RATE_LIMIT_GENERATE_PER_MINUTE: '100' } }),
      // Behind one trusted proxy, with short timeouts to test slow senders.
      startServer({ env: { TRUST_PROXY: '1', RATE_LIMIT_SIGN_IN_PER_MINUTE: '3', HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000' } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([direct?.stop(), proxied?.stop()]);
  });

  it('answers a 12 MB body with 413, declared or chunked, on every route, and keeps serving', async () => {
    const declared = await post(direct, '/api/trpc/generate.create', 'x'.repeat(12 * MB));
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: string }).error).toMatch(/limited to 1 MB/);

    for (const path of ['/api/trpc/generate.create', '/api/auth/local/sign-in', '/api/no-such-route']) {
      const chunked = await post(direct, path, chunkedBody(12 * MB));
      expect(chunked.status, path).toBe(413);
      expect(((await chunked.json()) as { error: string }).error).toMatch(/limited to 1 MB/);
    }

    expect((await fetch(direct.url + '/api/health')).status).toBe(200);
    // A chunked body within the limit still reaches the route whole.
    const body = new TextEncoder().encode(JSON.stringify({ email: 'chunked@example.com', name: 'Chunked' }));
    const small = await post(direct, '/api/auth/local/sign-in', new ReadableStream({ start: (c) => (c.enqueue(body), c.close()) }));
    expect(small.status).toBe(200);
    expect(((await small.json()) as { ok: boolean }).ok).toBe(true);
    expect(direct.output()).not.toMatch(/Internal Server Error|Could not render|Body size limit exceeded/);
  });

  it('hangs up on a client that keeps sending after the 413', async () => {
    const { answer, sent } = await new Promise<{ answer: string; sent: number }>((resolve) => {
      const socket = net.connect(direct.port, '127.0.0.1');
      let answer = '';
      let sent = 0;
      const chunk = Buffer.concat([Buffer.from(`${(64 * 1024).toString(16)}\r\n`), Buffer.alloc(64 * 1024, 0x61), Buffer.from('\r\n')]);
      const pump = () => {
        // Up to 100 MB; the server must cut us off long before.
        while (!socket.destroyed && sent < 100 * MB) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      socket.on('connect', () => {
        socket.write(`POST /api/trpc/generate.create HTTP/1.1\r\nHost: 127.0.0.1:${direct.port}\r\nOrigin: ${direct.url}\r\nTransfer-Encoding: chunked\r\n\r\n`);
        pump();
      });
      socket.on('data', (data) => (answer += data.toString()));
      socket.on('error', () => socket.destroy());
      socket.on('close', () => resolve({ answer, sent }));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(sent).toBeLessThan(100 * MB);
    expect((await fetch(direct.url + '/api/health')).status).toBe(200);
  });

  it('refuses generation past the per-address limit with 429, Retry-After and a sentence, whatever X-Forwarded-For says', async () => {
    const users = [cookieOf(await signIn(direct, 'ip-a@example.com')), cookieOf(await signIn(direct, 'ip-b@example.com'))];
    // Two per minute: the third request is refused, or the fifth if the first ones straddle a minute boundary.
    let refused: Response | null = null;
    for (let i = 0; i < 5 && !refused; i++) {
      const response = await post(direct, '/api/trpc/generate.create', generation, { cookie: users[i % 2]!, 'x-forwarded-for': `198.51.100.${i + 1}` });
      if (response.status === 429) refused = response;
      else expect(response.status).toBe(200);
    }
    expect(refused?.status).toBe(429);
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused!.json()) as { error: { message: string; data: { appCode: string; retryAfter: number } } };
    expect(body.error.message).toBe(`Too many images are being generated from your network. Wait ${retryAfter} seconds and try again.`);
    expect(body.error.data).toMatchObject({ appCode: 'RateLimited', retryAfter });
  });

  it('limits sign-in per client address (the one our proxy saw) and per email', async () => {
    // The first X-Forwarded-For entry is the client's claim; the last is what the proxy saw.
    let byAddress: Response | null = null;
    for (let i = 0; i < 7 && !byAddress; i++) {
      const response = await signIn(proxied, `addr-${i}@example.com`, { 'x-forwarded-for': `192.0.2.${i + 1}, 10.9.0.1` });
      if (response.status === 429) byAddress = response;
      else expect(response.status).toBe(200);
    }
    expect(byAddress?.status).toBe(429);
    expect(Number(byAddress!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await byAddress!.json()) as { error: string }).error).toMatch(/^Too many sign-in attempts\. Wait \d+ seconds and try again\.$/);

    let byEmail: Response | null = null;
    for (let i = 0; i < 7 && !byEmail; i++) {
      const response = await signIn(proxied, 'target@example.com', { 'x-forwarded-for': `10.8.0.${i + 1}` });
      if (response.status === 429) byEmail = response;
      else expect(response.status).toBe(200);
    }
    expect(byEmail?.status).toBe(429);
    expect(await byEmail!.json()).toMatchObject({ field: 'email', error: expect.stringMatching(/^Too many sign-in attempts for this account\. Wait \d+ seconds/) });
  });

  it('answers 408 to a client that sends its headers or its body too slowly, and keeps serving', async () => {
    const slowHeaders = await rawExchange(proxied.port, 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(slowHeaders).toMatch(/^HTTP\/1\.1 408/);
    const slowBody = await rawExchange(
      proxied.port,
      `POST /api/auth/local/sign-in HTTP/1.1\r\nHost: 127.0.0.1:${proxied.port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":`,
    );
    expect(slowBody).toMatch(/^HTTP\/1\.1 408/);
    expect((await fetch(proxied.url + '/api/health')).status).toBe(200);
  });
});
