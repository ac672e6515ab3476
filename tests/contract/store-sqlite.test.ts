import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';
import { createSqliteStore } from '../../server/adapters/store/sqlite.ts';
import { testStore } from './suites/store.ts';

describe('store: sqlite', () => {
  testStore({
    async create() {
      const dir = await mkdtemp(path.join(tmpdir(), 'artivio-store-'));
      const store = createSqliteStore({ file: path.join(dir, 'test.sqlite') });
      const dispose = store.dispose.bind(store);
      return Object.assign(store, {
        async dispose() {
          await dispose();
          await rm(dir, { recursive: true, force: true });
        },
      });
    },
  });
});
