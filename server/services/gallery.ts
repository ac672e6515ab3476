/** The private gallery: a user's own images, newest first, by cursor. */
import type { BlobStore, ImagePage, ImageRecord, Store } from '../ports.ts';
import { AppError } from '../domain/errors.ts';

export const GALLERY_PAGE_DEFAULT = 24;
export const GALLERY_PAGE_MAX = 50;

export function createGalleryService(deps: { store: Store; blobs: BlobStore }) {
  const notFound = (id: string) => new AppError('NotFound', `no image '${id}' for this owner`, { userMessage: 'That image does not exist or was deleted.' });

  return {
    list(ownerId: string, options: { cursor?: string | null; limit?: number }): Promise<ImagePage> {
      return deps.store.listImages(ownerId, { cursor: options.cursor ?? null, limit: options.limit ?? GALLERY_PAGE_DEFAULT });
    },

    /** Another owner's image id answers exactly like a missing one. */
    async get(ownerId: string, id: string): Promise<ImageRecord> {
      const image = await deps.store.getImage(ownerId, id);
      if (!image) throw notFound(id);
      return image;
    },

    /**
     * Deletes the objects first, then the record: if the record delete fails the image is
     * still listed and deleting again finishes the job, so no object is ever orphaned.
     */
    async delete(ownerId: string, id: string): Promise<void> {
      const image = await deps.store.getImage(ownerId, id);
      if (!image) throw notFound(id);
      await deps.blobs.delete(image.key);
      await deps.blobs.delete(image.thumbKey);
      await deps.store.deleteImage(ownerId, id);
    },
  };
}

export type GalleryService = ReturnType<typeof createGalleryService>;
