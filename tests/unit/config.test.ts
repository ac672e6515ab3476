import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('config', () => {
  it('uses the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect([config.clerk, config.mongo, config.cloudflare, config.r2, config.stripe]).toEqual([null, null, null, null, null]);
    expect(config.siteUrl).toBe('http://localhost:4321');
    expect(config.contactEmail).toBe('privacy@example.com');
  });

  it('names the missing settings of a half-configured service', () => {
    expect(() => loadConfig({ CLOUDFLARE_ACCOUNT_ID: 'abc' })).toThrow(/Workers AI is half configured: .*CLOUDFLARE_API_TOKEN is missing/);
    expect(() => loadConfig({ R2_BUCKET: 'b', R2_ACCESS_KEY_ID: 'k', R2_SECRET_ACCESS_KEY: 's' })).toThrow(/R2_ACCOUNT_ID/);
    expect(() => loadConfig({ R2_ENDPOINT: 'http://x' })).toThrow(/R2_ACCESS_KEY_ID/);
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_x' })).toThrow(/STRIPE_WEBHOOK_SECRET, STRIPE_PRICE_PLUS, STRIPE_PRICE_PRO are missing/);
    expect(() => loadConfig({ CLERK_SECRET_KEY: 'sk' })).toThrow(ConfigError);
  });

  it('refuses local sign-in and billing in production unless allowed', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/Local sign-in is off in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', ALLOW_LOCAL_AUTH_IN_PRODUCTION: '1' })).toThrow(/Local test billing is off in production/);
    expect(loadConfig({ NODE_ENV: 'production', ALLOW_LOCAL_AUTH_IN_PRODUCTION: '1', ALLOW_LOCAL_BILLING_IN_PRODUCTION: '1' }).production).toBe(true);
  });

  it('rejects malformed numbers naming the setting', () => {
    expect(() => loadConfig({ AI_TIMEOUT_MS: 'soon' })).toThrow(/AI_TIMEOUT_MS must be a positive whole number/);
  });
});
