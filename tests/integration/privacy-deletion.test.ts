import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createSqliteStore } from '../../server/adapters/store/sqlite.ts';
import { createFsBlobStore } from '../../server/adapters/blob/fs.ts';
import { createLocalBilling } from '../../server/adapters/billing/local.ts';
import { createLocalIdentity, LOCAL_SESSION_COOKIE } from '../../server/adapters/identity/local.ts';
import { userPrefix } from '../../server/services/media-keys.ts';
import { userFromRequest } from '../../server/trpc/context.ts';
import type { Billing, BlobStore, Identity, Store, UserRecord } from '../../server/ports.ts';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';

let t: TestApp;
afterEach(async () => t?.close());

type FailingStep = 'billing' | 'storage' | 'store' | 'auth';
const small = { prompt: 'a lighthouse at dusk', model: 'dreamshaper-8-lcm', width: 512, height: 512 };
const tick = () => new Promise((r) => setTimeout(r, 5));

/** Real embedded adapters, with the chosen step's service failing the first `times` calls. */
async function appWithFailure(step: FailingStep | null, times = 2) {
  const dir = await mkdtemp(path.join(tmpdir(), 'artivio-deletion-'));
  let left = times;
  const fail = (what: string) => {
    if (left > 0) {
      left--;
      throw new Error(`${what} unavailable`);
    }
  };
  const store: Store = createSqliteStore({ file: path.join(dir, 'artivio.sqlite') });
  const blobs: BlobStore = createFsBlobStore({ dir: path.join(dir, 'blobs') });
  const billing: Billing = createLocalBilling();
  const identity = createLocalIdentity({ secretFile: path.join(dir, 'session-secret'), revocations: store });
  const calls = { deleteCustomer: 0, deleteAccount: 0 };
  const overrides: { store: Store; blobs: BlobStore; billing: Billing; identity: Identity } = {
    store: { ...store, deleteImagesByOwner: async (id) => (step === 'store' && fail('store'), store.deleteImagesByOwner(id)) },
    blobs: { ...blobs, deletePrefix: async (p) => (step === 'storage' && fail('storage'), blobs.deletePrefix(p)) },
    billing: {
      ...billing,
      deleteCustomer: async (u: UserRecord) => {
        calls.deleteCustomer++;
        if (step === 'billing') fail('billing');
        return billing.deleteCustomer(u);
      },
    },
    identity: {
      ...identity,
      deleteAccount: async (id: string) => {
        calls.deleteAccount++;
        if (step === 'auth') fail('auth');
        return identity.deleteAccount(id);
      },
    },
  };
  t = await createTestApp(overrides, { JOB_INTERVAL_MS: '1' });
  return { calls, dir };
}

/** A person with something in every collection and under their storage prefix. */
async function populate(email: string) {
  const person = await t.signIn(email, email.split('@')[0]);
  await person.caller.generate.create({ ...small, seed: 1 });
  await person.caller.generate.create({ ...small, seed: 2 });
  await person.caller.consent.record({ categories: { analytics: true, performance: false, preferences: false }, policyVersion: '2025-01-15', source: 'banner' });
  await t.app.store.updateUser(person.user.id, { stripeCustomerId: `cus_${email}`, marketingOptIn: true });
  await t.app.store.markEventProcessed(`evt_${email}`, 'stripe', person.user.id);
  const { id } = await person.caller.privacy.requestExport();
  await t.app.jobs.runDue();
  expect((await t.app.store.getPrivacyRequest(id))?.status).toBe('done');
  return person;
}

async function footprint(userId: string, email: string) {
  const { store, blobs } = t.app;
  return {
    user: await store.getUser(userId),
    images: await store.countImages(userId),
    usage: (await store.listUsage(userId)).length,
    consents: (await store.listConsents(userId)).length,
    requests: (await store.listPrivacyRequests(userId)).length,
    objects: (await blobs.list(userPrefix(userId))).length,
    // A recorded event id cannot be recorded again; after deletion it can.
    eventGone: await store.markEventProcessed(`evt_${email}`, 'probe', null),
  };
}

function sessionRequest(userId: string): Request {
  const token = t.app.localIdentity!.issueSession(userId);
  return new Request('http://localhost:4321/account', { headers: { cookie: `${LOCAL_SESSION_COOKIE}=${token}` } });
}

