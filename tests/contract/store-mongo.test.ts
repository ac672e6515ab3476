/**
 * The Store contract on MongoDB: against MONGODB_URI when it is set (a real MongoDB or Atlas),
 * otherwise against the FerretDB 1.x peer on loopback. Each test gets its own database.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { createMongoStore } from '../../server/adapters/store/mongo.ts';
import { requirePeer, skipPeer, startFerret, type FerretPeer } from '../support/peers.ts';
import { testStore } from './suites/store.ts';

const external = process.env.MONGODB_URI;
const target = external ? 'MONGODB_URI' : 'the FerretDB peer';
const skip = !external && skipPeer('ferretdb', 'store: mongo');

describe.skipIf(skip)(`store: mongo on ${target}`, () => {
  let uri = external ?? '';
  let ferret: FerretPeer | undefined;
  let admin: MongoClient;
  beforeAll(async () => {
    if (!external) {
      ferret = requirePeer(await startFerret());
      uri = ferret.uri;
    }
    admin = await MongoClient.connect(uri);
  });
  afterAll(async () => {
    await admin?.close();
    await ferret?.stop();
  });

  const fresh = (db = `artivio_test_${randomUUID().slice(0, 8)}`) => {
    const store = createMongoStore({ uri, db });
    const dispose = store.dispose.bind(store);
    return Object.assign(store, {
      async dispose() {
        await dispose();
        await admin.db(db).dropDatabase();
      },
    });
  };

  testStore({ create: async () => fresh() });

  describe('mongo specifics', () => {
    // Regression: a claimer that took its ticket and died before marking the request must not
    // block the request forever; once that ticket's lease runs out the next claimer goes past it.
    it('.claimPrivacyRequest() goes past a dead claimer’s expired ticket', async () => {
      const dbName = `artivio_test_${randomUUID().slice(0, 8)}`;
      const store = fresh(dbName);
      await store.init();
      try {
        const id = randomUUID();
        await store.insertPrivacyRequest({
          id, ownerId: 'user_1', kind: 'export', status: 'pending', steps: {}, attempts: 0, lastError: null, artifactKey: null, artifactBytes: null,
          expiresAt: null, leaseOwner: null, leaseUntil: null, createdAt: '2025-01-15T10:00:00.000Z', updatedAt: '2025-01-15T10:00:00.000Z', finishedAt: null,
        });
        // The dead claimer's ticket for attempt 1, leased until 11:00; the request still says pending.
        await admin.db(dbName).collection<{ _id: string; requestId: string; ownerId: string; attempt: number; leaseOwner: string; leaseUntil: string }>('privacy_claims').insertOne({ _id: `${id}#1`, requestId: id, ownerId: 'user_1', attempt: 1, leaseOwner: 'dead', leaseUntil: '2025-01-15T11:00:00.000Z' });
        const lease = { id, leaseOwner: 'alive', leaseUntil: '2025-01-15T12:05:00.000Z' };
        expect(await store.claimPrivacyRequest({ ...lease, now: '2025-01-15T10:30:00.000Z' })).toBeNull();
        expect(await store.claimPrivacyRequest({ ...lease, now: '2025-01-15T12:00:00.000Z' })).toMatchObject({ id, leaseOwner: 'alive', attempts: 2, status: 'running' });
      } finally {
        await store.dispose();
      }
    });
  });
});
