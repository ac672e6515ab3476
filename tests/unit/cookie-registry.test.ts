import { describe, expect, it } from 'vitest';
import { ANALYTICS_COOKIE_PREFIXES, COOKIE_CATEGORIES, COOKIE_REGISTRY, cookiesIn } from '../../server/domain/cookies.ts';
import { cookieTableHtml, renderCookieTables } from '../../src/components/consent/cookie-table.ts';

describe('cookie registry', () => {
  it('uses exactly the four categories the privacy policy names', () => {
    expect([...COOKIE_CATEGORIES]).toEqual(['essential', 'analytics', 'performance', 'preferences']);
    for (const cookie of COOKIE_REGISTRY) expect(COOKIE_CATEGORIES).toContain(cookie.category);
  });

  it('lists the consent and session cookies as essential and Google’s as analytics', () => {
    expect(cookiesIn('essential').map((c) => c.name)).toEqual(expect.arrayContaining(['artivio_consent', 'artivio_session', '__session', '__client_uat']));
    expect(cookiesIn('analytics').map((c) => c.name)).toEqual(expect.arrayContaining(['_ga', '_ga_*']));
    // Withdrawal clears every analytics cookie the registry lists.
    for (const c of cookiesIn('analytics').filter((c) => (c.kind ?? 'cookie') === 'cookie')) {
      expect(ANALYTICS_COOKIE_PREFIXES.some((p) => c.name.replace('*', 'X').startsWith(p))).toBe(true);
    }
  });

  it('draws the /cookies tables from the registry, one per placeholder', () => {
    const html = renderCookieTables('<h2>Essential</h2>\n<p>{{cookie_table:essential}}</p>\n<h2>Performance</h2>\n<p>{{cookie_table:performance}}</p><p>{{cookie_table:nonsense}}</p>');
    for (const cookie of cookiesIn('essential')) expect(html).toContain(`<code>${cookie.name}</code>`);
    expect(html).not.toContain('<p><table');
    expect(html).toContain('We set no performance cookies');
    expect(html).toContain('{{cookie_table:nonsense}}');
    expect(cookieTableHtml('analytics')).toContain('<code>_ga</code>');
  });

  it('escapes registry text in the table', () => {
    expect(cookieTableHtml('essential')).not.toMatch(/<(?!\/?(table|thead|tbody|tr|th|td|code|em|span)\b)/);
  });
});
