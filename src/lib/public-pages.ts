/**
 * The pages anyone may see and search engines may index, for sitemap.xml. The legal pages
 * come from the `legal` collection, so a new policy page is listed without touching this file.
 * The app pages (generate, gallery, account, billing, sign-in) are private and marked noindex.
 */
import { getCollection } from 'astro:content';

export interface PublicPage {
  /** Site path without a trailing slash, as the site links to it. */
  path: string;
  /** When the content last changed, when known. */
  updated?: Date;
}

export async function publicPages(): Promise<PublicPage[]> {
  const legal = await getCollection('legal');
  return [
    { path: '/' },
    { path: '/pricing' },
    ...legal.map((entry) => ({ path: `/${entry.id}`, updated: entry.data.updated })),
  ];
}
