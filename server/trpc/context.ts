/**
 * Context creation in two steps: `createContextInner` builds what procedures need from the
 * app and an already-resolved user (tests call it through a caller), and `createContext`
 * turns a request into that.
 */
import type { App } from '../app.ts';
import type { UserRecord } from '../ports.ts';

export interface Context {
  app: App;
  user: UserRecord | null;
  /** The caller's network address (Astro's clientAddress), for per-address rate limits; null in-process. */
  clientAddress: string | null;
}

export function createContextInner(app: App, user: UserRecord | null, clientAddress: string | null = null): Context {
  return { app, user, clientAddress };
}

/** Resolves the signed-in user behind a request (creating outside-provider accounts on first use). */
export async function userFromRequest(app: App, request: Request): Promise<UserRecord | null> {
  const session = await app.identity.authenticate(request);
  if (!session) return null;
  // Someone whose account deletion is under way is signed out everywhere; checked before
  // resolveUser so a provider's still-valid session cannot re-create the records being deleted.
  if (await app.privacyDeletion.isPending(session.userId)) return null;
  const user = await app.account.resolveUser(session, app.identity.kind !== 'local');
  // A subscription cancelled at its period end lapses then, even before Stripe's event arrives.
  return user ? app.billingService.refreshPlan(user) : null;
}

export async function createContext(app: App, request: Request, clientAddress: string | null = null): Promise<Context> {
  return createContextInner(app, await userFromRequest(app, request), clientAddress);
}
