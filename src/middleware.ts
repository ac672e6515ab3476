/**
 * Runs on every on-demand request: request id, cross-site mutation refusal, the signed-in
 * user, sign-in redirects for private pages, and security headers.
 */
import { randomUUID } from 'node:crypto';
import { defineMiddleware } from 'astro:middleware';
import { getApp } from '../server/app.ts';
import { userFromRequest } from '../server/trpc/context.ts';
import { securityHeaders } from '../server/http/security-headers.ts';
import { isCrossSiteMutation } from '../server/http/same-origin.ts';

/** Pages that need a signed-in person; everything under them too. */
const PRIVATE_PAGES = ['/generate', '/gallery', '/account', '/billing'];

function isPrivatePage(pathname: string): boolean {
  return PRIVATE_PAGES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

export const onRequest = defineMiddleware(async (context, next) => {
  if (context.isPrerendered) return next();
  const app = await getApp();
  const { request, url, locals } = context;
  locals.requestId = request.headers.get('x-request-id')?.slice(0, 64) || randomUUID();

  const isWebhook = url.pathname.startsWith('/api/webhooks/');
  if (!isWebhook && isCrossSiteMutation(request, [app.config.siteUrl])) {
    return new Response(JSON.stringify({ error: 'Cross-site requests are not allowed.' }), {
      status: 403,
      headers: { 'content-type': 'application/json', ...securityHeaders({ production: app.config.production }) },
    });
  }

  const user = isWebhook ? null : await userFromRequest(app, request);
  locals.user = user;
  locals.session = user ? { userId: user.id, email: user.email, name: user.name } : null;

  if (!user && isPrivatePage(url.pathname)) {
    const returnTo = url.pathname + url.search;
    return context.redirect(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`, 302);
  }

  const response = await next();
  for (const [name, value] of Object.entries(securityHeaders({ production: app.config.production }))) {
    if (!response.headers.has(name)) response.headers.set(name, value);
  }
  response.headers.set('x-request-id', locals.requestId);
  if (user && !response.headers.has('cache-control')) response.headers.set('cache-control', 'private, no-store');
  return response;
});
