/**
 * Property-based test over every HTTP route of the built server (routes are read from
 * src/pages, so new ones are covered when they land): any method, path parameter, query,
 * content type and body, signed in or not, answers below 500; and afterwards the data
 * folder holds exactly the images the successful calls made: no record without its files,
 * no file without its record, usage equal to the images generated.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasBuild, startServer, type RunningServer } from '../e2e/support/server.ts';
import { appRouter } from '../../server/trpc/router.ts';
import { auditDataDir } from '../../bench/data-audit.ts';
import { LOCAL_SESSION_COOKIE } from '../../server/adapters/identity/local.ts';

const ready = hasBuild();
if (!ready) console.warn('SKIPPED: the HTTP fuzz test needs a build (npx astro build).');

const SEED = 20250115;
const PAGES = path.resolve(import.meta.dirname, '../../src/pages');
const PROCEDURES = Object.keys(appRouter._def.procedures);

/** Route patterns from the file names under src/pages, e.g. "/media/[id]", "/api/trpc/[...trpc]". */
function routePatterns(dir = PAGES, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return routePatterns(path.join(dir, entry.name), `${prefix}/${entry.name}`);
    const name = entry.name.replace(/\.(astro|ts|md|mdx|html)$/, '');
    if (name === entry.name) return [];
    return [name === 'index' ? prefix || '/' : `${prefix}/${name}`];
  });
}

const segmentText = fc.oneof(fc.string({ maxLength: 30 }), fc.uuid(), fc.constantFrom('', '..', '%', '0', 'privacy', 'terms', 'cookies'));

function pathArbitrary(pattern: string, knownIds: string[]): fc.Arbitrary<string> {
  const parts = pattern.split('/').map((part): fc.Arbitrary<string> => {
    if (part === '[...trpc]') {
      return fc.oneof(
        fc.constantFrom(...PROCEDURES),
        fc.array(fc.constantFrom(...PROCEDURES), { minLength: 1, maxLength: 3 }).map((list) => list.join(',')),
        fc.string({ maxLength: 20 }).map(encodeURIComponent),
      );
    }
    if (part.startsWith('[')) return fc.oneof(fc.constantFrom(...knownIds), segmentText.map(encodeURIComponent));
    return fc.constant(part);
  });
  return fc.tuple(...parts).map((segments) => segments.join('/') || '/');
}

const jsonText = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));

const trpcQuery = fc.record(
  { batch: fc.constantFrom('1', '0', 'x'), input: fc.oneof(jsonText, fc.string({ maxLength: 40 }), fc.dictionary(fc.constantFrom('0', '1', '2'), fc.jsonValue({ maxDepth: 2 })).map((v) => JSON.stringify(v))) },
  { requiredKeys: [] },
);

const request = (patterns: string[], knownIds: string[]) =>
  fc.record({
    path: fc.constantFrom(...patterns).chain((pattern) => pathArbitrary(pattern, knownIds)),
    method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
    query: fc.oneof(trpcQuery, fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 30 }), { maxKeys: 3 })),
    contentType: fc.constantFrom(null, 'application/json', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=x', 'text/plain', 'application/octet-stream', 'nonsense'),
    body: fc.oneof(
      fc.constant(null),
      // Bodies a procedure accepts, so that some calls succeed and the audit has something to count.
      fc.constantFrom(...usefulBodies(knownIds)),
      jsonText,
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }),
      fc.dictionary(fc.constantFrom('email', 'name', 'returnTo', 'prompt', 'x'), fc.string({ maxLength: 40 })).map((d) => new URLSearchParams(d).toString()),
    ),
    session: fc.constantFrom('valid', 'none', 'garbage'),
    withOrigin: fc.boolean(),
    requestId: fc.option(fc.stringMatching(/^[\x21-\x7e]{0,100}$/), { nil: undefined }),
  });

const GENERATE = { prompt: 'fuzz', model: 'dreamshaper-8-lcm', width: 512, height: 512 };

function usefulBodies(knownIds: string[]): string[] {
  return [JSON.stringify(GENERATE), JSON.stringify({ ...GENERATE, count: 2 }), JSON.stringify({ id: knownIds[0] }), JSON.stringify({ 0: GENERATE, 1: { id: knownIds[0] } })];
}

/** Calls that succeed when sent right: [procedure path, query, body]. */
function usefulCalls(knownIds: string[]): Array<[string, Record<string, string>, string]> {
  return [
    ['generate.create', {}, JSON.stringify(GENERATE)],
    ['generate.create', {}, JSON.stringify({ ...GENERATE, count: 2, style: 'anime' })],
    ['gallery.delete', {}, JSON.stringify({ id: knownIds[0] })],
    ['generate.create,gallery.delete', { batch: '1' }, JSON.stringify({ 0: GENERATE, 1: { id: knownIds[0] } })],
  ];
}

type FuzzRequest = ReturnType<typeof request> extends fc.Arbitrary<infer T> ? T : never;

interface TrpcItem {
  result?: { data?: { images?: unknown[]; ok?: boolean } };
}

