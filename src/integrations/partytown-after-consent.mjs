// @ts-check
/**
 * `@astrojs/partytown`, minus the snippet it would inline into every page. That snippet
 * registers a service worker and starts a hidden iframe and a worker on page load, before
 * anyone has agreed to analytics. Here the integration still copies Partytown's files to
 * `/~partytown/` (and serves them in dev), and its resolved config (lib path, `forward`) is
 * handed to src/components/consent/analytics.ts, which loads Partytown only after analytics
 * consent.
 * @see https://docs.astro.build/en/guides/integrations-guide/partytown/
 */
import partytown from '@astrojs/partytown';

/**
 * @param {Parameters<typeof partytown>[0]} options the same options as `@astrojs/partytown`
 * @returns {import('astro').AstroIntegration}
 */
export default function partytownAfterConsent(options) {
  const integration = partytown(options);
  const setup = integration.hooks['astro:config:setup'];
  return {
    ...integration,
    name: 'partytown-after-consent',
    hooks: {
      ...integration.hooks,
      'astro:config:setup': async (params) => {
        const base = params.config.base.endsWith('/') ? params.config.base : `${params.config.base}/`;
        const resolved = {
          lib: options?.config?.lib ?? `${base}~partytown/`,
          forward: options?.config?.forward ?? [],
          debug: options?.config?.debug ?? params.command === 'dev',
        };
        params.updateConfig({ vite: { define: { __PARTYTOWN_CONFIG__: JSON.stringify(resolved) } } });
        // Everything the integration does except injecting its snippet into every page.
        await setup?.({ ...params, injectScript: () => undefined });
      },
    },
  };
}
