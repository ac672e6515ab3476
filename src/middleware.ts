/**
 * Runs on every on-demand request: request id, cross-site mutation refusal, the signed-in
 * user, sign-in redirects for private pages, security headers, and one request log line.
 */
import type { APIContext, MiddlewareNext } from 'astro';
import { defineMiddleware, sequence } from 'astro:middleware';
import { getApp, type App } from '../server/app.ts';
import { logRequest, requestIdFrom } from '../server/http/request-log.ts';
import { userFromRequest } from '../server/trpc/context.ts';
import { applySecurityHeaders, securityHeaders } from '../server/http/security-headers.ts';
import { isCrossSiteMutation } from '../server/http/same-origin.ts';

/** Pages that need a signed-in person; everything under them too. */
const PRIVATE_PAGES = ['/generate', '/gallery', '/account', '/billing'];

function isPrivatePage(pathname: string): boolean {
  return PRIVATE_PAGES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

const artivio = defineMiddleware(async (context, next) => {
  if (context.isPrerendered) return next();
  const started = performance.now();
  const app = await getApp();
  const { request, url, locals } = context;
  locals.requestId = requestIdFrom(request.headers.get('x-request-id'));
  let status = 500;
  try {
    const response = await guard(context, next, app);
    status = response.status;
    return response;
  } finally {
    // Path, never the query string: that is where GET inputs travel.
    logRequest(app.logger, { requestId: locals.requestId, method: request.method, route: context.routePattern, path: url.pathname, status, durationMs: performance.now() - started, userId: locals.user?.id ?? null });
  }
});

async function guard(context: APIContext, next: MiddlewareNext, app: App): Promise<Response> {
  const { request, url, locals } = context;

  const isWebhook = url.pathname.startsWith('/api/webhooks/');
  if (!isWebhook && isCrossSiteMutation(request, [app.config.siteUrl])) {
    return new Response(JSON.stringify({ error: 'Cross-site requests are not allowed.' }), {
      status: 403,
      headers: { 'content-type': 'application/json', ...securityHeaders(app.config) },
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
  applySecurityHeaders(response.headers, securityHeaders(app.config));
  response.headers.set('x-request-id', locals.requestId);
  if (user && !response.headers.has('cache-control')) response.headers.set('cache-control', 'private, no-store');
  return response;
}

/**
 * With Clerk configured, Clerk's middleware runs first: it refreshes an expired session cookie
 * (Clerk's handshake redirect) and gives Clerk's components their start state. Webhooks skip it.
 */
const clerkSession = defineMiddleware(async (context, next) => {
  if (context.isPrerendered || context.url.pathname.startsWith('/api/webhooks/')) return next();
  const { clerkMiddleware } = await getApp();
  if (!clerkMiddleware) return next();
  // Clerk's handler always answers: a handshake redirect, or the response it let through.
  const response = await clerkMiddleware(context, next);
  if (!response) throw new Error('Clerk middleware returned no response');
  return response;
});

export const onRequest = sequence(clerkSession, artivio);
