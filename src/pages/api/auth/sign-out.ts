/** Signs out with whichever identity provider is configured (local or Clerk). POST only. */
import type { APIRoute } from 'astro';
import { getApp } from '../../../../server/app.ts';
import { handleSignOut } from '../../../../server/http/sign-out.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request }) => {
  const app = await getApp();
  return handleSignOut({ identity: app.identity, secureCookies: app.config.production }, request);
};
