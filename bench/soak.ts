/**
 * Soak: simulated people against one started server (the built site, embedded defaults, the
 * local model at small sizes). Each signs in, upgrades with local test billing, then until the
 * time is up generates, lists, opens thumbnails, deletes the oldest of its images, checks its
 * usage meter and now and then signs in again. Afterwards the server is stopped and its data
 * folder audited: per person, image records = generated − deleted, usage = generated, every
 * record has both its files and every file its record.
 *
 * Run: node bench/soak.ts   (SOAK_SECONDS, default 60; SOAK_USERS, default 50)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../tests/e2e/support/server.ts';
import { auditDataDir } from './data-audit.ts';

export interface SoakOptions {
  seconds: number;
  users: number;
  /** Print progress and the report (main does; the smoke test does not). */
  print?: boolean;
}

type Operation = 'sign-in' | 'upgrade' | 'generate' | 'list' | 'thumbnail' | 'delete' | 'usage';
const OPERATIONS: Operation[] = ['sign-in', 'upgrade', 'generate', 'list', 'thumbnail', 'delete', 'usage'];

export interface OperationStats {
  count: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface SoakReport {
  seconds: number;
  users: number;
  operations: Record<Operation, OperationStats>;
  /** Completed operations per second, all kinds together. */
  throughput: number;
  errors: number;
  errorSamples: string[];
  generated: number;
  deleted: number;
  audit: { records: number; objects: number; usage: number };
  mismatches: string[];
}

const STYLES = ['none', 'watercolor', 'anime', 'line-art', 'cinematic'];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

class Recorder {
  readonly latencies = new Map<Operation, number[]>(OPERATIONS.map((op) => [op, []]));
  readonly errorCounts = new Map<Operation, number>(OPERATIONS.map((op) => [op, 0]));
  readonly samples: string[] = [];

