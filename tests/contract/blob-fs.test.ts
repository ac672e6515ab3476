import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe } from 'vitest';
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
