/**
 * The R2 BlobStore, through `@aws-sdk/client-s3`. Objects are private: the browser gets a
 * short-lived presigned GET, or a URL under `R2_PUBLIC_BASE_URL` when the bucket is served from
 * a custom domain. Streams are uploaded part by part, so an export ZIP is never held whole.
 * @see https://developers.cloudflare.com/r2/examples/aws/aws-sdk-js-v3/
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobObject, BlobStore, PutOptions } from '../../ports.ts';

export interface R2BlobStoreOptions {
  /** `https://<account>.r2.cloudflarestorage.com`, or any S3-compatible endpoint (tests use MinIO). */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  /**
   * Base URL of a custom domain serving the bucket. When set, plain views link there instead
   * of to presigned URLs; only use it for a domain whose access you control, because anyone
   * with the URL can fetch the object.
   */
  publicBaseUrl: string | null;
  /**
   * Address objects as `endpoint/bucket/key`. R2's own endpoint takes virtual-hosted style;
   * other S3 servers (MinIO on loopback) need path style.
   * @default true unless the endpoint is an `r2.cloudflarestorage.com` host
   */
  forcePathStyle?: boolean;
  /**
   * Size of each multipart part. R2 wants every part but the last to be the same size, and
   * S3 wants at least 5 MiB; one part at a time is in memory.
   * @default 8 MiB
   */
  partSizeBytes?: number;
  /** Injected in tests to pin the clock presigned URLs are signed with. */
  now?: () => number;
}

const MIN_PART_BYTES = 5 * 1024 * 1024;
/** The S3 API's ceiling for one DeleteObjects call. */
const DELETE_BATCH = 1000;
/**
 * Presigned URLs are signed as of the start of a window this long, so every call in the window
 * (on any instance) yields the same URL: browsers then cache images across gallery loads, and
 * a repeat presign is a map lookup instead of ~0.5 ms of signing.
 */
const SIGNING_WINDOW_MS = 5 * 60 * 1000;
const MAX_MEMO = 20_000;

function isR2Host(endpoint: string): boolean {
  return /(^|\.)r2\.cloudflarestorage\.com$/.test(new URL(endpoint).hostname);
}

function isMissing(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
}

