/**
 * The usage meter on /generate, /gallery and /account: images used of the plan's monthly
 * limit, the plan name and when the count resets. Refreshes on `artivio:usage-changed`.
 */
import '../styles/usage-meter.css';
import { createSignal, Match, onCleanup, onMount, Switch } from 'solid-js';
import { redirectToSignIn, toClientError, trpc, USAGE_CHANGED_EVENT, type UsageSummary } from '../lib/trpc.ts';

const resetFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const countFormat = new Intl.NumberFormat('en');

export default function UsageMeter() {
  const [usage, setUsage] = createSignal<UsageSummary | null>(null);
  const [failed, setFailed] = createSignal(false);

  const load = async () => {
    try {
      setUsage(await trpc.usage.current.query());
      setFailed(false);
    } catch (error) {
      if (toClientError(error).code === 'UNAUTHORIZED') return redirectToSignIn();
      setFailed(true);
    }
  };

  onMount(() => {
    void load();
    const refresh = () => void load();
    window.addEventListener(USAGE_CHANGED_EVENT, refresh);
    onCleanup(() => window.removeEventListener(USAGE_CHANGED_EVENT, refresh));
  });

  const percent = (u: UsageSummary) => (u.limit > 0 ? Math.min(100, Math.round((u.used / u.limit) * 100)) : 100);
  const level = (u: UsageSummary) => (u.used >= u.limit ? 'full' : percent(u) >= 80 ? 'high' : 'ok');

  return (
    <section class="usage-meter" aria-label="Monthly usage">
      <Switch
        fallback={
          // Same lines as the loaded meter, text hidden, so the box keeps its size when the numbers arrive.
          <>
            <span class="visually-hidden">Loading your usage…</span>
            <p class="usage-line usage-loading" aria-hidden="true">
              <span>00 of 25 images this month</span>
              <span class="usage-plan">Free plan</span>
            </p>
            <div class="usage-bar" aria-hidden="true" />
            <p class="usage-foot usage-loading" aria-hidden="true">
              <span>Resets 1 Jan, 00:00 UTC</span>
            </p>
          </>
        }
      >
        <Match when={usage()}>
          {(u) => (
            <>
              <p class="usage-line">
                <span>
                  <strong>{countFormat.format(u().used)}</strong> of {countFormat.format(u().limit)} images this month
                </span>
                <span class="usage-plan">{u().planName} plan</span>
              </p>
              <div
                class="usage-bar"
                data-level={level(u())}
                role="meter"
                aria-label="Images used this month"
                aria-valuemin={0}
                aria-valuemax={u().limit}
                aria-valuenow={Math.min(u().used, u().limit)}
                aria-valuetext={`${u().used} of ${u().limit}`}
              >
                <span style={{ width: `${percent(u())}%` }} />
              </div>
              <p class="usage-foot">
                Resets {resetFormat.format(new Date(u().periodEnd))}, 00:00 UTC
                {level(u()) === 'ok' ? null : (
                  <>
                    {' · '}
                    <a href="/pricing">{level(u()) === 'full' ? 'Upgrade' : 'See plans'}</a>
                  </>
                )}
              </p>
            </>
          )}
        </Match>
        <Match when={failed()}>
          <p class="usage-line">Your usage could not be loaded right now.</p>
          <div class="usage-bar" aria-hidden="true" />
          <p class="usage-foot">
            <button type="button" class="btn btn-sm btn-ghost" onClick={() => void load()}>
              Try again
            </button>
          </p>
        </Match>
      </Switch>
    </section>
  );
}
