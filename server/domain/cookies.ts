/**
 * The one cookie registry: every cookie (and the one piece of non-cookie storage) the site can
 * leave in a browser. It drives the consent panel's categories and the table on /cookies, so
 * the two cannot drift. Pure data: imported by server code and by Astro components at build
 * time, never by browser scripts (they read what the banner renders).
 */

/** Bump when the cookie policy changes in a way people must agree to again; a stored choice with another version asks again. */
export const CONSENT_POLICY_VERSION = '2025-01-15';

/** The first-party cookie that holds the visitor's choice. */
export const CONSENT_COOKIE = 'artivio_consent';

/** How long a choice is kept before the panel asks again. */
export const CONSENT_MAX_AGE_DAYS = 365;

/** Exactly the four kinds the privacy policy names (POLICY-FACTS row 18). */
export const COOKIE_CATEGORIES = ['essential', 'analytics', 'performance', 'preferences'] as const;
export type CookieCategory = (typeof COOKIE_CATEGORIES)[number];

/** The categories a visitor can switch; essential is always on. */
export const OPTIONAL_CATEGORIES = ['analytics', 'performance', 'preferences'] as const satisfies readonly CookieCategory[];
export type OptionalCategory = (typeof OPTIONAL_CATEGORIES)[number];

export type CookieSetter = 'Artivio (first party)' | 'Google' | 'Clerk';

export interface CookieEntry {
  /** The cookie name as it appears in the browser; `*` stands for a varying suffix. */
  name: string;
  category: CookieCategory;
  purpose: string;
  duration: string;
  setBy: CookieSetter;
  /** Storage that is not a cookie (shown as such on /cookies). @default 'cookie' */
  kind?: 'cookie' | 'service worker';
  /** When the entry applies only to some set-ups. */
  when?: string;
}

export interface CategoryInfo {
  id: CookieCategory;
  label: string;
  description: string;
}

export const CATEGORY_INFO: Record<CookieCategory, CategoryInfo> = {
  essential: {
    id: 'essential',
    label: 'Essential',
    description: 'Keep you signed in, keep the site secure and remember your cookie choice. The site cannot work without them, so they are always on.',
  },
  analytics: {
    id: 'analytics',
    label: 'Analytics',
    description: 'Google Analytics counts page views, interactions, conversions and performance so we can improve Artivio. Prompts, emails and image ids are never sent.',
  },
  performance: {
    id: 'performance',
    label: 'Performance',
    description: 'Help us measure how fast pages load and where they fail.',
  },
  preferences: {
    id: 'preferences',
    label: 'Preferences',
    description: 'Remember choices you make on the site, such as display settings.',
  },
};

export const COOKIE_REGISTRY: readonly CookieEntry[] = [
  {
    name: CONSENT_COOKIE,
    category: 'essential',
    purpose: 'Remembers your cookie choice, the policy version you answered and when.',
    duration: '12 months',
    setBy: 'Artivio (first party)',
  },
  {
    name: 'artivio_session',
    category: 'essential',
    purpose: 'Keeps you signed in (signed and HTTP-only, it holds only your account id).',
    duration: '30 days, or until you sign out',
    setBy: 'Artivio (first party)',
    when: 'When Artivio handles sign-in itself',
  },
  {
    name: '__session',
    category: 'essential',
    purpose: 'A short-lived token that proves to our server that you are signed in.',
    duration: 'Refreshed about every minute while you use the site',
    setBy: 'Clerk',
    when: 'When sign-in is handled by Clerk',
  },
  {
    name: '__client_uat',
    category: 'essential',
    purpose: 'Records when you last signed in or out, so a stale session is never trusted.',
    duration: '1 year',
    setBy: 'Clerk',
    when: 'When sign-in is handled by Clerk',
  },
  {
    name: '__client',
    category: 'essential',
    purpose: 'Keeps your Clerk sign-in alive on Clerk’s sign-in subdomain.',
    duration: '7 days',
    setBy: 'Clerk',
    when: 'When sign-in is handled by Clerk',
  },
  {
    name: '_ga',
    category: 'analytics',
    purpose: 'Tells Google Analytics that two visits come from the same browser, without saying who you are.',
    duration: '2 years',
    setBy: 'Google',
    when: 'Only after you allow analytics',
  },
  {
    name: '_ga_*',
    category: 'analytics',
    purpose: 'Keeps the state of your current Google Analytics session.',
    duration: '2 years',
    setBy: 'Google',
    when: 'Only after you allow analytics',
  },
  {
    name: '/~partytown/ service worker',
    category: 'analytics',
    purpose: 'Runs the Google tag in a background worker, off the page, so it cannot slow the site down.',
    duration: 'Removed when you withdraw analytics consent',
    setBy: 'Artivio (first party)',
    kind: 'service worker',
    when: 'Only after you allow analytics',
  },
];

/** Cookie names (prefixes) removed when analytics consent is withdrawn; derived from the registry. */
export const ANALYTICS_COOKIE_PREFIXES: readonly string[] = COOKIE_REGISTRY.filter((c) => c.category === 'analytics' && (c.kind ?? 'cookie') === 'cookie').map((c) =>
  c.name.replace(/\*$/, ''),
);

export function cookiesIn(category: CookieCategory): CookieEntry[] {
  return COOKIE_REGISTRY.filter((c) => c.category === category);
}

/** The stored decision: which optional categories are on. Essential is implied. */
export type ConsentCategories = Record<OptionalCategory, boolean>;
