/**
 * Accounts with Clerk. Sessions are Clerk's RS256 session tokens, read from the `__session`
 * cookie or an `Authorization: Bearer` header and verified by `@clerk/backend`: with
 * `jwtKey` (CLERK_JWT_KEY) set, without any network call. The token's `azp` must be one of
 * `authorizedParties`. Email and display name come from the token when the session token is
 * customised to carry them (see README), and from the `user.created`/`user.updated` webhooks.
 * @see https://clerk.com/docs/references/backend/authenticate-request
 */
import { createClerkClient } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';
import type { Identity, SessionIdentity } from '../../ports.ts';
import type { ClerkConfig } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import { AppError } from '../../domain/errors.ts';
import { verifyClerkWebhook } from './clerk-webhook.ts';

export interface ClerkIdentityOptions extends ClerkConfig {
  logger?: Logger;
}

function claim(claims: Record<string, unknown> | null | undefined, name: string): string | null {
  const value = claims?.[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
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

    verifyWebhook(request) {
      return verifyClerkWebhook(request, options.webhookSigningSecret);
    },
  };
}
