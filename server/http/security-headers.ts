/**
 * Security headers for every response, static or on-demand.
 *
 * The Content Security Policy comes in two parts that the browser enforces together. Each
 * page carries a `<meta>` policy that Astro writes at build time (astro.config.mjs,
 * `security.csp`): `script-src` and `style-src` with the hashes of exactly the scripts and
 * styles Astro emitted. This header carries what a meta policy cannot (`frame-ancestors`) and
 * what depends on run-time settings (the R2 origin images come from, analytics hosts, Stripe
 * and Clerk). It deliberately has no `default-src` and no `script-src`: either would apply to
 * scripts as well and need the hashes only the page knows.
 */
import type { Config } from '../config.ts';

export type SecurityHeaderOptions = Pick<Config, 'production'> & Partial<Pick<Config, 'r2' | 'analytics' | 'stripe' | 'clerk'>>;

/** GA4 / Tag Manager hosts: the tag itself, and where its hits go. */
const ANALYTICS_HOSTS = ['https://*.googletagmanager.com', 'https://*.google-analytics.com', 'https://*.analytics.google.com'];
const STRIPE_CHECKOUT = 'https://checkout.stripe.com';
const CLERK_IMAGES = 'https://img.clerk.com';
const CLERK_CAPTCHA = 'https://challenges.cloudflare.com';

function origin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** Where the browser fetches stored images from in R2 mode: the public domain, or presigned URLs. */
export function r2Origins(r2: NonNullable<Config['r2']>): string[] {
  const endpoint = new URL(r2.endpoint);
  // R2's own endpoint is addressed virtual-hosted style (bucket.account.r2...); other S3 endpoints path style.
  const presigned = /(^|\.)r2\.cloudflarestorage\.com$/.test(endpoint.hostname) ? `${endpoint.protocol}//${r2.bucket}.${endpoint.host}` : endpoint.origin;
  return [presigned, ...(r2.publicBaseUrl ? [origin(r2.publicBaseUrl)] : [])].filter((o): o is string => o !== null);
}

/** Clerk's Frontend API origin, encoded in the publishable key: pk_test_<base64("host$")>. */
export function clerkFrontendApi(publishableKey: string): string | null {
  const encoded = publishableKey.replace(/^pk_(test|live)_/, '');
  const host = Buffer.from(encoded, 'base64').toString('utf8').replace(/\$$/, '');
  return /^[a-z0-9.-]+$/i.test(host) ? `https://${host}` : null;
}

export function contentSecurityPolicy(options: SecurityHeaderOptions): string {
  const analytics = options.analytics?.gaMeasurementId || options.analytics?.gtmId ? ANALYTICS_HOSTS : [];
  const images = options.r2 ? r2Origins(options.r2) : [];
  const clerk = options.clerk ? clerkFrontendApi(options.clerk.publishableKey) : null;
  const clerkOrigins = clerk ? [clerk] : [];
  const policy: Record<string, string[]> = {
    'base-uri': ["'self'"],
    'object-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'form-action': ["'self'", ...(options.stripe ? [STRIPE_CHECKOUT] : []), ...clerkOrigins],
    'img-src': ["'self'", 'data:', 'blob:', ...images, ...analytics, ...(clerk ? [CLERK_IMAGES] : [])],
    // Downloads fetch the image itself; Clerk's SDK talks to its Frontend API.
    'connect-src': ["'self'", ...images, ...analytics, ...clerkOrigins],
    'font-src': ["'self'", 'data:'],
    'media-src': ["'self'"],
    'manifest-src': ["'self'"],
    // Partytown: its sandbox iframe and service worker under /~partytown/, and a worker made from a blob.
    'frame-src': ["'self'", ...(clerk ? [CLERK_CAPTCHA] : [])],
    'worker-src': ["'self'", 'blob:'],
  };
  if (options.production) policy['upgrade-insecure-requests'] = [];
  return Object.entries(policy)
    .map(([name, values]) => [name, ...new Set(values)].join(' '))
    .join('; ');
}

export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'X-Frame-Options': 'DENY',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  if (options.production) headers['Strict-Transport-Security'] = 'max-age=63072000; includeSubDomains; preload';
  return headers;
}

/**
 * Adds the headers a response does not set itself. On-demand pages come with Astro's own
 * policy header (script and style hashes, in place of the meta element static pages get):
 * ours is joined to it, the directives never overlap.
 */
export function applySecurityHeaders(target: Headers, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    const existing = target.get(name);
    if (existing === null) target.set(name, value);
    else if (name === 'Content-Security-Policy' && !existing.includes('frame-ancestors')) target.set(name, `${existing.replace(/[;\s]+$/, '')}; ${value}`);
  }
}
