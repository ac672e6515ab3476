/**
 * SIGTERM against the built server with a slow (fake) Workers AI: a generation in flight
 * either finishes and is kept, or — past the grace period — is stopped and refunded; the
 * process then exits cleanly. And a privacy job left behind by a crashed instance is picked
 * up by the next start without anyone asking.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';
import { startFakeWorkersAi, type FakeWorkersAi } from '../support/fake-workers-ai.ts';
import { auditDataDir } from '../../bench/data-audit.ts';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';

const ready = hasBuild();
if (!ready) console.warn('SKIPPED: shutdown tests need a build (npx astro build).');

let server: RunningServer | null = null;
let fake: FakeWorkersAi | null = null;
let dataDir: string | null = null;

afterEach(async () => {
  await server?.stop();
  await fake?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  server = null;
  fake = null;
  dataDir = null;
});

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function startWithSlowModel(env: Record<string, string> = {}): Promise<{ server: RunningServer; fake: FakeWorkersAi; cookie: string }> {
  fake = await startFakeWorkersAi();
  dataDir = await mkdtemp(path.join(tmpdir(), 'artivio-shutdown-'));
  server = await startServer({
    dataDir,
    env: { CLOUDFLARE_ACCOUNT_ID: fake.accountId, CLOUDFLARE_API_TOKEN: fake.apiToken, CLOUDFLARE_API_BASE_URL: fake.baseUrl, AI_MAX_RETRIES: '1', ...env },
  });
  const signIn = await fetch(server.url + '/api/auth/local/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ email: 'drain@example.com', name: 'Drain' }),
  });
  return { server, fake, cookie: signIn.headers.get('set-cookie')!.split(';')[0]! };
}

function generate(s: RunningServer, cookie: string): Promise<Response> {
  return fetch(s.url + '/api/trpc/generate.create', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: s.url, cookie },
    body: JSON.stringify({ prompt: 'a slow lighthouse', model: 'dreamshaper-8-lcm', width: 512, height: 512 }),
  });
}

describe.skipIf(!ready)('SIGTERM', () => {
  it('lets a generation in flight finish and keeps it, then exits cleanly', async () => {
    const { server: s, fake: ai, cookie } = await startWithSlowModel();
    ai.failAlways({ kind: 'slow', ms: 1500 });
    const pending = generate(s, cookie);
    await until(() => ai.requests.length > 0, 'the model call');
    const stopping = s.stop();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: { data: { images: unknown[] } } }).result.data.images).toHaveLength(1);
    await stopping;
    expect(s.exitCode()).toBe(0);
    expect(s.output()).toContain('SIGTERM: finishing in-flight requests');

    const audit = await auditDataDir(dataDir!);
    expect({ records: audit.records, objects: audit.objects, usage: [...audit.usageByOwner.values()], missing: audit.missingObjects, orphans: audit.orphanObjects }).toEqual({ records: 1, objects: 2, usage: [1], missing: [], orphans: [] });
  });

  it('stops a generation that outlasts the grace period, refunds it and says to try again', async () => {
    const { server: s, fake: ai, cookie } = await startWithSlowModel({ SHUTDOWN_GRACE_MS: '300' });
    ai.failAlways({ kind: 'slow', ms: 60_000 });
    const pending = generate(s, cookie);
    await until(() => ai.requests.length > 0, 'the model call');
    const stopping = s.stop();
    const response = await pending;
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toBe('The server is restarting. Your quota was not used; try again in a minute.');
    await stopping;
    expect(s.exitCode()).toBe(0);

    const audit = await auditDataDir(dataDir!);
    expect({ records: audit.records, objects: audit.objects, usage: [...audit.usageByOwner.values()] }).toEqual({ records: 0, objects: 0, usage: [] });
  });

  it('finishes a privacy job left behind by a crashed instance on the next start', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'artivio-jobs-'));
    // The "crashed" instance: it queued a deletion, claimed it, and died before finishing.
    const before = await createApp(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { startJobs: false });
    const user = await before.account.signInLocal('leaving@example.com', 'Leaving');
    await before.generation.create(user.id, { prompt: 'soon gone', model: 'dreamshaper-8-lcm', width: 512, height: 512 });
    const request = await before.privacyDeletion.request(user.id, { source: 'account-page' });
    const past = new Date(Date.now() - 60_000).toISOString();
    expect(await before.store.claimPrivacyRequest({ id: request.id, leaseOwner: 'crashed-instance', now: new Date().toISOString(), leaseUntil: past })).not.toBeNull();
    await before.dispose();
    expect((await auditDataDir(dataDir)).records).toBe(1);

    server = await startServer({ dataDir });
    const s = server;
    const input = encodeURIComponent(JSON.stringify({ id: request.id }));
    await until(async () => {
      const response = await fetch(`${s.url}/api/trpc/privacy.receipt?input=${input}`);
      const body = (await response.json()) as { result?: { data?: { state?: string } } };
      return body.result?.data?.state === 'done';
    }, 'the deletion to finish');
    await s.stop();
    const audit = await auditDataDir(dataDir);
    expect({ records: audit.records, objects: audit.objects, usage: audit.usageByOwner.size }).toEqual({ records: 0, objects: 0, usage: 0 });
  });
});
