/**
 * Sign-out for both identity modes: the Identity adapter ends the session at the provider
 * (Clerk) or does nothing remote (local), and this clears the cookies it names. Always
 * succeeds, so pressing "Sign out" twice is harmless. Same-origin checking is done by
 * src/middleware.ts before this runs.
 */
import type { Identity } from '../ports.ts';

/** A Set-Cookie value that removes `name` from the whole site. */
function expiredCookie(name: string, secure: boolean): string {
  return `${name}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export async function handleSignOut(deps: { identity: Identity; secureCookies: boolean }, request: Request): Promise<Response> {
  const { clearCookies } = await deps.identity.signOut(request);
  const wantsJson = (request.headers.get('accept') ?? '').includes('application/json');
  const headers = new Headers({ 'cache-control': 'no-store' });
  for (const name of clearCookies) headers.append('set-cookie', expiredCookie(name, deps.secureCookies));
  if (wantsJson) {
    headers.set('content-type', 'application/json');
    return new Response(JSON.stringify({ ok: true }), { status: 200, headers });
  }
  headers.set('location', '/');
  return new Response(null, { status: 303, headers });
}
