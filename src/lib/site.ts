/**
 * Site-wide facts the page shell needs: name, canonical origin and contact email.
 * Read from the environment at build time for prerendered pages and at request time for
 * on-demand pages. Deliberately not `server/config.ts`: that validates every service and
 * refuses production builds without Clerk/Stripe keys, which a static page does not need.
 */
export const SITE_NAME = 'Artivio';

/** The canonical origin, without a trailing slash. @default 'http://localhost:4321' */
export const siteUrl: string = (process.env.PUBLIC_SITE_URL?.trim() || 'http://localhost:4321').replace(/\/+$/, '');

/** Where people write with questions and privacy requests. @default 'privacy@example.com' */
export const contactEmail: string = process.env.PUBLIC_CONTACT_EMAIL?.trim() || 'privacy@example.com';

/** Turns a site path into an absolute URL on the canonical origin. */
export function absoluteUrl(path: string): string {
  return new URL(path, `${siteUrl}/`).toString();
}
