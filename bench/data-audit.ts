/**
 * Reads a stopped server's DATA_DIR (SQLite + files, the embedded defaults) and reports
 * whether image records and stored objects agree: every record has its image and thumbnail,
 * every image or thumbnail object has its record. Used by the soak and the HTTP fuzz test.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createFsBlobStore } from '../server/adapters/blob/fs.ts';

export interface DataAudit {
  records: number;
  /** Image and thumbnail objects (exports and other objects are not counted). */
  objects: number;
  recordsByOwner: Map<string, number>;
  /** Units counted in the usage table, all periods together. */
  usageByOwner: Map<string, number>;
  /** Keys a record points at that are not stored. */
  missingObjects: string[];
  /** Image or thumbnail objects no record points at. */
  orphanObjects: string[];
}

const IMAGE_OBJECT = /^users\/[^/]+\/(images|thumbs)\//;

export async function auditDataDir(dataDir: string): Promise<DataAudit> {
  const db = new DatabaseSync(path.join(dataDir, 'artivio.sqlite'), { readOnly: true });
  try {
    const rows = db.prepare('SELECT owner_id AS ownerId, key, thumb_key AS thumbKey FROM images').all() as Array<{ ownerId: string; key: string; thumbKey: string }>;
    const usage = db.prepare('SELECT owner_id AS ownerId, SUM(count) AS total FROM usage GROUP BY owner_id').all() as Array<{ ownerId: string; total: number }>;
    const blobs = createFsBlobStore({ dir: path.join(dataDir, 'blobs') });
    const stored = new Set((await blobs.list('users/')).filter((key) => IMAGE_OBJECT.test(key)));
    await blobs.dispose();

    const referenced = new Set<string>();
    const recordsByOwner = new Map<string, number>();
    for (const row of rows) {
      referenced.add(row.key);
      referenced.add(row.thumbKey);
      recordsByOwner.set(row.ownerId, (recordsByOwner.get(row.ownerId) ?? 0) + 1);
    }
    return {
      records: rows.length,
      objects: stored.size,
      recordsByOwner,
      usageByOwner: new Map(usage.filter((u) => Number(u.total) > 0).map((u) => [u.ownerId, Number(u.total)])),
      missingObjects: [...referenced].filter((key) => !stored.has(key)),
      orphanObjects: [...stored].filter((key) => !referenced.has(key)),
    };
  } finally {
    db.close();
  }
}
