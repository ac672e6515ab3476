/**
 * Astro believes `X-Forwarded-For` (for `clientAddress`) whenever the Host header is one of
 * ours, which it always is. Exposed directly, any client could then name its own address and
 * walk around the per-address rate limits. So: without a trusted proxy the forwarded headers
 * are dropped; behind one, only the address that proxy appended (the last entry) is kept.
 */
import type { IncomingMessage } from 'node:http';

const FORWARDED = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'forwarded'];

export function normalizeForwardedHeaders(req: IncomingMessage, trustProxy: boolean): void {
  if (!trustProxy) {
    for (const name of FORWARDED) delete req.headers[name];
    return;
  }
  const chain = req.headers['x-forwarded-for'];
  if (typeof chain === 'string') {
    const last = chain.split(',').map((s) => s.trim()).filter(Boolean).pop();
    if (last) req.headers['x-forwarded-for'] = last;
    else delete req.headers['x-forwarded-for'];
  }
}
