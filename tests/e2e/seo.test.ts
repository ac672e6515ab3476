/**
 * What search engines and link previews read, on the built server: every public page has a
 * title, a description, a canonical URL, Open Graph and Twitter card tags with a share image
 * that really is served; sitemap.xml lists exactly those pages on the canonical origin;
 * robots.txt points to the sitemap and keeps crawlers out of the app and the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBuild, startServer, type RunningServer } from './support/server.ts';

const PUBLIC_PAGES = ['/', '/pricing', '/privacy', '/terms', '/cookies'];

const ready = hasBuild();
if (!ready) console.warn('SKIPPED: SEO tests need a build (npm run build).');

/** The `content` of `<meta name|property="key">`, or the `href` of `<link rel="key">`. */
function headValue(html: string, kind: 'meta' | 'link', key: string): string | null {
  const tags = html.match(kind === 'meta' ? /<meta\b[^>]*>/gi : /<link\b[^>]*>/gi) ?? [];
  for (const tag of tags) {
    const attrs = Object.fromEntries([...tag.matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
    if (kind === 'meta' && (attrs['name'] === key || attrs['property'] === key)) return attrs['content'] ?? null;
    if (kind === 'link' && attrs['rel'] === key) return attrs['href'] ?? null;
  }
  return null;
}

const decode = (text: string) => text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))).replaceAll('&amp;', '&');

describe.skipIf(!ready)('SEO: public pages, sitemap.xml and robots.txt', () => {
  let server: RunningServer;
  const html = new Map<string, string>();
  let sitemap = '';

  beforeAll(async () => {
    server = await startServer();
    for (const page of PUBLIC_PAGES) {
      const res = await fetch(server.url + page);
      expect(res.status, page).toBe(200);
      html.set(page, await res.text());
    }
    const res = await fetch(`${server.url}/sitemap.xml`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/xml/);
    sitemap = await res.text();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it.each(PUBLIC_PAGES)('%s has its own title and a description of useful length', (page) => {
    const doc = html.get(page)!;
    const title = /<title>([^<]+)<\/title>/.exec(doc)?.[1] ?? '';
    expect(title).toMatch(/Artivio/);
    const description = headValue(doc, 'meta', 'description') ?? '';
    expect(description.length).toBeGreaterThanOrEqual(50);
    expect(description.length).toBeLessThanOrEqual(200);
    expect(/<html lang="en"/.test(doc)).toBe(true);
    expect(headValue(doc, 'meta', 'robots')).toBeNull();
    // Titles are distinct, so search results tell the pages apart.
    const others = PUBLIC_PAGES.filter((p) => p !== page).map((p) => /<title>([^<]+)<\/title>/.exec(html.get(p)!)?.[1]);
    expect(others).not.toContain(title);
  });

  it.each(PUBLIC_PAGES)('%s has an absolute canonical URL for its own path, and og:url says the same', (page) => {
    const doc = html.get(page)!;
    const canonical = headValue(doc, 'link', 'canonical');
    expect(canonical).toMatch(/^https?:\/\//);
    expect(new URL(canonical!).pathname).toBe(page);
    expect(headValue(doc, 'meta', 'og:url')).toBe(canonical);
  });

  it.each(PUBLIC_PAGES)('%s has Open Graph and Twitter card tags with a 1200×630 share image', (page) => {
    const doc = html.get(page)!;
    expect(headValue(doc, 'meta', 'og:title')).toBeTruthy();
    expect(headValue(doc, 'meta', 'og:description')).toBe(headValue(doc, 'meta', 'description'));
    expect(headValue(doc, 'meta', 'og:type')).toBeTruthy();
    expect(headValue(doc, 'meta', 'twitter:card')).toBe('summary_large_image');
    expect(headValue(doc, 'meta', 'og:image')).toMatch(/^https?:\/\/[^/]+\/og\.jpg$/);
    expect(headValue(doc, 'meta', 'og:image:width')).toBe('1200');
    expect(headValue(doc, 'meta', 'og:image:height')).toBe('630');
  });

  it('the share image and the icons the pages link to are served', async () => {
    const doc = html.get('/')!;
    const paths = [new URL(headValue(doc, 'meta', 'og:image')!).pathname];
    for (const m of doc.matchAll(/<link\b[^>]*rel="(?:icon|apple-touch-icon)"[^>]*>/g)) paths.push(/href="([^"]+)"/.exec(m[0])![1]!);
    expect(paths.length).toBeGreaterThanOrEqual(3);
    for (const p of paths) {
      const res = await fetch(server.url + p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get('content-type'), p).toMatch(/^image\//);
      expect((await res.arrayBuffer()).byteLength, p).toBeGreaterThan(100);
    }
  });

  it('sitemap.xml lists every public page, and only those, at its canonical URL', () => {
    const locs = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => decode(m[1]!));
    const canonicals = PUBLIC_PAGES.map((page) => headValue(html.get(page)!, 'link', 'canonical'));
    expect(locs.sort()).toEqual([...canonicals].sort());
    expect(sitemap).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\s*<urlset xmlns="http:\/\/www\.sitemaps\.org\/schemas\/sitemap\/0\.9">/);
  });

  it('robots.txt names the sitemap and keeps crawlers out of the API, images and app pages', async () => {
    const res = await fetch(`${server.url}/robots.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const robots = await res.text();
    const sitemapUrl = /^Sitemap: (\S+)$/m.exec(robots)?.[1];
    expect(sitemapUrl).toMatch(/^https?:\/\/.+\/sitemap\.xml$/);
    expect(new URL(sitemapUrl!).origin).toBe(new URL(headValue(html.get('/')!, 'link', 'canonical')!).origin);
    const disallowed = [...robots.matchAll(/^Disallow: (\S+)$/gm)].map((m) => m[1]);
    for (const path of ['/api/', '/media/', '/generate', '/gallery', '/account']) expect(disallowed).toContain(path);
    for (const page of PUBLIC_PAGES) expect(disallowed.some((d) => d === page || (d!.length > 1 && page.startsWith(d!)))).toBe(false);
  });

  it('app pages and the 404 page ask not to be indexed and carry no canonical link', async () => {
    for (const path of ['/generate', '/gallery', '/sign-in', '/no-such-page']) {
      const doc = await (await fetch(server.url + path)).text();
      expect(headValue(doc, 'meta', 'robots'), path).toBe('noindex');
      expect(headValue(doc, 'link', 'canonical'), path).toBeNull();
    }
  });
});
