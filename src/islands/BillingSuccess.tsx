/**
 * /billing/success after Checkout: "Payment processing…" until the plan has changed. Stripe's
 * webhook normally lands first; `billing.confirm` also asks Stripe directly, so a late webhook
 * does not keep the person waiting.
 */
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import type { BillingStatus } from '../../server/services/billing.ts';
import { announceUsageChanged, redirectToSignIn, toClientError, trpc } from '../lib/trpc.ts';

interface Props {
  /** Stripe's Checkout Session id from the success URL; null for local test billing. */
  sessionId: string | null;
  initial: BillingStatus;
}

/** Waits between checks: quick at first, then slower; about three minutes in all. */
const DELAYS_MS = [800, 1200, 1500, 2000, 3000, 4000, 5000, 5000, 8000, 10_000, 10_000, 15_000, 15_000, 20_000, 30_000, 30_000, 30_000];
/** After this many checks the page says it is taking longer than usual (and keeps checking). */
const SLOW_AFTER = 8;

const upgraded = (s: BillingStatus) => s.plan !== 'free';

export default function BillingSuccess(props: Props) {
  const [status, setStatus] = createSignal(props.initial);
  const [slow, setSlow] = createSignal(false);
  const [failure, setFailure] = createSignal<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;

  const check = async (attempt: number) => {
    try {
      const next = props.sessionId ? await trpc.billing.confirm.mutate({ sessionId: props.sessionId }) : await trpc.billing.status.query();
      setStatus(next);
      if (upgraded(next)) return announceUsageChanged();
    } catch (error) {
      const problem = toClientError(error);
      if (problem.code === 'UNAUTHORIZED') return redirectToSignIn();
      // A session that is not this person's will not become theirs by waiting.
      if (problem.code === 'NOT_FOUND') return setFailure(problem.message);
    }
    if (attempt >= SLOW_AFTER) setSlow(true);
    const delay = DELAYS_MS[attempt];
    if (delay !== undefined) timer = setTimeout(() => void check(attempt + 1), delay);
  };

  onMount(() => {
    if (!upgraded(props.initial)) timer = setTimeout(() => void check(0), DELAYS_MS[0]);
  });
  onCleanup(() => clearTimeout(timer));

  return (
    <div class="billing-success" aria-live="polite">
      <Show
        when={upgraded(status())}
        fallback={
          <Show when={!failure()} fallback={<p class="notice notice-error" role="alert">{failure()}</p>}>
            <p class="processing">
              <span class="spinner" aria-hidden="true" /> Payment processing…
            </p>
            <Show when={slow()}>
              <p class="muted">
                This is taking longer than usual. You can leave this page: your plan changes as soon as the payment is confirmed, and you
                will see it on your account page.
              </p>
            </Show>
          </Show>
        }
      >
        <p class="done" data-testid="billing-confirmed">
          You are on <strong>{status().planName}</strong> now: {status().monthlyLimit.toLocaleString('en')} images a month.
        </p>
        <p>
          <a class="btn btn-primary" href="/generate">
            Start creating
          </a>{' '}
          <a class="btn" href="/account">
            Your account
          </a>
        </p>
      </Show>
    </div>
  );
}
