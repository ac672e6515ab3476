import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isCrossSiteMutation } from '../../server/http/same-origin.ts';
import { safeReturnTo } from '../../server/http/local-sign-in.ts';
import { createLocalIdentity, LOCAL_SESSION_COOKIE } from '../../server/adapters/identity/local.ts';

const req = (method: string, headers: Record<string, string>) => new Request('http://localhost:4321/api/trpc/x', { method, headers: { host: 'localhost:4321', ...headers } });

describe('cross-site mutation refusal', () => {
  it('allows same-origin and safe requests', () => {
    expect(isCrossSiteMutation(req('POST', { origin: 'http://localhost:4321' }))).toBe(false);
    expect(isCrossSiteMutation(req('GET', { origin: 'https://evil.example' }))).toBe(false);
    expect(isCrossSiteMutation(req('POST', {}))).toBe(false);
  });

  it('refuses another site, a null origin and cross-site fetch metadata', () => {
    expect(isCrossSiteMutation(req('POST', { origin: 'https://evil.example' }))).toBe(true);
    expect(isCrossSiteMutation(req('POST', { origin: 'null' }))).toBe(true);
    expect(isCrossSiteMutation(req('POST', { 'sec-fetch-site': 'cross-site' }))).toBe(true);
    expect(isCrossSiteMutation(req('DELETE', { origin: 'http://localhost:9999' }))).toBe(true);
  });

  it('allows the configured public site origin behind a proxy', () => {
    expect(isCrossSiteMutation(req('POST', { origin: 'https://artivio.example' }), ['https://artivio.example'])).toBe(false);
  });
});

describe('return paths', () => {
  it('keeps same-site paths and drops everything else', () => {
    expect(safeReturnTo('/gallery?image=1')).toBe('/gallery?image=1');
    expect(safeReturnTo('//evil.example')).toBe('/generate');
    expect(safeReturnTo('https://evil.example')).toBe('/generate');
    expect(safeReturnTo('/\\evil.example')).toBe('/generate');
    expect(safeReturnTo(undefined)).toBe('/generate');
  });
});

describe('local sessions', () => {
  /** An in-memory stand-in for the Store's revocation list. */
  function revocationList(options: { failing?: boolean } = {}) {
    const revoked = new Map<string, string>();
    return {
      revoked,
      async revokeSession(sid: string, expiresAt: string) {
        if (options.failing) throw new Error('store unavailable');
        revoked.set(sid, expiresAt);
      },
      async isSessionRevoked(sid: string) {
        return revoked.has(sid);
      },
    };
  }
  const sign = (key: string, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
  const withCookie = (token: string) => new Request('http://localhost:4321/api/auth/sign-out', { method: 'POST', headers: { cookie: `${LOCAL_SESSION_COOKIE}=${token}` } });
  const secret = 'x'.repeat(40);
  const identity = createLocalIdentity({ secret, secretFile: '/nonexistent', revocations: revocationList() });

  it('verifies its own tokens and refuses forged, tampered and expired ones', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const token = identity.issueSession('usr_1', now);
    expect(identity.verifySession(token, now)).toMatchObject({ userId: 'usr_1', expiresAt: new Date('2026-01-31T00:00:00Z') });
    const other = createLocalIdentity({ secret: 'y'.repeat(40), secretFile: '/nonexistent', revocations: revocationList() });
    expect(other.verifySession(token, now)).toBeNull();
    const [payload, sig] = token.split('.');
    const tampered = Buffer.from(JSON.stringify({ sub: 'usr_2', sid: 'abc', iat: 0, exp: 9e9 })).toString('base64url');
    expect(identity.verifySession(`${tampered}.${sig}`, now)).toBeNull();
    expect(identity.verifySession(`${payload}.`, now)).toBeNull();
    expect(identity.verifySession(token, new Date('2026-03-01T00:00:00Z'))).toBeNull();
  });

  it('gives every sign-in its own session id', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const a = identity.verifySession(identity.issueSession('usr_1', now), now);
    const b = identity.verifySession(identity.issueSession('usr_1', now), now);
    expect(a?.sid).toMatch(/^[\w-]{20,}$/);
    expect(b?.sid).not.toBe(a?.sid);
  });

  it('refuses a genuinely signed token from before session ids, which sign-out could not revoke', async () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'usr_1', iat: 1_700_000_000, exp: 9_999_999_999 })).toString('base64url');
    const legacy = `${payload}.${sign(secret, payload)}`;
    expect(identity.verifySession(legacy)).toBeNull();
    expect(await identity.authenticate(withCookie(legacy))).toBeNull();
  });

  it('sign-out revokes the session, so a copy of the cookie no longer authenticates', async () => {
    const revocations = revocationList();
    const local = createLocalIdentity({ secret, secretFile: '/nonexistent', revocations });
    const token = local.issueSession('usr_1');
    const other = local.issueSession('usr_1');
    expect(await local.authenticate(withCookie(token))).toEqual({ userId: 'usr_1', email: null, name: null });

    expect(await local.signOut(withCookie(token))).toEqual({ clearCookies: [LOCAL_SESSION_COOKIE] });
    const claims = local.verifySession(token)!;
    expect([...revocations.revoked]).toEqual([[claims.sid, claims.expiresAt.toISOString()]]);
    expect(await local.authenticate(withCookie(token))).toBeNull();
    // Another sign-in of the same person (another browser) stays signed in.
    expect(await local.authenticate(withCookie(other))).toMatchObject({ userId: 'usr_1' });
  });

  it('sign-out without a valid cookie revokes nothing and still clears the cookie', async () => {
    const revocations = revocationList();
    const local = createLocalIdentity({ secret, secretFile: '/nonexistent', revocations });
    expect(await local.signOut(new Request('http://localhost:4321/api/auth/sign-out', { method: 'POST' }))).toEqual({ clearCookies: [LOCAL_SESSION_COOKIE] });
    expect(await local.signOut(withCookie('garbage.token'))).toEqual({ clearCookies: [LOCAL_SESSION_COOKIE] });
    expect(revocations.revoked.size).toBe(0);
  });

  it('sign-out with the Store down still signs the browser out instead of failing', async () => {
    const local = createLocalIdentity({ secret, secretFile: '/nonexistent', revocations: revocationList({ failing: true }) });
    await expect(local.signOut(withCookie(local.issueSession('usr_1')))).resolves.toEqual({ clearCookies: [LOCAL_SESSION_COOKIE] });
  });
});
