/**
 * Clerk's Astro middleware, used when Clerk is configured (src/middleware.ts runs it before
 * ours). It refreshes an expired `__session` cookie through Clerk's handshake redirect, and
 * hands the browser the auth state Clerk's components start from. Who is signed in is still
 * decided by the Identity adapter (clerk.ts), with the same key and authorized parties.
 * @see https://clerk.com/docs/reference/astro/clerk-middleware
 */
import type { MiddlewareHandler } from 'astro';
import { clerkMiddleware } from '@clerk/astro/server';
import type { ClerkConfig } from '../../config.ts';

export function createClerkMiddleware(config: ClerkConfig): MiddlewareHandler {
  return clerkMiddleware({
    secretKey: config.secretKey,
    publishableKey: config.publishableKey,
    jwtKey: config.jwtKey ?? undefined,
    authorizedParties: config.authorizedParties,
    signInUrl: '/sign-in',
    signUpUrl: '/sign-up',
  });
}
