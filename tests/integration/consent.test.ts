import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { CONSENT_POLICY_VERSION } from '../../server/domain/cookies.ts';

let t: TestApp;
afterEach(async () => t?.close());

const decision = { categories: { analytics: true, performance: false, preferences: true }, policyVersion: CONSENT_POLICY_VERSION, source: 'banner' as const };

describe('consent.record', () => {
  it('stores a signed-in person’s decision with the policy version and essential always on', async () => {
    t = await createTestApp();
    const ada = await t.signIn('ada@example.com');
    expect(await ada.caller.consent.record(decision)).toEqual({ recorded: true });
    expect(await ada.caller.consent.record({ ...decision, categories: { analytics: false, performance: false, preferences: false }, source: 'settings' })).toEqual({ recorded: true });
    const records = await t.app.store.listConsents(ada.user.id);
    expect(records).toMatchObject([
      { categories: { essential: true, analytics: true, performance: false, preferences: true }, policyVersion: CONSENT_POLICY_VERSION, source: 'banner' },
      { categories: { essential: true, analytics: false }, source: 'settings' },
    ]);
  });

  it('acknowledges an anonymous decision without storing anything', async () => {
    t = await createTestApp();
    expect(await t.anonymous.consent.record(decision)).toEqual({ recorded: false });
    const ada = await t.signIn('ada@example.com');
    expect(await t.app.store.listConsents(ada.user.id)).toEqual([]);
  });

  it('refuses a malformed decision and names the field', async () => {
    t = await createTestApp();
    const ada = await t.signIn('ada@example.com');
    await expect(ada.caller.consent.record({ ...decision, policyVersion: '' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(ada.caller.consent.record({ ...decision, source: 'nope' as 'banner' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await t.app.store.listConsents(ada.user.id)).toEqual([]);
  });
});
