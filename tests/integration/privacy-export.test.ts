import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { readZip, streamBytes } from '../support/zip.ts';
import type { ImageRecord } from '../../server/ports.ts';
import { exportKey } from '../../server/services/media-keys.ts';

let t: TestApp;
afterEach(async () => t?.close());

const base = { model: 'dreamshaper-8-lcm', width: 512, height: 512 };

type Caller = Awaited<ReturnType<TestApp['signIn']>>['caller'];

async function makeImages(caller: Caller, prompts: string[]): Promise<void> {
  for (const [i, prompt] of prompts.entries()) {
    await caller.generate.create({ ...base, prompt, negativePrompt: `no blur ${i}`, seed: 100 + i, steps: 6, guidance: 3.5, style: i % 2 ? 'watercolor' : 'none' });
  }
}

async function allImages(ownerId: string): Promise<ImageRecord[]> {
  return (await t.app.store.listImages(ownerId, { limit: 100 })).items;
}

async function exportZip(ownerId: string, requestId: string): Promise<Map<string, Buffer>> {
  const download = await t.app.privacyExport.download(ownerId, requestId);
  expect(download?.object).toBeTruthy();
  return readZip(await streamBytes(download!.object!.body));
}

describe('privacy export', () => {
  it('puts every image byte-identical, every prompt and setting, and the account files in the ZIP', async () => {
    t = await createTestApp();
    const ada = await t.signIn('ada@example.com', 'Ada Lovelace');
    const bob = await t.signIn('bob@example.com', 'Bob Stranger');
    await makeImages(ada.caller, ['a red fox in deep snow', 'an orange lighthouse at dusk', 'three teacups on a shelf']);
    await makeImages(bob.caller, ['bob secret prompt about submarines']);
    await ada.caller.consent.record({ categories: { analytics: true, performance: false, preferences: true }, policyVersion: '2025-01-15', source: 'banner' });
    await bob.caller.consent.record({ categories: { analytics: false, performance: false, preferences: false }, policyVersion: '2025-01-15', source: 'banner' });

    const requested = await ada.caller.privacy.requestExport();
    expect(requested.state).toBe('queued');
    expect(await t.app.jobs.runDue()).toBe(1);

    const { export: view } = await ada.caller.privacy.status();
    expect(view).toMatchObject({ id: requested.id, state: 'done', downloadUrl: `/api/privacy/export/${requested.id}` });
    expect(view!.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(new Date(view!.expiresAt!).getTime() - new Date(view!.finishedAt!).getTime()).toBe(7 * 86_400_000);

    const files = await exportZip(ada.user.id, requested.id);
    expect([...files.keys()].filter((n) => !n.startsWith('images/')).sort()).toEqual(
      ['README.txt', 'account.json', 'billing.json', 'consents.json', 'images.json', 'usage.json'].sort(),
    );

    const images = await allImages(ada.user.id);
    const listed = JSON.parse(files.get('images.json')!.toString('utf8')) as Array<Record<string, unknown>>;
    expect(listed).toHaveLength(3);
    for (const image of images) {
      const entry = listed.find((e) => e.id === image.id)!;
      expect(entry).toMatchObject({
        prompt: image.prompt,
        negativePrompt: image.negativePrompt,
        model: image.model,
        width: image.width,
        height: image.height,
        seed: image.seed,
        steps: image.steps,
        guidance: image.guidance,
        style: image.style,
        createdAt: image.createdAt,
      });
      const inZip = files.get(entry.file as string);
      expect(inZip, `file for ${image.id}`).toBeDefined();
      expect(Buffer.compare(inZip!, Buffer.from((await t.app.blobs.read(image.key))!))).toBe(0);
    }

    expect(JSON.parse(files.get('account.json')!.toString())).toMatchObject({ id: ada.user.id, email: 'ada@example.com', displayName: 'Ada Lovelace', marketingEmails: false });
    expect(JSON.parse(files.get('usage.json')!.toString())).toEqual([{ month: new Date().toISOString().slice(0, 7), imagesGenerated: 3 }]);
    expect(JSON.parse(files.get('billing.json')!.toString())).toMatchObject({ plan: 'free', subscription: null });
    expect(JSON.parse(files.get('consents.json')!.toString())).toMatchObject([{ categories: { essential: true, analytics: true, performance: false, preferences: true }, policyVersion: '2025-01-15' }]);
    expect(files.get('README.txt')!.toString()).toContain('images.json');

    // Nothing of Bob's anywhere in Ada's archive.
    const everything = Buffer.concat([...files.values()]).toString('latin1');
    for (const secret of ['bob@example.com', 'Bob Stranger', 'submarines', bob.user.id, ...(await allImages(bob.user.id)).map((i) => i.id)]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('answers another user, an expired export and a missing id the same way, and deletes expired archives', async () => {
    t = await createTestApp();
    const ada = await t.signIn('ada@example.com');
    const bob = await t.signIn('bob@example.com');
    await makeImages(ada.caller, ['a quiet harbour']);
    const { id } = await ada.caller.privacy.requestExport();
    await t.app.jobs.runDue();

    expect(await t.app.privacyExport.download(ada.user.id, id)).not.toBeNull();
    expect(await t.app.privacyExport.download(bob.user.id, id)).toBeNull();
    expect(await t.app.privacyExport.download(ada.user.id, 'exp_missing')).toBeNull();
    expect((await bob.caller.privacy.status()).export).toBeNull();

    await t.app.store.updatePrivacyRequest(id, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(await t.app.privacyExport.download(ada.user.id, id)).toBeNull();
    expect((await ada.caller.privacy.status()).export).toMatchObject({ state: 'expired', downloadUrl: null });

    const key = exportKey(ada.user.id, id);
    expect(await t.app.blobs.exists(key)).toBe(true);
    expect(await t.app.privacyExport.sweepExpired()).toBe(1);
    expect(await t.app.blobs.exists(key)).toBe(false);
    expect(await t.app.privacyExport.sweepExpired()).toBe(0);
  });

  it('allows one export at a time per person', async () => {
    t = await createTestApp();
    const ada = await t.signIn('ada@example.com');
    const bob = await t.signIn('bob@example.com');
    await ada.caller.privacy.requestExport();
    await expect(ada.caller.privacy.requestExport()).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('already being prepared') });
    // Someone else's export is not in the way.
    await expect(bob.caller.privacy.requestExport()).resolves.toMatchObject({ state: 'queued' });
    await expect(t.anonymous.privacy.requestExport()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('retries a failed build and keeps no partial archive', async () => {
    let failReads = 1;
    t = await createTestApp({}, { JOB_INTERVAL_MS: '1' });
    const blobs = t.app.blobs;
    const get = blobs.get.bind(blobs);
    blobs.get = async (key) => {
      if (failReads > 0 && key.includes('/images/')) {
        failReads--;
        throw new Error('storage unavailable');
      }
      return get(key);
    };
    const ada = await t.signIn('ada@example.com');
    await makeImages(ada.caller, ['a windmill in fog']);
    const { id } = await ada.caller.privacy.requestExport();

    await t.app.jobs.runDue();
    expect((await ada.caller.privacy.status()).export).toMatchObject({ state: 'retrying' });
    expect(await t.app.blobs.exists(exportKey(ada.user.id, id))).toBe(false);

    await new Promise((r) => setTimeout(r, 5));
    await t.app.jobs.runDue();
    expect((await ada.caller.privacy.status()).export).toMatchObject({ state: 'done' });
    const files = await exportZip(ada.user.id, id);
    expect(JSON.parse(files.get('images.json')!.toString())).toHaveLength(1);
  });
});
