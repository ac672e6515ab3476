/** Checks that bytes from a model are really an image we can store, and makes its thumbnail. */
import sharp from 'sharp';
import { AppError } from '../domain/errors.ts';

const MIME_BY_FORMAT: Record<string, 'image/png' | 'image/jpeg' | 'image/webp'> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

export const THUMBNAIL_WIDTH = 384;

export interface CheckedImage {
  mime: 'image/png' | 'image/jpeg' | 'image/webp';
  width: number;
  height: number;
}

export async function checkImage(bytes: Uint8Array): Promise<CheckedImage> {
  try {
    const meta = await sharp(bytes).metadata();
    const mime = meta.format ? MIME_BY_FORMAT[meta.format] : undefined;
    if (!mime || !meta.width || !meta.height) throw new Error(`unsupported format ${meta.format ?? 'unknown'}`);
    return { mime, width: meta.width, height: meta.height };
  } catch (cause) {
    throw new AppError('ProviderUnavailable', 'model returned bytes that are not an image', {
      cause,
      userMessage: 'The image service sent back something that is not an image. Your quota was not used; try again.',
    });
  }
}

export async function makeThumbnail(bytes: Uint8Array): Promise<Uint8Array> {
  const out = await sharp(bytes).resize({ width: THUMBNAIL_WIDTH, withoutEnlargement: true }).webp({ quality: 72, effort: 2 }).toBuffer();
  return new Uint8Array(out);
}
