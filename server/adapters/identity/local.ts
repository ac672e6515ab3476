/**
 * Local, passwordless sign-in for the embedded default: the person gives an email and a
 * display name and gets a session cookie signed with HMAC-SHA256. No password is asked for
 * or stored. config.ts refuses this adapter in production unless explicitly allowed.
 *
 * The cookie is stateless, so a copy of it would outlive signing out. Each token therefore
 * carries a random session id (`sid`); sign-out records that id in the Store, shared by every
 * instance, and `authenticate` refuses a recorded one until the token would have expired.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Identity, SessionIdentity, Store } from '../../ports.ts';
import type { Logger } from '../../logger.ts';
import { readCookie } from '../../http/request-cookies.ts';

export const LOCAL_SESSION_COOKIE = 'artivio_session';
export const LOCAL_SESSION_DAYS = 30;

export interface LocalIdentityOptions {
  /** The HMAC key. When absent, one is generated into `secretFile` on first run. */
  secret?: string | null;
  secretFile: string;
  /** Where signed-out sessions are recorded and checked (the app's Store). */
  revocations: Pick<Store, 'revokeSession' | 'isSessionRevoked'>;
  logger?: Logger;
}

/** What a valid token says. */
export interface LocalSessionClaims {
  userId: string;
  /** Random per sign-in; what sign-out revokes. */
  sid: string;
  expiresAt: Date;
}

export interface LocalIdentity extends Identity {
  readonly kind: 'local';
  /** A signed session token for `userId`, valid for LOCAL_SESSION_DAYS. */
  issueSession(userId: string, now?: Date): string;
  /**
   * The claims of a genuine, unexpired token, or null when it is forged, malformed, expired or
   * has no session id (issued before sign-out could revoke; such people sign in again).
   * Revocation is not checked here: `authenticate` does that against the Store.
   */
  verifySession(token: string, now?: Date): LocalSessionClaims | null;
}

function loadOrCreateSecret(file: string): string {
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    // First run: fall through and create it.
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // 'wx' so two processes starting together cannot both write; the loser reads the winner's.
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    return readFileSync(file, 'utf8').trim();
  }
}

export function createLocalIdentity(options: LocalIdentityOptions): LocalIdentity {
  const key = options.secret ?? loadOrCreateSecret(options.secretFile);
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

  const identity: LocalIdentity = {
    name: 'local',
    kind: 'local',

    async dispose() {},

    issueSession(userId, now = new Date()) {
      const issuedAt = Math.floor(now.getTime() / 1000);
      const claims = { sub: userId, sid: randomBytes(16).toString('base64url'), iat: issuedAt, exp: issuedAt + LOCAL_SESSION_DAYS * 86_400 };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },

    verifySession(token, now = new Date()) {
      const dot = token.indexOf('.');
      if (dot <= 0) return null;
      const payload = token.slice(0, dot);
      const given = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = Buffer.from(sign(payload), 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown; sid?: unknown; exp?: unknown };
        if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || typeof claims.sid !== 'string' || claims.sid === '') return null;
        return claims.exp * 1000 > now.getTime() ? { userId: claims.sub, sid: claims.sid, expiresAt: new Date(claims.exp * 1000) } : null;
      } catch {
        return null;
      }
    },

    async authenticate(request): Promise<SessionIdentity | null> {
      const token = readCookie(request, LOCAL_SESSION_COOKIE);
      const claims = token ? identity.verifySession(token) : null;
      if (!claims || (await options.revocations.isSessionRevoked(claims.sid))) return null;
      // Email and name live in our Store for local accounts.
      return { userId: claims.userId, email: null, name: null };
    },

    async deleteAccount() {
      // Local accounts exist only in our Store, which the deletion job clears itself.
    },

    async signOut(request) {
      const token = readCookie(request, LOCAL_SESSION_COOKIE);
      const claims = token ? identity.verifySession(token) : null;
      if (claims) {
        try {
          await options.revocations.revokeSession(claims.sid, claims.expiresAt.toISOString());
          options.logger?.info({ userId: claims.userId }, 'local session revoked');
        } catch (error) {
          // Signed out in this browser anyway (the port never throws); a copy of the cookie keeps working until it expires.
          options.logger?.error({ userId: claims.userId, err: { message: error instanceof Error ? error.message : String(error) } }, 'revoking the local session failed');
        }
      }
      return { clearCookies: [LOCAL_SESSION_COOKIE] };
    },

    async profile() {
      // Email and name were typed at sign-in and live in our Store.
      return null;
    },

    async verifyWebhook() {
      return { status: 'disabled', reason: 'Clerk is not configured on this server: local sign-in receives no identity webhooks.' };
    },
  };
  return identity;
}
