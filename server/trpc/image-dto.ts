/** The shape of an image as the islands see it: the record plus URLs, minus storage keys. */
import type { BlobStore, ImageRecord } from '../ports.ts';
import { findModel } from '../domain/models.ts';
import { extensionFor } from '../services/media-keys.ts';

export interface ImageDTO {
  id: string;
  url: string;
  thumbnailUrl: string;
  downloadUrl: string;
  prompt: string;
  negativePrompt: string | null;
  model: string;
  modelLabel: string;
  width: number;
  height: number;
  seed: number;
  steps: number;
  guidance: number | null;
  style: string;
  bytes: number;
  mime: string;
  createdAt: string;
}

/** Presigned links live a little longer than a gallery page stays open. */
const DIRECT_URL_SECONDS = 15 * 60;

export function downloadName(image: ImageRecord): string {
  return `artivio-${image.id.slice(0, 8)}.${extensionFor(image.mime)}`;
}

export async function toImageDTO(image: ImageRecord, blobs: BlobStore): Promise<ImageDTO> {
  const base = `/media/${encodeURIComponent(image.id)}`;
  const [url, thumbnailUrl, downloadUrl] = await Promise.all([
    blobs.directUrl(image.key, { expiresInSeconds: DIRECT_URL_SECONDS }),
    blobs.directUrl(image.thumbKey, { expiresInSeconds: DIRECT_URL_SECONDS }),
    blobs.directUrl(image.key, { expiresInSeconds: DIRECT_URL_SECONDS, downloadName: downloadName(image) }),
  ]);
  return {
    id: image.id,
    url: url ?? base,
    thumbnailUrl: thumbnailUrl ?? `${base}?variant=thumb`,
    downloadUrl: downloadUrl ?? `${base}?variant=download`,
    prompt: image.prompt,
    negativePrompt: image.negativePrompt,
    model: image.model,
    modelLabel: findModel(image.model)?.label ?? image.model,
    width: image.width,
    height: image.height,
    seed: image.seed,
    steps: image.steps,
    guidance: image.guidance,
    style: image.style,
    bytes: image.bytes,
    mime: image.mime,
    createdAt: image.createdAt,
  };
}
