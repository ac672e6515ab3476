/** Where a user's objects live in the BlobStore. Everything of a user sits under one prefix. */
const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

export function userPrefix(ownerId: string): string {
  return `users/${encodeURIComponent(ownerId)}/`;
}

export function imageKey(ownerId: string, imageId: string, mime: string): string {
  return `${userPrefix(ownerId)}images/${imageId}.${EXTENSIONS[mime] ?? 'bin'}`;
}

export function thumbnailKey(ownerId: string, imageId: string): string {
  return `${userPrefix(ownerId)}thumbs/${imageId}.webp`;
}

export function exportKey(ownerId: string, requestId: string): string {
  return `${userPrefix(ownerId)}exports/${requestId}.zip`;
}

export function extensionFor(mime: string): string {
  return EXTENSIONS[mime] ?? 'bin';
}

/** Image bytes never change under a key (ids are never reused), so caches may keep them. */
export const IMAGE_CACHE_CONTROL = 'private, max-age=31536000, immutable';
