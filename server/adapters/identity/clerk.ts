/**
 * Accounts with Clerk. Sessions are Clerk's RS256 session tokens, read from the `__session`
 * cookie or an `Authorization: Bearer` header and verified by `@clerk/backend`: with
 * `jwtKey` (CLERK_JWT_KEY) set, without any network call. The token's `azp` must be one of
 * `authorizedParties`. Email and display name come from the token when the session token is
 * customised to carry them (see README), from the Backend API once when a new user's token
 * carries neither (`profile`), and from the `user.created`/`user.updated` webhooks. Signing out
 * revokes the token's session at the Backend API, so Clerk's browser SDK cannot bring it back.
 * @see https://clerk.com/docs/references/backend/authenticate-request
 */
import { createClerkClient, verifyToken, type User } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';
import type { Identity, SessionIdentity } from '../../ports.ts';
import type { ClerkConfig } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import { AppError } from '../../domain/errors.ts';
import { displayName, verifyClerkWebhook } from './clerk-webhook.ts';
import { readCookies } from '../../http/request-cookies.ts';

export interface ClerkIdentityOptions extends ClerkConfig {
  logger?: Logger;
}

function claim(claims: Record<string, unknown> | null | undefined, name: string): string | null {
  const value = claims?.[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** The session cookies Clerk's browser SDK sets on our own host, each possibly also with a per-instance suffix. */
const CLERK_COOKIES = ['__session', '__client_uat', '__clerk_db_jwt'];
/** Sign-in and sign-out wait at most this long for the Backend API before going on without it. */
const API_TIMEOUT_MS = 5_000;
/**
 * Signing out accepts a session token this long past its expiry: a tab back from sleep posts
 * one before Clerk's SDK refreshes it, and its session is still live at Clerk. The signature is
 * still checked, so only a session Clerk gave this browser can be revoked.
 */
const SIGN_OUT_TOKEN_GRACE_MS = 7 * 86_400_000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${API_TIMEOUT_MS} ms`)), API_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isClerkCookie(name: string): boolean {
  return CLERK_COOKIES.some((base) => name === base || name.startsWith(`${base}_`));
}

function profileOf(user: User): { email: string | null; name: string | null } {
  const primary = user.primaryEmailAddress ?? user.emailAddresses[0] ?? null;
  return { email: primary?.emailAddress ?? null, name: displayName(user.firstName, user.lastName, user.username) };
}

export function createClerkIdentity(options: ClerkIdentityOptions): Identity {
  const client = createClerkClient({
    secretKey: options.secretKey,
    publishableKey: options.publishableKey,
    jwtKey: options.jwtKey ?? undefined,
    apiUrl: options.apiUrl ?? undefined,
    // No SDK usage reports to Clerk from our server: only what signing in needs leaves it.
    telemetry: { disabled: true },
  });

  return {
    name: 'clerk',
    kind: 'clerk',
    async dispose() {},

    async authenticate(request): Promise<SessionIdentity | null> {
      try {
        const state = await client.authenticateRequest(request, {
          jwtKey: options.jwtKey ?? undefined,
          authorizedParties: options.authorizedParties,
          acceptsToken: 'session_token',
        });
        // Signed out, a bad token, or a handshake (an expired cookie the middleware refreshes): no session.
        if (!state.isAuthenticated) {
          if (state.reason && state.reason !== 'session-token-and-uat-missing') options.logger?.debug({ reason: state.reason }, 'clerk session refused');
          return null;
        }
        const auth = state.toAuth();
        const claims: Record<string, unknown> = auth.sessionClaims;
        return { userId: auth.userId, email: claim(claims, 'email'), name: claim(claims, 'name') };
      } catch (error) {
        options.logger?.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'clerk session check failed');
        return null;
      }
    },

    async deleteAccount(userId) {
      try {
        await client.users.deleteUser(userId);
      } catch (error) {
        // 404: already deleted (in the Dashboard, or by an earlier attempt of this step).
        if (isClerkAPIResponseError(error) && error.status === 404) return;
        throw new AppError('ProviderUnavailable', `deleting the Clerk user failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
          userMessage: 'Your sign-in account could not be removed yet. We will keep trying; nothing else is needed from you.',
        });
      }
    },

    async signOut(request) {
      const cookies = readCookies(request);
      const clearCookies = [...new Set(['__session', '__client_uat', ...cookies.map(([name]) => name).filter(isClerkCookie)])];
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
      const tokens = [...(bearer ? [bearer] : []), ...cookies.filter(([name]) => name === '__session' || name.startsWith('__session_')).map(([, value]) => value)];
      const sessionIds = new Set<string>();
      for (const token of tokens) {
        try {
          const claims = await verifyToken(token, {
            jwtKey: options.jwtKey ?? undefined,
            secretKey: options.secretKey,
            apiUrl: options.apiUrl ?? undefined,
            authorizedParties: options.authorizedParties,
            clockSkewInMs: SIGN_OUT_TOKEN_GRACE_MS,
          });
          if (typeof claims.sid === 'string' && claims.sid) sessionIds.add(claims.sid);
        } catch {
          // Forged, another site's, or long expired: nothing of ours to revoke.
        }
      }
      for (const sessionId of sessionIds) {
        try {
          await withTimeout(client.sessions.revokeSession(sessionId), 'revoking the Clerk session');
          options.logger?.info({ sessionId }, 'clerk session revoked');
        } catch (error) {
          // 404: the session is already gone. Anything else is logged; the person is signed out here either way.
          if (!(isClerkAPIResponseError(error) && error.status === 404)) {
            options.logger?.warn({ sessionId, err: { message: errorMessage(error) } }, 'revoking the clerk session failed');
          }
        }
      }
      return { clearCookies };
    },

    async profile(userId) {
      try {
        return profileOf(await withTimeout(client.users.getUser(userId), 'reading the Clerk user'));
      } catch (error) {
        options.logger?.warn({ userId, err: { message: errorMessage(error) } }, 'reading the clerk user failed');
        return null;
      }
    },

    verifyWebhook(request) {
      return verifyClerkWebhook(request, options.webhookSigningSecret);
    },
  };
}
