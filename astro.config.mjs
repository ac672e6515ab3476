// @ts-check
import { existsSync } from 'node:fs';
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import solid from '@astrojs/solid-js';

// Build-time settings (PUBLIC_*) come from the environment or a local .env file.
if (existsSync('.env')) process.loadEnvFile('.env');

export default defineConfig({
  site: process.env.PUBLIC_SITE_URL ?? 'http://localhost:4321',
  output: 'static',
  // Middleware mode: server/start.ts serves prerendered files from memory and hands the rest to Astro.
  adapter: node({ mode: 'middleware', bodySizeLimit: 1024 * 1024 }),
  integrations: [solid()],
  server: { host: process.env.HOST ?? 'localhost', port: Number(process.env.PORT ?? 4321) },
  build: { inlineStylesheets: 'always' },
  devToolbar: { enabled: false },
});
