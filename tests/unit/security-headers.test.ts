/** The header half of the Content Security Policy follows the run-time settings. */
import { describe, expect, it } from 'vitest';
import { applySecurityHeaders, clerkFrontendApi, contentSecurityPolicy, securityHeaders } from '../../server/http/security-headers.ts';
import { loadConfig } from '../../server/config.ts';

function directives(policy: string): Record<string, string[]> {
  return Object.fromEntries(policy.split('; ').map((d) => d.split(' ')).map(([name, ...values]) => [name!, values]));
}

const r2 = { endpoint: 'https://acc123.r2.cloudflarestorage.com', accessKeyId: 'k', secretAccessKey: 's', bucket: 'images', publicBaseUrl: null };

describe('content security policy header', () => {
  it('on embedded defaults allows only our own origin, and no framing, plugins or foreign forms', () => {
    const policy = directives(contentSecurityPolicy(loadConfig({ NODE_ENV: 'test' })));
    expect(policy).toMatchObject({
      'frame-ancestors': ["'none'"],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'"],
      'connect-src': ["'self'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'worker-src': ["'self'", 'blob:'],
      'frame-src': ["'self'"],
    });
    // Scripts and styles are the page's business (Astro's hashes); a default here would override them.
    expect(policy['script-src']).toBeUndefined();
    expect(policy['style-src']).toBeUndefined();
    expect(policy['default-src']).toBeUndefined();
    expect(policy['upgrade-insecure-requests']).toBeUndefined();
  });

  it('lets images come from the bucket: virtual-hosted on R2, path style elsewhere, and the public domain', () => {
    expect(directives(contentSecurityPolicy({ production: false, r2 }))['img-src']).toEqual(["'self'", 'data:', 'blob:', 'https://images.acc123.r2.cloudflarestorage.com']);
    expect(directives(contentSecurityPolicy({ production: false, r2: { ...r2, endpoint: 'http://127.0.0.1:9000' } }))['img-src']).toContain('http://127.0.0.1:9000');
    const withCdn = directives(contentSecurityPolicy({ production: false, r2: { ...r2, publicBaseUrl: 'https://media.example.com/artivio' } }));
    expect(withCdn['img-src']).toContain('https://media.example.com');
    expect(withCdn['connect-src']).toContain('https://media.example.com');
  });

  it('adds analytics hosts only with an analytics id, Stripe Checkout only with Stripe, Clerk only with Clerk', () => {
    expect(directives(contentSecurityPolicy({ production: false, analytics: { gaMeasurementId: null, gtmId: null } }))['connect-src']).toEqual(["'self'"]);
    const ga = directives(contentSecurityPolicy({ production: false, analytics: { gaMeasurementId: 'G-X', gtmId: null } }));
    expect(ga['connect-src']).toEqual(["'self'", 'https://*.googletagmanager.com', 'https://*.google-analytics.com', 'https://*.analytics.google.com']);
    const stripe = { secretKey: 'sk', webhookSecret: 'wh', prices: { plus: 'a', pro: 'b' }, apiUrl: null };
    expect(directives(contentSecurityPolicy({ production: false, stripe }))['form-action']).toEqual(["'self'", 'https://checkout.stripe.com']);
    const key = `pk_test_${Buffer.from('clerk.artivio.example$').toString('base64')}`;
    expect(clerkFrontendApi(key)).toBe('https://clerk.artivio.example');
    const clerk = directives(contentSecurityPolicy({ production: false, clerk: { publishableKey: key, secretKey: 'sk', jwtKey: null, webhookSigningSecret: null, apiUrl: null, authorizedParties: [] } }));
    expect(clerk['connect-src']).toContain('https://clerk.artivio.example');
    expect(clerk['img-src']).toContain('https://img.clerk.com');
    expect(clerk['frame-src']).toContain('https://challenges.cloudflare.com');
  });

  it('in production adds HSTS and upgrades insecure requests', () => {
    const headers = securityHeaders({ production: true });
    expect(headers['Strict-Transport-Security']).toBe('max-age=63072000; includeSubDomains; preload');
    expect(directives(headers['Content-Security-Policy']!)['upgrade-insecure-requests']).toEqual([]);
    expect(securityHeaders({ production: false })['Strict-Transport-Security']).toBeUndefined();
  });

  it("joins Astro's script and style hashes on on-demand pages with ours, once", () => {
    const target = new Headers({ 'Content-Security-Policy': "script-src 'self' 'sha256-abc'; style-src 'self' 'sha256-def';" });
    applySecurityHeaders(target, securityHeaders({ production: false }));
    applySecurityHeaders(target, securityHeaders({ production: false }));
    const joined = directives(target.get('content-security-policy')!);
    expect(joined['script-src']).toEqual(["'self'", "'sha256-abc'"]);
    expect(joined['frame-ancestors']).toEqual(["'none'"]);
    expect(target.get('content-security-policy')!.match(/frame-ancestors/g)).toHaveLength(1);
    expect(target.get('x-content-type-options')).toBe('nosniff');
  });
});
