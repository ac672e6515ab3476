/**
 * The analytics ids, fixed at build time (Vite inlines `import.meta.env.PUBLIC_*`), so the
 * prerendered pages, the on-demand pages and astro.config.mjs (which adds Partytown only when
 * an id is set) always agree. No id: no analytics code on any page.
 */
export interface AnalyticsIds {
  ga: string | null;
  gtm: string | null;
}

function read(value: unknown, name: string, pattern: RegExp, example: string): string | null {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return null;
  if (!pattern.test(text)) throw new Error(`${name} must look like ${example}; got '${text}'. Fix it or leave it empty to build without analytics.`);
  return text;
}

export function analyticsIds(): AnalyticsIds {
  return {
    ga: read(import.meta.env.PUBLIC_GA_MEASUREMENT_ID, 'PUBLIC_GA_MEASUREMENT_ID', /^G-[A-Z0-9]{4,20}$/, 'G-XXXXXXXXXX'),
    gtm: read(import.meta.env.PUBLIC_GTM_ID, 'PUBLIC_GTM_ID', /^GTM-[A-Z0-9]{4,12}$/, 'GTM-XXXXXXX'),
  };
}
