/**
 * /robots.txt, written at build time so the Sitemap line carries the canonical origin
 * (PUBLIC_SITE_URL). Public pages are open to crawlers; the app, the API, server islands and
 * people's images are not. The app pages also say noindex themselves.
 */
import type { APIRoute } from 'astro';
import { absoluteUrl } from '../lib/site.ts';

export const prerender = true;

const PRIVATE = ['/api/', '/media/', '/_server-islands/', '/generate', '/gallery', '/account', '/billing/', '/deletion/', '/sign-in', '/sign-up'];

export const GET: APIRoute = () => {
  const lines = ['User-agent: *', ...PRIVATE.map((path) => `Disallow: ${path}`), '', `Sitemap: ${absoluteUrl('/sitemap.xml')}`, ''];
  return new Response(lines.join('\n'), { headers: { 'content-type': 'text/plain; charset=utf-8' } });
};
