import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
afterEach(async () => t?.close());

const small = { prompt: 'a red fox in snow', model: 'dreamshaper-8-lcm', width: 512, height: 512 };

describe('gallery', () => {
  it('lists only the owner’s images, newest first, by cursor without gaps or repeats', async () => {
    t = await createTestApp();
    const ada = await t.signIn('ada@example.com');
    const bob = await t.signIn('bob@example.com');
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push(...(await ada.caller.generate.create({ ...small, seed: i })).images.map((im) => im.id));
    await bob.caller.generate.create(small);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; nextCursor: string | null } = await ada.caller.gallery.list({ limit: 3, cursor });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
    expect((await bob.caller.gallery.list()).items).toHaveLength(1);
  });

  it('answers another user’s image id exactly like a missing one, and never deletes it', async () => {
    t = await createTestApp();
    const ada = await t.signIn('ada@example.com');
    const bob = await t.signIn('bob@example.com');
    const [image] = (await ada.caller.generate.create(small)).images;

    const foreign = await bob.caller.gallery.get({ id: image!.id }).catch((e: { code: string; message: string }) => e);
    const missing = await bob.caller.gallery.get({ id: 'does-not-exist' }).catch((e: { code: string; message: string }) => e);
    expect(foreign).toMatchObject({ code: 'NOT_FOUND' });
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: (foreign as { message: string }).message });

    await expect(bob.caller.gallery.delete({ id: image!.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await ada.caller.gallery.get({ id: image!.id })).id).toBe(image!.id);
  });

  it('deletes the record and both objects', async () => {
    t = await createTestApp();
    const ada = await t.signIn('ada@example.com');
    const [image] = (await ada.caller.generate.create(small)).images;
    const record = await t.app.store.getImage(ada.user.id, image!.id);
    await ada.caller.gallery.delete({ id: image!.id });
    expect(await t.app.store.getImage(ada.user.id, image!.id)).toBeNull();
    expect(await t.app.blobs.exists(record!.key)).toBe(false);
    expect(await t.app.blobs.exists(record!.thumbKey)).toBe(false);
  });

  it('refuses every procedure to a signed-out caller', async () => {
    t = await createTestApp();
    await expect(t.anonymous.gallery.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(t.anonymous.generate.create(small)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(t.anonymous.usage.current()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(t.anonymous.account.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