  /** Times `fn`; a thrown error counts against the operation and keeps a sample. */
  async time<T>(op: Operation, fn: () => Promise<T>): Promise<T | null> {
    const start = performance.now();
    try {
      const value = await fn();
      this.latencies.get(op)!.push(performance.now() - start);
      return value;
    } catch (error) {
      this.fail(op, error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  fail(op: Operation, message: string): void {
    this.errorCounts.set(op, this.errorCounts.get(op)! + 1);
    if (this.samples.length < 10) this.samples.push(`${op}: ${message}`);
  }
}

interface Person {
  email: string;
  userId: string;
  cookie: string;
  /** Own images, oldest first, as the person believes them to be. */
  images: string[];
  generated: number;
  deleted: number;
}

async function expectOk(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as unknown) : null;
}

function trpcData<T>(body: unknown): T {
  return (body as { result: { data: T } }).result.data;
}

async function signIn(server: RunningServer, email: string): Promise<{ userId: string; cookie: string }> {
  const response = await fetch(server.url + '/api/auth/local/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ email, name: email.split('@')[0] }),
  });
  const body = (await expectOk(response, 'sign-in')) as { userId: string };
  return { userId: body.userId, cookie: response.headers.get('set-cookie')!.split(';')[0]! };
}

function mutation(server: RunningServer, person: Person, procedure: string, input: unknown): Promise<unknown> {
  return fetch(`${server.url}/api/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url, cookie: person.cookie },
    body: JSON.stringify(input),
  }).then((r) => expectOk(r, procedure));
}

function query(server: RunningServer, person: Person, procedure: string, input?: unknown): Promise<unknown> {
  const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return fetch(`${server.url}/api/trpc/${procedure}${search}`, { headers: { cookie: person.cookie } }).then((r) => expectOk(r, procedure));
}

async function simulate(server: RunningServer, index: number, deadline: number, rec: Recorder): Promise<Person | null> {
  const email = `soak-${index}@example.com`;
  const session = await rec.time('sign-in', () => signIn(server, email));
  if (!session) return null;
  const person: Person = { email, ...session, images: [], generated: 0, deleted: 0 };
  await rec.time('upgrade', () => mutation(server, person, 'billing.localCheckout', { plan: 'pro' }));

  for (let round = 1; performance.now() < deadline; round++) {
    const made = await rec.time('generate', async () => {
      const input = { prompt: `soak ${index} round ${round}`, model: 'dreamshaper-8-lcm', width: 512, height: 512, style: STYLES[round % STYLES.length], seed: index * 100_000 + round };
      return trpcData<{ images: Array<{ id: string; thumbnailUrl: string }> }>(await mutation(server, person, 'generate.create', input)).images;
    });
    if (made) {
      person.generated += made.length;
      person.images.push(...made.map((i) => i.id));
    }

    await rec.time('list', async () => {
      const page = trpcData<{ items: Array<{ id: string }> }>(await query(server, person, 'gallery.list', { limit: 24 }));
      const newest = person.images.at(-1);
      // Each person acts one step at a time, so their newest image must head their gallery.
      if (newest && page.items[0]?.id !== newest) throw new Error(`gallery does not start with the newest image ${newest}`);
      if (page.items.length !== Math.min(24, person.images.length)) throw new Error(`gallery lists ${page.items.length}, expected ${Math.min(24, person.images.length)}`);
    });

    if (round % 3 === 0 && person.images.length > 0) {
      const id = person.images.at(-1)!;
      await rec.time('thumbnail', async () => {
        const response = await fetch(`${server.url}/media/${id}?variant=thumb`, { headers: { cookie: person.cookie } });
        const bytes = await response.arrayBuffer();
        if (response.status !== 200 || response.headers.get('content-type') !== 'image/webp' || bytes.byteLength === 0) throw new Error(`thumbnail: HTTP ${response.status}`);
      });
    }

    if (round % 2 === 0 && person.images.length > 0) {
      const id = person.images[0]!;
      const done = await rec.time('delete', () => mutation(server, person, 'gallery.delete', { id }));
      if (done) {
        person.images.shift();
        person.deleted += 1;
      }
    }

    if (round % 5 === 0) {
      await rec.time('usage', async () => {
        const usage = trpcData<{ used: number }>(await query(server, person, 'usage.current'));
        if (usage.used !== person.generated) throw new Error(`usage meter says ${usage.used}, ${person.generated} generated`);
      });
    }

    if (round % 10 === 0) {
      const again = await rec.time('sign-in', () => signIn(server, email));
      if (again) {
        if (again.userId !== person.userId) rec.fail('sign-in', `signing in again gave another account (${again.userId})`);
        person.cookie = again.cookie;
      }
    }
  }
  return person;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'artivio-soak-'));
  const log = (line: string) => options.print && console.log(line);
  try {
    const server = await startServer({
      dataDir,
      env: {
        LOG_LEVEL: 'warn',
        // One address, many people: the per-address and per-person limits would throttle the soak itself.
        RATE_LIMIT_GENERATE_PER_MINUTE: '1000000',
        RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '1000000',
        RATE_LIMIT_SIGN_IN_PER_MINUTE: '1000000',
      },
    });
    const rec = new Recorder();
    let people: Array<Person | null>;
    const started = performance.now();
    try {
      log(`Soak: ${options.users} people for ${options.seconds} s against ${server.url}`);
      const deadline = started + options.seconds * 1000;
      people = await Promise.all(Array.from({ length: options.users }, (_, i) => simulate(server, i, deadline, rec)));
    } finally {
      await server.stop();
    }
    const elapsedS = (performance.now() - started) / 1000;

    const audit = await auditDataDir(dataDir);
    const mismatches: string[] = [...audit.missingObjects.map((k) => `record without its object: ${k}`), ...audit.orphanObjects.map((k) => `object without its record: ${k}`)];
    for (const person of people) {
      if (!person) continue;
      const records = audit.recordsByOwner.get(person.userId) ?? 0;
      const usage = audit.usageByOwner.get(person.userId) ?? 0;
      if (records !== person.generated - person.deleted) mismatches.push(`${person.email}: ${records} records, expected ${person.generated - person.deleted}`);
      if (usage !== person.generated) mismatches.push(`${person.email}: usage ${usage}, expected ${person.generated}`);
    }
    const known = new Set(people.flatMap((p) => (p ? [p.userId] : [])));
    for (const owner of audit.recordsByOwner.keys()) if (!known.has(owner)) mismatches.push(`records for an unknown owner ${owner}`);

    const operations = Object.fromEntries(
      OPERATIONS.map((op) => {
        const sorted = [...rec.latencies.get(op)!].sort((a, b) => a - b);
        return [op, { count: sorted.length, errors: rec.errorCounts.get(op)!, p50Ms: Math.round(percentile(sorted, 50)), p99Ms: Math.round(percentile(sorted, 99)) }];
      }),
    ) as Record<Operation, OperationStats>;
    const completed = Object.values(operations).reduce((sum, o) => sum + o.count, 0);
    const report: SoakReport = {
      seconds: options.seconds,
      users: options.users,
      operations,
      throughput: Math.round((completed / elapsedS) * 10) / 10,
      errors: [...rec.errorCounts.values()].reduce((a, b) => a + b, 0),
      errorSamples: rec.samples,
      generated: people.reduce((sum, p) => sum + (p?.generated ?? 0), 0),
      deleted: people.reduce((sum, p) => sum + (p?.deleted ?? 0), 0),
      audit: { records: audit.records, objects: audit.objects, usage: [...audit.usageByOwner.values()].reduce((a, b) => a + b, 0) },
      mismatches,
    };
    if (options.print) printReport(report, elapsedS);
    return report;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

function printReport(report: SoakReport, elapsedS: number): void {
  console.log(`\nSoak: ${report.users} people, ${elapsedS.toFixed(1)} s, ${report.throughput} operations/s in all`);
  console.table(
    Object.fromEntries(
      Object.entries(report.operations).map(([op, s]) => [op, { count: s.count, 'per s': Math.round((s.count / elapsedS) * 10) / 10, errors: s.errors, 'p50 ms': s.p50Ms, 'p99 ms': s.p99Ms }]),
    ),
  );
  console.log(`errors: ${report.errors}${report.errorSamples.length ? `\n  ${report.errorSamples.join('\n  ')}` : ''}`);
  console.log(`images generated ${report.generated}, deleted ${report.deleted}; data folder: ${report.audit.records} records, ${report.audit.objects} objects, usage ${report.audit.usage}`);
  console.log(`mismatches: ${report.mismatches.length}${report.mismatches.length ? `\n  ${report.mismatches.slice(0, 20).join('\n  ')}` : ''}`);
}

export async function main(): Promise<SoakReport> {
  const seconds = Number(process.env.SOAK_SECONDS ?? 60);
  const users = Number(process.env.SOAK_USERS ?? 50);
  return runSoak({ seconds, users, print: true });
}

if (import.meta.main) {
  const report = await main();
  if (report.errors > 0 || report.mismatches.length > 0) process.exitCode = 1;
}
