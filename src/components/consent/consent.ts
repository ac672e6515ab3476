/**
 * Drives the consent banner and settings dialog rendered by ConsentBanner.astro. No framework:
 * it must fit each page's JavaScript budget. The choice lives in a first-party cookie; every
 * decision is also sent to `consent.record`, which stores it for signed-in people and ignores
 * the rest. Other scripts learn the choice from `window.artivioConsent` and the
 * `artivio:consent` event (analytics.ts loads or removes the Google tag on it).
 */
type Category = 'analytics' | 'performance' | 'preferences';
type Choice = Record<Category, boolean>;
type Source = 'banner' | 'settings' | 'gpc';

declare global {
  interface Navigator {
    globalPrivacyControl?: boolean;
  }
  interface Window {
    artivioConsent?: Choice;
  }
}

const CATEGORIES: Category[] = ['analytics', 'performance', 'preferences'];
const banner = document.getElementById('consent-banner');
const dialog = document.getElementById('consent-dialog');

if (banner && dialog instanceof HTMLDialogElement) {
  const { version = '', cookie: cookieName = 'artivio_consent', maxAge = '31536000' } = banner.dataset;
  const gpc = navigator.globalPrivacyControl === true || banner.dataset.gpc === '1';
  let opener: Element | null = null;

  const read = (): Choice | null => {
    const raw = document.cookie.split('; ').find((c) => c.startsWith(`${cookieName}=`));
    if (!raw) return null;
    const params = new URLSearchParams(decodeURIComponent(raw.slice(cookieName.length + 1)));
    // A choice made under another policy version does not count: ask again.
    if (params.get('v') !== version) return null;
    const choice = {} as Choice;
    for (const c of CATEGORIES) choice[c] = params.get(c) === '1';
    return choice;
  };

  const announce = (choice: Choice) => {
    window.artivioConsent = choice;
    window.dispatchEvent(new CustomEvent('artivio:consent', { detail: choice }));
  };

  const save = (choice: Choice, source: Source) => {
    const params = new URLSearchParams({ v: version, t: new Date().toISOString() });
    for (const c of CATEGORIES) params.set(c, choice[c] ? '1' : '0');
    document.cookie = `${cookieName}=${encodeURIComponent(params.toString())}; Path=/; Max-Age=${maxAge}; SameSite=Lax${location.protocol === 'https:' ? '; Secure' : ''}`;
    announce(choice);
    // Stored only for signed-in people; a failure changes nothing for the visitor.
    fetch('/api/trpc/consent.record', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ categories: choice, policyVersion: version, source }),
      keepalive: true,
    }).catch(() => undefined);
    if (banner.contains(document.activeElement)) document.getElementById('main')?.focus();
    banner.hidden = true;
  };

  const all = (on: boolean): Choice => ({ analytics: on && !gpc, performance: on, preferences: on });
  const boxes = () => [...dialog.querySelectorAll<HTMLInputElement>('input[data-consent-category]')];

  const openSettings = () => {
    opener = document.activeElement;
    const current = read() ?? all(false);
    for (const box of boxes()) box.checked = current[box.dataset.consentCategory as Category];
    dialog.showModal();
  };

  const closeSettings = () => dialog.close();

  // The browser keeps focus inside the modal and closes it on Escape; focus goes back to what opened it.
  dialog.addEventListener('close', () => {
    const back = opener instanceof HTMLElement && opener.isConnected && !opener.closest('[hidden]') ? opener : document.getElementById('main');
    back?.focus();
    opener = null;
  });

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest('[data-cookie-settings]')) return openSettings();
    const action = target?.closest<HTMLElement>('[data-consent-action]')?.dataset.consentAction;
    if (!action) return;
    const inDialog = dialog.contains(target);
    if (action === 'customise') return openSettings();
    if (action === 'close') return closeSettings();
    if (action === 'accept' || action === 'reject') {
      save(all(action === 'accept'), action === 'accept' && gpc ? 'gpc' : inDialog ? 'settings' : 'banner');
      if (inDialog) closeSettings();
      return;
    }
    if (action === 'save') {
      event.preventDefault();
      const choice = all(false);
      for (const box of boxes()) choice[box.dataset.consentCategory as Category] = box.checked;
      save(choice, 'settings');
      closeSettings();
    }
  });

  // The banner is fixed to the bottom; keep the end of the page (the footer) scrollable into view above it.
  new ResizeObserver(() => document.body.style.setProperty('padding-bottom', banner.hidden ? '' : `${banner.offsetHeight}px`)).observe(banner);

  if (gpc) for (const note of document.querySelectorAll<HTMLElement>('[data-gpc-note]')) note.hidden = false;
  const stored = read();
  if (stored) announce(stored);
  else banner.hidden = false;
}

export {};
