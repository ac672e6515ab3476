/** Ends a local session. Always succeeds, so it is safe to call twice. */
import type { APIRoute } from 'astro';
import { LOCAL_SESSION_COOKIE } from '../../../../../server/adapters/identity/local.ts';

export const prerender = false;

export const POST: APIRoute = ({ cookies, request, redirect }) => {
  cookies.delete(LOCAL_SESSION_COOKIE, { path: '/' });
  return (request.headers.get('accept') ?? '').includes('application/json') ? Response.json({ ok: true }) : redirect('/', 303);
};
