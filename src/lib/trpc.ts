/**
 * The typed tRPC client the islands use. Only the router's *type* is imported, so no server
 * code reaches the browser bundle.
 * @see https://trpc.io/docs/client/vanilla
 */
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../server/trpc/router.ts';

export const trpc = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: '/api/trpc' })],
});

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type ImageDTO = RouterOutputs['gallery']['get'];
export type GenerateRequest = RouterInputs['generate']['create'];
export type UsageSummary = RouterOutputs['usage']['current'];
export type AccountInfo = RouterOutputs['account']['me'];

/** What an island needs to show an error: a sentence, the field it is about, and a code to branch on. */
export interface ClientError {
  message: string;
  /** The input field the error is about (e.g. `prompt`), or null for a form-level error. */
  field: string | null;
  /** The tRPC error code (`BAD_REQUEST`, `UNAUTHORIZED`, ...), or `NETWORK` when the server was not reached. */
  code: string;
  /** Artivio's own error code when the server sent one (`QuotaExhausted`, `RateLimited`, ...). */
  appCode: string | null;
}

const NETWORK_MESSAGE = 'We could not reach Artivio. Check your connection and try again.';

function readString(record: object, key: string): string | null {
  const value: unknown = Reflect.get(record, key);
  return typeof value === 'string' ? value : null;
}

/** Turns anything a tRPC call threw into a `ClientError`, reading `error.data.field` from the server's error formatter. */
export function toClientError(error: unknown): ClientError {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    if (data && typeof data === 'object') {
      return {
        message: error.message,
        field: readString(data, 'field'),
        code: readString(data, 'code') ?? 'UNKNOWN',
        appCode: readString(data, 'appCode'),
      };
    }
  }
  // No error shape: the request never got a tRPC answer (offline, a proxy's error page, aborted).
  return { message: NETWORK_MESSAGE, field: null, code: 'NETWORK', appCode: null };
}

/** Sends someone whose session ended back through sign-in to the page they were on. */
export function redirectToSignIn(): void {
  const returnTo = window.location.pathname + window.location.search;
  window.location.assign(`/sign-in?${new URLSearchParams({ returnTo }).toString()}`);
}

/** Tells the usage meter (and anything else listening) that the month's usage may have changed. */
export const USAGE_CHANGED_EVENT = 'artivio:usage-changed';

export function announceUsageChanged(): void {
  window.dispatchEvent(new CustomEvent(USAGE_CHANGED_EVENT));
}