/** Encodes each key segment for a URL path, keeping the slashes. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Creates the R2 BlobStore (used when the R2_* settings are set). */
export function createR2BlobStore(options: R2BlobStoreOptions): BlobStore {
  const partSize = Math.max(MIN_PART_BYTES, options.partSizeBytes ?? 8 * 1024 * 1024);
  const client = new S3Client({
    region: 'auto',
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle ?? !isR2Host(options.endpoint),
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    // Only send checksums where the operation requires them: R2 rejected the SDK's default
    // CRC32 headers when they appeared (client-s3 3.729.0), and trailer checksums make every
    // upload an aws-chunked body.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = options.bucket;
  const now = options.now ?? Date.now;
  let memoWindow = 0;
  const memo = new Map<string, Promise<string>>();

  async function listPage(prefix: string, token: string | undefined) {
    const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: DELETE_BATCH }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
    return { keys, next: page.IsTruncated ? page.NextContinuationToken : undefined };
  }

  async function multipartUpload(key: string, first: Uint8Array, rest: ReadableStreamDefaultReader<Uint8Array>, pending: Uint8Array[], meta: PutOptions) {
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: meta.contentType, CacheControl: meta.cacheControl }));
    const UploadId = created.UploadId;
    if (!UploadId) throw new Error('R2 did not return an upload id');
    const parts: CompletedPart[] = [];
    const uploadPart = async (body: Uint8Array) => {
      const PartNumber = parts.length + 1;
      const { ETag } = await client.send(new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber, Body: body, ContentLength: body.byteLength }));
      parts.push({ ETag, PartNumber });
    };
    let bytes = first.byteLength;
    try {
      await uploadPart(first);
      let buffered = pending.reduce((n, c) => n + c.byteLength, 0);
      for (;;) {
        const { done, value } = await rest.read();
        if (value) {
          pending.push(value);
          buffered += value.byteLength;
        }
        // Cut exact-size parts; whatever is left when the stream ends is the (smaller) last part.
        while (buffered >= partSize || (done && buffered > 0)) {
          const joined = concat(pending, buffered);
          const size = Math.min(partSize, joined.byteLength);
          await uploadPart(joined.subarray(0, size));
          bytes += size;
          pending.length = 0;
          if (joined.byteLength > size) pending.push(joined.subarray(size));
          buffered -= size;
        }
        if (done) break;
      }
      await client.send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
      return bytes;
    } catch (error) {
      // Leave no half object (and no billed orphan parts) behind.
      await client.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId })).catch(() => undefined);
      throw error;
    }
  }

  const store: BlobStore = {
    name: 'r2',

    async dispose() {
      client.destroy();
    },

    async put(key, body, meta) {
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: meta.contentType, CacheControl: meta.cacheControl, ContentLength: body.byteLength }));
    },

    async putStream(key, body, meta) {
      const reader = body.getReader();
      try {
        const pending: Uint8Array[] = [];
        let buffered = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (value) {
            pending.push(value);
            buffered += value.byteLength;
          }
          if (buffered >= partSize) {
            const joined = concat(pending, buffered);
            pending.length = 0;
            if (joined.byteLength > partSize) pending.push(joined.subarray(partSize));
            return await multipartUpload(key, joined.subarray(0, partSize), reader, pending, meta);
          }
          if (done) break;
        }
        // Smaller than one part: a single PUT is cheaper and just as safe.
        await store.put(key, concat(pending, buffered), meta);
        return buffered;
      } catch (error) {
        await reader.cancel(error).catch(() => undefined);
        throw error;
      } finally {
        reader.releaseLock();
      }
    },

    async get(key): Promise<BlobObject | null> {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        if (!object.Body) return null;
        return {
          body: object.Body.transformToWebStream() as ReadableStream<Uint8Array>,
          contentType: object.ContentType ?? 'application/octet-stream',
          size: object.ContentLength ?? 0,
          ...(object.CacheControl ? { cacheControl: object.CacheControl } : {}),
        };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    async read(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        return object.Body ? await object.Body.transformToByteArray() : null;
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    async exists(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },

    async delete(key) {
      // S3 answers 204 for a missing key too, so deleting twice is fine.
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },

    async deletePrefix(prefix) {
      let deleted = 0;
      let token: string | undefined;
      do {
        const page = await listPage(prefix, token);
        if (page.keys.length > 0) {
          const result = await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: page.keys.map((Key) => ({ Key })), Quiet: true } }));
          const failed = result.Errors ?? [];
          if (failed.length > 0) throw new Error(`R2 refused to delete ${failed.length} of ${page.keys.length} objects (first: ${failed[0]?.Code ?? 'unknown'})`);
          deleted += page.keys.length;
        }
        token = page.next;
      } while (token);
      return deleted;
    },

    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await listPage(prefix, token);
        keys.push(...page.keys);
        token = page.next;
      } while (token);
      return keys.sort();
    },

    async directUrl(key, { expiresInSeconds, downloadName }) {
      // A public custom domain cannot set a download filename, so downloads stay presigned.
      if (options.publicBaseUrl && !downloadName) return `${options.publicBaseUrl}/${encodeKey(key)}`;
      const windowStart = Math.floor(now() / SIGNING_WINDOW_MS) * SIGNING_WINDOW_MS;
      if (windowStart !== memoWindow || memo.size > MAX_MEMO) {
        memo.clear();
        memoWindow = windowStart;
      }
      const memoKey = `${expiresInSeconds}|${downloadName ?? ''}|${key}`;
      let url = memo.get(memoKey);
      if (!url) {
        const command = new GetObjectCommand({
          Bucket,
          Key: key,
          ...(downloadName ? { ResponseContentDisposition: `attachment; filename="${downloadName.replace(/["\\\r\n]/g, '_')}"` } : {}),
        });
        // Signed at the window's start, so it must live a window longer to last the asked time from now.
        url = getSignedUrl(client, command, { expiresIn: expiresInSeconds + SIGNING_WINDOW_MS / 1000, signingDate: new Date(windowStart) });
        url.catch(() => memo.delete(memoKey));
        memo.set(memoKey, url);
      }
      return url;
    },
  };
  return store;
}
