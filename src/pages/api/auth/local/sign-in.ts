/** Local, passwordless sign-in (only when Clerk is not configured). Form or JSON body. */
import { createHash } from 'node:crypto';
import type { APIRoute } from 'astro';
import { getApp } from '../../../../../server/app.ts';
import { LOCAL_SESSION_COOKIE, LOCAL_SESSION_DAYS } from '../../../../../server/adapters/identity/local.ts';
import { localSignInInput, safeReturnTo } from '../../../../../server/http/local-sign-in.ts';

export const prerender = false;

async function readBody(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get('content-type') ?? '';
  if (type.includes('application/json')) {
    const body: unknown = await request.json().catch(() => ({}));
    return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  }
  const form = await request.formData().catch(() => new FormData());
  return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string'));
}

export const POST: APIRoute = async ({ request, cookies, clientAddress, redirect }) => {
  const app = await getApp();
  const wantsJson = (request.headers.get('content-type') ?? '').includes('application/json');
  const fail = (status: number, message: string, field: string | null, returnTo: string, retryAfter?: number) =>
    wantsJson
      ? Response.json({ error: message, field }, { status, headers: retryAfter ? { 'retry-after': String(retryAfter) } : {} })
      : redirect(`/sign-in?error=${encodeURIComponent(message)}${field ? `&field=${encodeURIComponent(field)}` : ''}&returnTo=${encodeURIComponent(returnTo)}`, 303);

  if (!app.localIdentity) return fail(404, 'Local sign-in is not enabled on this site.', null, '/');

  const body = await readBody(request);
  const returnTo = safeReturnTo(typeof body.returnTo === 'string' ? body.returnTo : null);

  const perMinute = app.config.rateLimits.signInPerAddress;
  const rate = await app.store.hitRateLimit(`sign-in:ip:${clientAddress}`, 60, perMinute);
  if (!rate.allowed) return fail(429, `Too many sign-in attempts. Wait ${rate.retryAfter} seconds and try again.`, null, returnTo, rate.retryAfter);

  const parsed = localSignInInput.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(400, issue.message, String(issue.path[0] ?? ''), returnTo);
  }
  // Per account too, so many addresses cannot hammer one email. Hashed: the limits table keeps no emails.
  const emailKey = createHash('sha256').update(parsed.data.email).digest('base64url');
  const byEmail = await app.store.hitRateLimit(`sign-in:email:${emailKey}`, 60, perMinute);
  if (!byEmail.allowed) return fail(429, `Too many sign-in attempts for this account. Wait ${byEmail.retryAfter} seconds and try again.`, 'email', returnTo, byEmail.retryAfter);

  const user = await app.account.signInLocal(parsed.data.email, parsed.data.name);
  cookies.set(LOCAL_SESSION_COOKIE, app.localIdentity.issueSession(user.id), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: app.config.production,
    maxAge: LOCAL_SESSION_DAYS * 86_400,
  });
  app.logger.info({ userId: user.id }, 'local sign-in');
  return wantsJson ? Response.json({ ok: true, userId: user.id }) : redirect(returnTo, 303);
};