/** Counts what a successful tRPC response did: images made and images deleted. */
function effects(procedurePath: string, body: unknown): { made: number; deleted: number } {
  const names = procedurePath.split(',');
  const items = (Array.isArray(body) ? body : [body]) as TrpcItem[];
  let made = 0;
  let deleted = 0;
  items.forEach((item, i) => {
    const name = names[i] ?? names[0];
    if (name === 'generate.create') made += item?.result?.data?.images?.length ?? 0;
    if (name === 'gallery.delete' && item?.result?.data?.ok === true) deleted += 1;
  });
  return { made, deleted };
}

describe.skipIf(!ready)('every HTTP route under arbitrary requests', () => {
  let server: RunningServer;
  let dataDir: string;
  let cookie: string;
  let imageId: string;
  const tally = { made: 0, deleted: 0, requests: 0, byStatus: new Map<number, number>() };

  beforeAll(async () => {
    // Our own DATA_DIR: it must outlive the server for the audit.
    dataDir = await mkdtemp(path.join(tmpdir(), 'artivio-fuzz-'));
    server = await startServer({
      dataDir,
      env: { RATE_LIMIT_SIGN_IN_PER_MINUTE: '100000', RATE_LIMIT_GENERATE_PER_MINUTE: '100000', RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '100000' },
    });
    const signIn = await fetch(server.url + '/api/auth/local/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: 'fuzz@example.com', name: 'Fuzz' }),
    });
    cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const made = await fetch(server.url + '/api/trpc/generate.create', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url, cookie },
      body: JSON.stringify({ prompt: 'fuzz seed image', model: 'dreamshaper-8-lcm', width: 512, height: 512 }),
    });
    imageId = ((await made.json()) as { result: { data: { images: Array<{ id: string }> } } }).result.data.images[0]!.id;
    tally.made += 1;
  });

  afterAll(async () => {
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Sends one generated request; fails the property on a 5xx; counts what succeeded. */
  async function send(r: FuzzRequest): Promise<void> {
    const url = new URL(server.url + r.path);
    for (const [k, v] of Object.entries(r.query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = {};
    if (r.contentType) headers['content-type'] = r.contentType;
    if (r.withOrigin) headers.origin = server.url;
    if (r.session === 'valid') headers.cookie = cookie;
    if (r.session === 'garbage') headers.cookie = `${LOCAL_SESSION_COOKIE}=${encodeURIComponent(r.path)}.x; __session=abc`;
    if (r.requestId !== undefined) headers['x-request-id'] = r.requestId;
    const hasBody = r.body !== null && r.method !== 'GET' && r.method !== 'HEAD';
    const response = await fetch(url, { method: r.method, headers, ...(hasBody ? { body: r.body as BodyInit } : {}), redirect: 'manual', signal: AbortSignal.timeout(20_000) });
    const text = r.method === 'HEAD' ? '' : await response.text();
    tally.requests += 1;
    tally.byStatus.set(response.status, (tally.byStatus.get(response.status) ?? 0) + 1);
    expect(response.status, `${r.method} ${url.pathname}${url.search} (${r.contentType}): ${text.slice(0, 300)}`).toBeLessThan(500);
    if (response.ok && text && url.pathname.startsWith('/api/trpc/')) {
      const { made, deleted } = effects(decodeURIComponent(url.pathname.slice('/api/trpc/'.length)), JSON.parse(text));
      tally.made += made;
      tally.deleted += deleted;
    }
  }

  it('answers every request to every route below 500', async () => {
    const patterns = routePatterns();
    expect(patterns).toEqual(expect.arrayContaining(['/api/trpc/[...trpc]', '/api/auth/local/sign-in', '/media/[id]', '/api/health']));
    await fc.assert(fc.asyncProperty(request(patterns, [imageId]), send), { seed: SEED, numRuns: 250 });
    expect((await fetch(server.url + '/api/health')).status).toBe(200);
  });

  it('answers every tRPC call from a signed-in browser below 500, whatever its input', async () => {
    const signedInTrpc = fc
      .tuple(request(['/api/trpc/[...trpc]'], [imageId]), fc.constantFrom(...usefulCalls([imageId])), fc.boolean())
      .map(([r, [procedure, query, body], pickUseful]): FuzzRequest => ({
        ...r,
        ...(pickUseful ? { path: `/api/trpc/${procedure}`, query, body } : {}),
        method: r.method === 'GET' && !pickUseful ? 'GET' : 'POST',
        contentType: 'application/json',
        session: 'valid',
        withOrigin: true,
      }));
    await fc.assert(fc.asyncProperty(signedInTrpc, send), { seed: SEED + 1, numRuns: 150 });
  });

  it('stores exactly what the successful calls made, and nothing from the refused ones', async () => {
    await server.stop();
    const audit = await auditDataDir(dataDir);
    expect(audit.missingObjects).toEqual([]);
    expect(audit.orphanObjects).toEqual([]);
    expect(audit.records).toBe(tally.made - tally.deleted);
    expect(audit.objects).toBe(2 * audit.records);
    expect([...audit.usageByOwner.values()].reduce((a, b) => a + b, 0)).toBe(tally.made);
    console.info(`fuzz-http: ${tally.requests} requests, statuses ${JSON.stringify(Object.fromEntries([...tally.byStatus].sort()))}, ${tally.made} images made, ${tally.deleted} deleted`);
  });
});
