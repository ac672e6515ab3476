import { describe, expect, it } from 'vitest';
import { isCrossSiteMutation } from '../../server/http/same-origin.ts';
import { safeReturnTo } from '../../server/http/local-sign-in.ts';
import { createLocalIdentity } from '../../server/adapters/identity/local.ts';

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
  const identity = createLocalIdentity({ secret: 'x'.repeat(40), secretFile: '/nonexistent' });

  it('verifies its own tokens and refuses forged, tampered and expired ones', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const token = identity.issueSession('usr_1', now);
    expect(identity.verifySession(token, now)).toBe('usr_1');
    const other = createLocalIdentity({ secret: 'y'.repeat(40), secretFile: '/nonexistent' });
    expect(other.verifySession(token, now)).toBeNull();
    const [payload, sig] = token.split('.');
    const tampered = Buffer.from(JSON.stringify({ sub: 'usr_2', iat: 0, exp: 9e9 })).toString('base64url');
    expect(identity.verifySession(`${tampered}.${sig}`, now)).toBeNull();
    expect(identity.verifySession(`${payload}.`, now)).toBeNull();
    expect(identity.verifySession(token, new Date('2026-03-01T00:00:00Z'))).toBeNull();
  });
});
