/**
 * Downloads a finished data export. Only its owner may, and only until it expires; another
 * person's id, an expired or unfinished export and a missing one all answer the same 404.
 */
import type { APIRoute } from 'astro';
import { getApp } from '../../../../../server/app.ts';

export const prerender = false;

const notFound = () =>
  new Response('This download link does not exist, belongs to another account or has expired. Ask for a new download on your account page.', {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'private, no-store' },
  });

export const GET: APIRoute = async ({ params, locals }) => {
  if (!locals.user || !params.id) return notFound();
  const app = await getApp();
  const download = await app.privacyExport.download(locals.user.id, params.id);
  if (!download) return notFound();
  if (download.directUrl) return new Response(null, { status: 302, headers: { location: download.directUrl, 'cache-control': 'private, no-store' } });
  if (!download.object) return notFound();
  return new Response(download.object.body, {
    headers: {
      'content-type': 'application/zip',
      'content-length': String(download.object.size),
      'content-disposition': `attachment; filename="${download.filename}"`,
      'cache-control': 'private, no-store',
    },
  });
};
