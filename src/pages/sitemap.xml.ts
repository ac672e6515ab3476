/**
 * /sitemap.xml, written at build time: every public page as an absolute URL on the canonical
 * origin (PUBLIC_SITE_URL), with the date a legal page last changed.
 * @see https://www.sitemaps.org/protocol.html
 */
import type { APIRoute } from 'astro';
import { publicPages } from '../lib/public-pages.ts';
import { absoluteUrl } from '../lib/site.ts';

export const prerender = true;

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const GET: APIRoute = async () => {
  const urls = (await publicPages()).map((page) => {
    const lastmod = page.updated ? `<lastmod>${page.updated.toISOString().slice(0, 10)}</lastmod>` : '';
    return `  <url><loc>${escapeXml(absoluteUrl(page.path))}</loc>${lastmod}</url>`;
  });
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`;
  return new Response(xml, { headers: { 'content-type': 'application/xml; charset=utf-8' } });
};
