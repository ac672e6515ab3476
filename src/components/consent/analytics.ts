/**
 * Google Analytics 4 / Tag Manager through Partytown, only with analytics consent.
 *
 * On consent: the tags are added as `text/partytown` scripts (Consent Mode v2 defaults all
 * denied, then analytics_storage alone is granted) and Partytown itself is loaded; before
 * consent not even Partytown runs, so no service worker, iframe or worker exists.
 * On withdrawal: Consent Mode is updated to denied, `ga-disable-<id>` is set, the tags and
 * Partytown's sandbox iframe are removed (which ends the worker, so no further hit can be
 * sent), its service worker is unregistered and every `_ga*` cookie is deleted.
 *
 * Page locations are sent without query string or fragment: those can hold image ids or
 * sign-in details. Nothing else about the person (prompts, emails, ids) is ever pushed.
 */
interface PartytownConfig {
  lib: string;
  /** Main-thread calls relayed to the worker; an entry may carry Partytown's per-entry options. */
  forward: Array<string | [string, Record<string, unknown>]>;
  debug: boolean;
}

declare const __PARTYTOWN_CONFIG__: PartytownConfig | undefined;

declare global {
  interface Window {
    partytown?: Partial<PartytownConfig>;
    gtag?: (...args: unknown[]) => void;
  }
}

const config = document.getElementById('analytics-config');

if (config) {
  const { ga, gtm, cookiePrefixes = '_ga' } = config.dataset;
  const pt: PartytownConfig =
    typeof __PARTYTOWN_CONFIG__ === 'undefined' ? { lib: '/~partytown/', forward: ['dataLayer.push', 'gtag'], debug: false } : __PARTYTOWN_CONFIG__;
  const flags = window as unknown as Record<string, unknown>;
  const prefixes = cookiePrefixes.split(' ');
  let on = false;

  const bare = (url: string) => {
    try {
      const u = new URL(url);
      return u.origin + u.pathname;
    } catch {
      return '';
    }
  };

  const addTag = (attrs: { src?: string; text?: string }) => {
    const script = document.createElement('script');
    script.type = 'text/partytown';
    script.dataset.analytics = '';
    if (attrs.src) script.src = attrs.src;
    else script.textContent = attrs.text ?? '';
    document.head.append(script);
  };

  const enable = () => {
    if (on) return;
    on = true;
    if (ga) flags[`ga-disable-${ga}`] = false;
    const denied = { ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied', analytics_storage: 'denied' };
    const page = { page_location: bare(location.href), page_referrer: bare(document.referrer), allow_google_signals: false, allow_ad_personalization_signals: false };
    // One worker-side script, in order: gtag defined, consent defaults, the grant, then config.
    addTag({
      text:
        'window.dataLayer=window.dataLayer||[];window.gtag=function(){dataLayer.push(arguments)};' +
        `gtag('consent','default',${JSON.stringify(denied)});gtag('consent','update',{analytics_storage:'granted'});` +
        `gtag('set',${JSON.stringify(page)});` +
        (ga ? `gtag('js',new Date());gtag('config',${JSON.stringify(ga)});` : '') +
        (gtm ? `dataLayer.push({'gtm.start':Date.now(),event:'gtm.js'});` : ''),
    });
    if (ga) addTag({ src: `https://www.googletagmanager.com/gtag/js?id=${encodeURIComponent(ga)}` });
    if (gtm) addTag({ src: `https://www.googletagmanager.com/gtm.js?id=${encodeURIComponent(gtm)}` });

    if (document.querySelector('iframe[src*="partytown"]')) {
      window.dispatchEvent(new CustomEvent('ptupdate'));
    } else {
      window.partytown = { lib: pt.lib, forward: pt.forward, debug: pt.debug };
      const loader = document.createElement('script');
      loader.src = `${pt.lib}partytown.js`;
      loader.dataset.analytics = '';
      document.head.append(loader);
    }
  };

  const clearCookies = () => {
    const names = document.cookie
      .split('; ')
      .map((c) => c.slice(0, c.indexOf('=')))
      .filter((name) => prefixes.some((p) => name.startsWith(p)));
    const host = location.hostname;
    // Google sets its cookies on the widest domain it can; try the host and every parent.
    const parts = /^[\d.]+$|:/.test(host) ? [host] : host.split('.').map((_, i, all) => all.slice(i).join('.'));
    const domains = ['', ...parts.flatMap((d) => [`; Domain=${d}`, `; Domain=.${d}`])];
    const segments = location.pathname.split('/').filter(Boolean);
    const paths = ['/', ...segments.map((_, i) => `/${segments.slice(0, i + 1).join('/')}`)];
    for (const name of names) for (const domain of domains) for (const path of paths) document.cookie = `${name}=; Max-Age=0; Path=${path}${domain}`;
  };

  const disable = () => {
    if (ga) flags[`ga-disable-${ga}`] = true;
    if (on) {
      on = false;
      try {
        window.gtag?.('consent', 'update', { analytics_storage: 'denied' });
      } catch {
        // The tag may not have loaded yet; removing it below is what counts.
      }
      // Removing Partytown's sandbox iframe ends the web worker the tag runs in.
      for (const el of document.querySelectorAll('script[data-analytics], script[type^="text/partytown"], iframe[src*="partytown"]')) el.remove();
      navigator.serviceWorker
        ?.getRegistrations()
        .then((regs) => regs.filter((r) => r.scope.includes(pt.lib)).forEach((r) => void r.unregister()))
        .catch(() => undefined);
    }
    clearCookies();
  };

  const apply = (choice: { analytics?: boolean } | undefined) => (choice?.analytics ? enable() : disable());
  window.addEventListener('artivio:consent', (event) => apply((event as CustomEvent<{ analytics?: boolean }>).detail));
  // No valid choice yet (or one under an older policy): analytics is off and leftovers are cleared.
  apply(window.artivioConsent);
}

export {};
