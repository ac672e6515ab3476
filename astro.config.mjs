// @ts-check
import { existsSync } from 'node:fs';
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import solid from '@astrojs/solid-js';

// Build-time settings (PUBLIC_*) come from the environment or a local .env file.
if (existsSync('.env')) process.loadEnvFile('.env');

const site = process.env.PUBLIC_SITE_URL ?? 'http://localhost:4321';

export default defineConfig({
  site,
  output: 'static',
  // Middleware mode: server/start.ts serves prerendered files from memory and hands the rest to Astro.
  adapter: node({ mode: 'middleware', bodySizeLimit: 1024 * 1024 }),
  integrations: [solid()],
  server: { host: process.env.HOST ?? 'localhost', port: Number(process.env.PORT ?? 4321) },
  build: { inlineStylesheets: 'always' },
  devToolbar: { enabled: false },
  // Astro trusts a Host header only when it matches; otherwise Astro.url and its own origin
  // check see "localhost:<build port>". The public host plus loopback (any port) is what we serve.
  security: {
    allowedDomains: [{ hostname: new URL(site).hostname }, { hostname: 'localhost' }, { hostname: '127.0.0.1' }],
  },
});
