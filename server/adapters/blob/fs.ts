/**
 * The embedded BlobStore: files under a folder. Each object is a file plus a small JSON
 * sidecar for its content type and cache policy. Writes go to a temporary file first and
 * are renamed into place, so a reader never sees half an object.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { BlobObject, BlobStore, PutOptions } from '../../ports.ts';

export interface FsBlobStoreOptions {
  /** The folder that holds every object. Created when missing. */
  dir: string;
}

const META_SUFFIX = '.meta.json';

/** Keys are slash-separated paths; anything that could step outside the folder is refused. */
function assertSafeKey(key: string): void {
  if (!key || key.startsWith('/') || key.split('/').some((part) => part === '' || part === '.' || part === '..') || key.includes('\\') || key.includes('\0')) {
    throw new Error(`Unsafe blob key '${key}'.`);
  }
  if (key.endsWith(META_SUFFIX)) throw new Error(`Blob keys may not end with '${META_SUFFIX}'.`);
}

/** Removes `dir` and its sub-folders when they hold no files; a folder a writer just filled stays. */
async function pruneEmptyFolders(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) if (entry.isDirectory()) await pruneEmptyFolders(path.join(dir, entry.name));
  await rmdir(dir).catch(() => {});
}

export function createFsBlobStore(options: FsBlobStoreOptions): BlobStore {
  const root = path.resolve(options.dir);
  const fileOf = (key: string) => {
    assertSafeKey(key);
    return path.join(root, ...key.split('/'));
  };

  async function writeMeta(file: string, meta: PutOptions): Promise<void> {
    await writeFile(file + META_SUFFIX, JSON.stringify(meta));
  }

  async function readMeta(file: string): Promise<PutOptions> {
    try {
      return JSON.parse(await readFile(file + META_SUFFIX, 'utf8')) as PutOptions;
    } catch {
      return { contentType: 'application/octet-stream', cacheControl: 'private, no-cache' };
    }
  }

  async function walk(dir: string): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return [];
    }
    const files: string[] = [];
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) files.push(...(await walk(full)));
      else if (!entry.name.endsWith(META_SUFFIX) && !entry.name.includes('.tmp-')) files.push(full);
    }
    return files;
  }

  const store: BlobStore = {
    name: 'fs',

    async dispose() {},

    async put(key, body, meta) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.tmp-${randomUUID()}`;
      await writeFile(tmp, body);
      await writeMeta(file, meta);
      await rename(tmp, file);
    },

    async putStream(key, body, meta) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.tmp-${randomUUID()}`;
      let bytes = 0;
      const counter = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          bytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      try {
        await body.pipeThrough(counter).pipeTo(Writable.toWeb(createWriteStream(tmp)));
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
      await writeMeta(file, meta);
      await rename(tmp, file);
      return bytes;
    },

    async get(key): Promise<BlobObject | null> {
      const file = fileOf(key);
      let size: number;
      try {
        size = (await stat(file)).size;
      } catch {
        return null;
      }
      const meta = await readMeta(file);
      return {
        body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
        contentType: meta.contentType,
        cacheControl: meta.cacheControl,
        size,
      };
    },

    async read(key) {
      try {
        return new Uint8Array(await readFile(fileOf(key)));
      } catch {
        return null;
      }
    },

    async exists(key) {
      try {
        await stat(fileOf(key));
        return true;
      } catch {
        return false;
      }
    },

    async delete(key) {
      const file = fileOf(key);
      await rm(file, { force: true });
      await rm(file + META_SUFFIX, { force: true });
    },

    async deletePrefix(prefix) {
      const keys = await store.list(prefix);
      for (const key of keys) await store.delete(key);
      // Folders named after the prefix (e.g. a deleted user's id) should not outlive their files.
      const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      if (folder) await pruneEmptyFolders(path.join(root, ...folder.split('/')));
      return keys.length;
    },

    async list(prefix) {
      // Walk only the folder the prefix names (everything up to its last slash).
      const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      const files = await walk(folder ? path.join(root, ...folder.split('/')) : root);
      return files
        .map((f) => path.relative(root, f).split(path.sep).join('/'))
        .filter((key) => key.startsWith(prefix))
        .sort();
    },

    async directUrl() {
      // Files are served through the authorised media route; there is no direct URL.
      return null;
    },
  };
  return store;
}

