/**
 * Consent helpers for browser tests. `rememberConsent` stores a choice the way the banner
 * does, so tests about other things see a page without the banner over it.
 */
import type { BrowserContext } from 'playwright-core';
import { CONSENT_COOKIE, CONSENT_POLICY_VERSION, type ConsentCategories } from '../../../server/domain/cookies.ts';

export const NO_OPTIONAL_COOKIES: ConsentCategories = { analytics: false, performance: false, preferences: false };

export function consentCookieValue(choice: ConsentCategories, version = CONSENT_POLICY_VERSION): string {
  const params = new URLSearchParams({ v: version, t: new Date().toISOString() });
  for (const [category, on] of Object.entries(choice)) params.set(category, on ? '1' : '0');
  return encodeURIComponent(params.toString());
}

export async function rememberConsent(context: BrowserContext, baseUrl: string, choice: ConsentCategories = NO_OPTIONAL_COOKIES): Promise<void> {
  await context.addCookies([{ name: CONSENT_COOKIE, value: consentCookieValue(choice), url: baseUrl, sameSite: 'Lax' }]);
}

/** The stored choice, decoded from the cookie in `context` (null when there is none). */
export async function storedConsent(context: BrowserContext): Promise<Record<string, string> | null> {
  const cookie = (await context.cookies()).find((c) => c.name === CONSENT_COOKIE);
  return cookie ? Object.fromEntries(new URLSearchParams(decodeURIComponent(cookie.value))) : null;
}
