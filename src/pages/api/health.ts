/** Which implementation each port uses. No secrets, no personal data. */
import type { APIRoute } from 'astro';
import { adapterNames, getApp } from '../../../server/app.ts';

export const prerender = false;

export const GET: APIRoute = async () => {
  const app = await getApp();
  return Response.json({ ok: true, adapters: adapterNames(app) }, { headers: { 'cache-control': 'no-store' } });
};
