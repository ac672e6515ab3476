/**
 * Cross-site request refusal for mutations. A browser always sends `Origin` on cross-origin
 * POSTs; when it names another site than the one the request was sent to, we refuse.
 * Webhooks are server-to-server, carry no Origin and are checked by signature instead.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isCrossSiteMutation(request: Request, allowedOrigins: readonly string[] = []): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const origin = request.headers.get('origin');
  if (origin === null) {
    // No Origin: not a browser cross-origin request, unless Fetch Metadata says it is.
    return request.headers.get('sec-fetch-site') === 'cross-site';
  }
  if (origin === 'null') return true;
  const target = new URL(request.url);
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? target.host;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true;
  }
  if (originHost === host) return false;
  return !allowedOrigins.some((allowed) => {
    try {
      return new URL(allowed).host === originHost;
    } catch {
      return false;
    }
  });
}
