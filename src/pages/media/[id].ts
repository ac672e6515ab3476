/**
 * Serves a user's own image, thumbnail or download. Another user's id answers 404, exactly
 * like a missing one. When the BlobStore offers direct URLs (presigned R2, CDN), redirect there.
 */
import type { APIRoute } from 'astro';
import { getApp } from '../../../server/app.ts';
import { downloadName } from '../../../server/trpc/image-dto.ts';

export const prerender = false;

const notFound = () => new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'private, no-store' } });

export const GET: APIRoute = async ({ params, url, locals, request }) => {
  if (!locals.user || !params.id) return notFound();
  const app = await getApp();
  const image = await app.store.getImage(locals.user.id, params.id);
  if (!image) return notFound();

  const variant = url.searchParams.get('variant');
  if (variant !== null && variant !== 'thumb' && variant !== 'download') return notFound();
  const key = variant === 'thumb' ? image.thumbKey : image.key;
  const filename = variant === 'download' ? downloadName(image) : undefined;

  const direct = await app.blobs.directUrl(key, { expiresInSeconds: 300, ...(filename ? { downloadName: filename } : {}) });
  if (direct) return new Response(null, { status: 302, headers: { location: direct, 'cache-control': 'private, no-store' } });

  // Ids are never reused and bytes never change, so the key is a strong validator. Browsers
  // still ask every time (no-cache): a deleted image or a signed-out session must not keep
  // showing from cache, and the 304 costs next to nothing.
  const etag = `"${key.split('/').pop()}"`;
  const cacheControl = 'private, no-cache';
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers: { etag, 'cache-control': cacheControl } });

  const object = await app.blobs.get(key);
  if (!object) return notFound();
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    'content-length': String(object.size),
    'cache-control': cacheControl,
    etag,
  };
  if (filename) headers['content-disposition'] = `attachment; filename="${filename}"`;
  return new Response(object.body, { headers });
};
