/**
 * Writes the "Download my data" archive as a stream: small JSON files, then every original
 * image pulled from the BlobStore one at a time, then images.json. yazl asks for each file's
 * stream only when the previous one is written, so memory stays flat however many images
 * there are; only entry metadata (names, sizes, checksums) is kept for the zip's directory.
 * @see https://github.com/thejoshwolfe/yazl#addreadstreamlazymetadatapath-options-getreadstreamfunction
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { ZipFile } from 'yazl';
import type { BlobStore, ImageRecord } from '../ports.ts';
import { findModel } from '../domain/models.ts';
import { extensionFor } from './media-keys.ts';

export interface ExportContents {
  /** The small files, written first and compressed. */
  json: Record<'account.json' | 'usage.json' | 'billing.json' | 'consents.json', unknown>;
  readme: string;
  /** Pages of the owner's images, newest first. Called twice: once for the files, once for images.json. */
  pages(): AsyncIterable<ImageRecord[]>;
  exportedAt: Date;
}

export interface ExportProgress {
  /** All original files were written (or found missing). */
  filesWritten(count: number, missing: number): void;
  imagesListed(count: number): void;
}

export interface ExportZip {
  /** The archive bytes; errors (a failing store or blob read) surface as a stream error. */
  stream: ReadableStream<Uint8Array>;
  /** Adds every entry; resolves once the last one is queued. Rejects (and errors the stream) on failure. */
  done: Promise<void>;
}

export function imageFileName(image: Pick<ImageRecord, 'id' | 'mime'>): string {
  return `images/${image.id}.${extensionFor(image.mime)}`;
}

function imageJson(image: ImageRecord, file: string | null) {
  return {
    id: image.id,
    file,
    prompt: image.prompt,
    negativePrompt: image.negativePrompt,
    model: image.model,
    modelName: findModel(image.model)?.label ?? image.model,
    width: image.width,
    height: image.height,
    seed: image.seed,
    steps: image.steps,
    guidance: image.guidance,
    style: image.style,
    mime: image.mime,
    bytes: image.bytes,
    createdAt: image.createdAt,
  };
}

function toNodeStream(body: ReadableStream<Uint8Array>): Readable {
  return Readable.fromWeb(body as NodeReadableStream<Uint8Array>);
}

export function createExportZip(blobs: BlobStore, contents: ExportContents, progress: ExportProgress): ExportZip {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  const mtime = contents.exportedAt;
  // Errors reach the reader through the web stream below; this keeps a late one from being "unhandled".
  output.on('error', () => undefined);
  zip.on('error', (error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))));
  // yazl does not listen for errors on the streams it is given; route them to the archive.
  const guarded = (stream: Readable): Readable => stream.on('error', (error: unknown) => zip.emit('error', error));

  // The file name each listed image got in the archive, or null when its object was missing.
  const files = new Map<string, string | null>();

  async function addEntries(): Promise<void> {
    zip.addBuffer(Buffer.from(contents.readme, 'utf8'), 'README.txt', { mtime });
    for (const [name, value] of Object.entries(contents.json)) {
      zip.addBuffer(Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8'), name, { mtime });
    }

    let missing = 0;
    for await (const page of contents.pages()) {
      for (const image of page) {
        // An image whose object is gone (a failed write long ago) is listed with `file: null`
        // rather than failing every export attempt forever.
        if (!(await blobs.exists(image.key))) {
          files.set(image.id, null);
          missing++;
          continue;
        }
        const name = imageFileName(image);
        files.set(image.id, name);
        // Images are already compressed; deflating them again costs CPU for nothing.
        zip.addReadStreamLazy(name, { mtime: new Date(image.createdAt), compress: false }, (cb) => {
          blobs.get(image.key).then(
            (object) => (object ? cb(null, guarded(toNodeStream(object.body))) : cb(new Error(`image object disappeared during export`), Readable.from([]))),
            (error: unknown) => cb(error, Readable.from([])),
          );
        });
      }
    }

    zip.addReadStreamLazy('images.json', { mtime }, (cb) => {
      // yazl opens this entry only after every image file above was written.
      progress.filesWritten([...files.values()].filter(Boolean).length, missing);
      cb(null, guarded(Readable.from(imagesJson(), { objectMode: false })));
    });
    zip.end();
  }

  async function* imagesJson(): AsyncGenerator<Buffer> {
    yield Buffer.from('[\n');
    let count = 0;
    for await (const page of contents.pages()) {
      for (const image of page) {
        // Only images whose fate in the archive is known: ones made during the export are left out.
        if (!files.has(image.id)) continue;
        yield Buffer.from(`${count === 0 ? '' : ',\n'}${JSON.stringify(imageJson(image, files.get(image.id) ?? null), null, 2)}`);
        count++;
      }
    }
    yield Buffer.from('\n]\n');
    progress.imagesListed(count);
  }

  const done = addEntries().catch((error: unknown) => {
    output.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  });
  return { stream: Readable.toWeb(output) as ReadableStream<Uint8Array>, done };
}
