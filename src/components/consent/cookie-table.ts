/**
 * The /cookies page's tables, drawn from the cookie registry so the policy and the consent
 * panel can never disagree. The Markdown places a table with `{{cookie_table:<category>}}`
 * on a line of its own; src/pages/[legal].astro calls `renderCookieTables` on the HTML.
 */
import { CATEGORY_INFO, COOKIE_CATEGORIES, cookiesIn, type CookieCategory } from '../../../server/domain/cookies.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isCategory(value: string): value is CookieCategory {
  return (COOKIE_CATEGORIES as readonly string[]).includes(value);
}

export function cookieTableHtml(category: CookieCategory): string {
  const entries = cookiesIn(category);
  if (entries.length === 0) {
    return `<p>We set no ${escapeHtml(CATEGORY_INFO[category].label.toLowerCase())} cookies at the moment. If we add any, they will be listed here and set only with your consent.</p>`;
  }
  const rows = entries
    .map(
      (c) =>
        `<tr><td><code>${escapeHtml(c.name)}</code>${c.kind && c.kind !== 'cookie' ? ` <span class="cookie-kind">(${escapeHtml(c.kind)})</span>` : ''}</td>` +
        `<td>${escapeHtml(c.setBy)}</td>` +
        `<td>${escapeHtml(c.purpose)}${c.when ? ` <em>${escapeHtml(c.when)}.</em>` : ''}</td>` +
        `<td>${escapeHtml(c.duration)}</td></tr>`,
    )
    .join('');
  return `<table data-cookie-table="${category}"><thead><tr><th scope="col">Cookie</th><th scope="col">Set by</th><th scope="col">Purpose</th><th scope="col">Lasts</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Replaces each `{{cookie_table:<category>}}` (alone in its paragraph) with that category's table. */
export function renderCookieTables(html: string): string {
  return html.replace(/(?:<p>\s*)?\{\{cookie_table:([a-z]+)\}\}(?:\s*<\/p>)?/g, (match, category: string) => (isCategory(category) ? cookieTableHtml(category) : match));
}
