// @ts-check
/**
 * The page half of the Content Security Policy (`security.csp` in astro.config.mjs): Astro
 * hashes every script and style it emits and writes `script-src` / `style-src` into each page
 * (a `<meta>` on static pages, a header on on-demand ones). The rest of the policy is the
 * header from server/http/security-headers.ts, which knows the run-time settings.
 *
 * Two things Astro cannot hash on its own:
 * - Solid's hydration bootstrap, an inline script the Solid renderer adds to on-demand pages
 *   with islands. Its text is fixed for a Solid version, so its hash is computed here.
 * - Clerk (when PUBLIC_CLERK_PUBLISHABLE_KEY is set at build time): its browser SDK comes from
 *   the Frontend API origin, bot protection from Cloudflare, and its components inject styles
 *   at run time, so `style-src` then needs 'unsafe-inline' (styles only, never scripts).
 * @see https://docs.astro.build/en/reference/configuration-reference/#securitycsp
 * @see https://clerk.com/docs/security/clerk-csp
 */
import { createHash } from 'node:crypto';
import { generateHydrationScript } from 'solid-js/web';

/** @param {string} script an inline script element */
function scriptHash(script) {
  const body = /<script[^>]*>([\s\S]*?)<\/script>/.exec(script)?.[1];
  if (body === undefined) throw new Error('Solid hydration script not found; the CSP hash cannot be computed.');
  return /** @type {`sha256-${string}`} */ (`sha256-${createHash('sha256').update(body).digest('base64')}`);
}

/** Clerk's Frontend API origin, encoded in the publishable key: pk_test_<base64("host$")>. */
export function clerkFrontendApi(/** @type {string | undefined} */ publishableKey) {
  if (!publishableKey) return null;
  const host = Buffer.from(publishableKey.replace(/^pk_(test|live)_/, ''), 'base64').toString('utf8').replace(/\$$/, '');
  return /^[a-z0-9.-]+$/i.test(host) ? `https://${host}` : null;
}

/** @returns {NonNullable<Exclude<NonNullable<import('astro').AstroUserConfig['security']>['csp'], boolean>>} */
export function pageCsp(env = process.env) {
  const clerk = clerkFrontendApi(env.PUBLIC_CLERK_PUBLISHABLE_KEY);
  return {
    algorithm: 'SHA-256',
    scriptDirective: {
      resources: ["'self'", ...(clerk ? [clerk, 'https://challenges.cloudflare.com'] : [])],
      hashes: [scriptHash(generateHydrationScript())],
    },
    styleDirective: {
      resources: ["'self'", ...(clerk ? ["'unsafe-inline'"] : [])],
    },
  };
}