describe('account deletion', () => {
  it('refuses a wrong confirmation phrase and deletes nothing', async () => {
    await appWithFailure(null);
    const ada = await populate('ada@example.com');
    await expect(ada.caller.privacy.requestDeletion({ confirm: 'delete my acount' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('delete my account') });
    expect(await t.app.privacyDeletion.isPending(ada.user.id)).toBe(false);
    expect(await t.app.store.getUser(ada.user.id)).not.toBeNull();
  });

  it.each<FailingStep>(['billing', 'storage', 'store', 'auth'])('resumes after the %s step fails and leaves nothing of the person', async (step) => {
    const { calls } = await appWithFailure(step);
    const ada = await populate('ada@example.com');
    const bob = await populate('bob@example.com');
    const bobBefore = await footprint(bob.user.id, 'bob@example.com');
    expect(bobBefore).toMatchObject({ images: 2, consents: 1, requests: 1, eventGone: false });
    expect(await userFromRequest(t.app, sessionRequest(ada.user.id))).not.toBeNull();

    const { receipt } = await ada.caller.privacy.requestDeletion({ confirm: '  Delete my  Account ' });
    // From the moment of the request the person is signed out: no more generating, no exports.
    expect(await userFromRequest(t.app, sessionRequest(ada.user.id))).toBeNull();

    // Two failing attempts, each leaving the job to be retried on a later tick.
    for (let attempt = 1; attempt <= 2; attempt++) {
      await t.app.jobs.runDue();
      const view = await t.anonymous.privacy.receipt({ id: receipt.id });
      expect(view.state).toBe('retrying');
      const failedStep = view.steps.find((s) => s.status === 'failed');
      expect(failedStep?.id).toBe(step === 'store' ? 'images' : step);
      await tick();
    }
    await t.app.jobs.runDue();

    const done = await t.anonymous.privacy.receipt({ id: receipt.id });
    expect(done.state).toBe('done');
    expect(done.steps.every((s) => s.status === 'done')).toBe(true);
    expect(done.steps.find((s) => s.id === 'images')?.count).toBe(2);
    expect(done.steps.find((s) => s.id === 'storage')?.count).toBeGreaterThanOrEqual(5); // 2 images, 2 thumbnails, 1 export
    expect(calls.deleteAccount).toBeGreaterThanOrEqual(1);
    expect(calls.deleteCustomer).toBeGreaterThanOrEqual(1);

    expect(await footprint(ada.user.id, 'ada@example.com')).toEqual({ user: null, images: 0, usage: 0, consents: 0, requests: 0, objects: 0, eventGone: true });
    expect(await t.app.store.findUserByEmail('ada@example.com')).toBeNull();

    // The receipt keeps no personal data.
    const stored = await t.app.store.getPrivacyRequest(receipt.id);
    expect(stored?.ownerId).toBeNull();
    const text = JSON.stringify(stored);
    for (const personal of [ada.user.id, 'ada@example.com', 'cus_ada@example.com']) expect(text).not.toContain(personal);

    // Bob is untouched.
    expect(await footprint(bob.user.id, 'bob@example.com')).toEqual(bobBefore);
    expect(await userFromRequest(t.app, sessionRequest(bob.user.id))).not.toBeNull();
  });

  it('is resumed by another instance after a crash, and never run by two instances at once', async () => {
    const { calls, dir } = await appWithFailure(null);
    const ada = await populate('ada@example.com');
    const { receipt } = await ada.caller.privacy.requestDeletion({ confirm: 'delete my account' });

    // An instance claimed the job and died: its lease is still live, so nobody else may take it.
    const leased = await t.app.store.claimPrivacyRequest({ id: receipt.id, leaseOwner: 'crashed-instance', now: new Date().toISOString(), leaseUntil: new Date(Date.now() + 60_000).toISOString() });
    expect(leased).not.toBeNull();
    expect(await t.app.jobs.runDue()).toBe(0);
    expect((await t.anonymous.privacy.receipt({ id: receipt.id })).state).toBe('running');

    // The lease runs out; a freshly started second instance on the same data resumes it.
    await t.app.store.updatePrivacyRequest(receipt.id, { leaseUntil: new Date(Date.now() - 1000).toISOString() });
    const other = await createApp(loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, LOG_LEVEL: 'silent' }), { billing: t.app.billing, identity: t.app.identity, startJobs: false });
    try {
      const ran = await Promise.all([other.jobs.runDue(), t.app.jobs.runDue()]);
      expect(ran[0] + ran[1]).toBe(1);
    } finally {
      await other.dispose();
    }
    expect(calls.deleteCustomer).toBe(1);
    expect(calls.deleteAccount).toBe(1);
    expect((await t.anonymous.privacy.receipt({ id: receipt.id })).state).toBe('done');
    expect(await t.app.store.getUser(ada.user.id)).toBeNull();
  });

  it('queues one deletion per person, also when the identity provider asks', async () => {
    await appWithFailure(null);
    const ada = await t.signIn('ada@example.com');
    const first = await t.app.privacyDeletion.request(ada.user.id, { source: 'identity-provider' });
    const second = await t.app.privacyDeletion.request(ada.user.id, { source: 'account-page' });
    expect(second.id).toBe(first.id);
    await expect(t.anonymous.privacy.receipt({ id: 'del_unknown' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
