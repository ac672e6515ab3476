import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createFsBlobStore } from '../../server/adapters/blob/fs.ts';
import { testBlobStore } from './suites/blob-store.ts';

describe('blob store: files', () => {
  let dir = '';
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  testBlobStore({
    async create() {
      dir = await mkdtemp(path.join(tmpdir(), 'artivio-blobs-'));
      return createFsBlobStore({ dir });
    },
  });
});

describe('blob store: files, adapter-specific', () => {
  // Regression: deleting a user's prefix left empty folders named after their id on disk.
  it('deletePrefix leaves no folder named after the prefix behind', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'artivio-blobs-'));
    const store = createFsBlobStore({ dir });
    const meta = { contentType: 'image/png', cacheControl: 'private' };
    await store.put('users/u1/images/a.png', new Uint8Array([1]), meta);
    await store.put('users/u1/thumbs/a.webp', new Uint8Array([2]), meta);
    await store.put('users/u2/images/b.png', new Uint8Array([3]), meta);
    expect(await store.deletePrefix('users/u1/')).toBe(2);
    expect(existsSync(path.join(dir, 'users', 'u1'))).toBe(false);
    expect(await store.list('users/')).toEqual(['users/u2/images/b.png']);
    await rm(dir, { recursive: true, force: true });
  });
});
