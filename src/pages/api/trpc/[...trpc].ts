/** The one tRPC router, mounted with the fetch adapter. */
import type { APIRoute } from 'astro';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { getApp } from '../../../../server/app.ts';
import { compressJson } from '../../../../server/http/compress-json.ts';
import { appRouter } from '../../../../server/trpc/router.ts';
import { createContextInner } from '../../../../server/trpc/context.ts';

export const prerender = false;

export const ALL: APIRoute = async ({ request, locals, clientAddress }) => {
  const app = await getApp();
  const response = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req: request,
    router: appRouter,
    createContext: () => createContextInner(app, locals.user, clientAddress),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        app.logger.error({ requestId: locals.requestId, path, err: { message: error.message, cause: error.cause instanceof Error ? error.cause.message : undefined } }, 'procedure failed');
      }
    },
    responseMeta({ errors }) {
      const retryAfter = errors.map((e) => (e.cause && 'retryAfter' in e.cause ? e.cause.retryAfter : undefined)).find((v) => typeof v === 'number');
      return { headers: { 'cache-control': 'private, no-store', ...(retryAfter ? { 'retry-after': String(retryAfter) } : {}) } };
    },
  });
  // A page of gallery results is tens of KB of JSON: compressed when the browser accepts it.
  return compressJson(request, response);
};
