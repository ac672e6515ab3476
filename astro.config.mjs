// @ts-check
import { existsSync } from 'node:fs';
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import solid from '@astrojs/solid-js';
import partytownAfterConsent from './src/integrations/partytown-after-consent.mjs';
import { pageCsp } from './src/integrations/content-security-policy.mjs';
import clerkUi from './src/integrations/clerk-ui.mjs';

// Build-time settings (PUBLIC_*) come from the environment or a local .env file.
if (existsSync('.env')) process.loadEnvFile('.env');

const site = process.env.PUBLIC_SITE_URL ?? 'http://localhost:4321';

export default defineConfig({
  site,
  output: 'static',
  // Middleware mode: server/start.ts serves prerendered files from memory and hands the rest to Astro.
  adapter: node({ mode: 'middleware', bodySizeLimit: 1024 * 1024 }),
  // Partytown (for GA4/GTM, loaded only after analytics consent) only when an id is set: no id, no analytics code at all.
  // Clerk's browser SDK and components only when PUBLIC_CLERK_PUBLISHABLE_KEY is set (see clerk-ui.mjs).
  integrations: [solid(), clerkUi(), ...(process.env.PUBLIC_GA_MEASUREMENT_ID || process.env.PUBLIC_GTM_ID ? [partytownAfterConsent({ config: { forward: ['dataLayer.push', 'gtag'] } })] : [])],
  server: { host: process.env.HOST ?? 'localhost', port: Number(process.env.PORT ?? 4321) },
  build: { inlineStylesheets: 'always' },
  devToolbar: { enabled: false },
  // The legal pages have no code blocks; Shiki's inline styles would only fight the CSP.
  markdown: { syntaxHighlight: false },
  // Astro trusts a Host header only when it matches; otherwise Astro.url and its own origin
  // check see "localhost:<build port>". The public host plus loopback (any port) is what we serve.
  security: {
    allowedDomains: [{ hostname: new URL(site).hostname }, { hostname: 'localhost' }, { hostname: '127.0.0.1' }],
    // Hashes of every script and style in each page; the rest of the policy is a header (server/http/security-headers.ts).
    csp: pageCsp(),
  },
});
