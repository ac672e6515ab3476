/**
 * Test billing (no Stripe keys): buy, switch, cancel or resume a plan without paying. Each
 * button calls a billing mutation that builds the events Stripe would send and applies them
 * through the same code as real webhooks.
 */
import { createSignal, For, Show } from 'solid-js';
import type { BillingStatus } from '../../server/services/billing.ts';
import type { PaidPlanId } from '../../server/domain/subscription.ts';
import { announceUsageChanged, redirectToSignIn, toClientError, trpc } from '../lib/trpc.ts';
import { planSentence, renewalSentence } from '../lib/billing-text.ts';

export interface PaidPlanSummary {
  id: PaidPlanId;
  name: string;
  price: string;
  monthlyImages: number;
}

interface Props {
  /** The plan the person came to buy (from ?plan=), if any. */
  plan: PaidPlanId | null;
  plans: PaidPlanSummary[];
  initial: BillingStatus;
}

export default function LocalBilling(props: Props) {
  const [status, setStatus] = createSignal(props.initial);
  const [busy, setBusy] = createSignal(false);
  const [message, setMessage] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);

  const subscribed = () => status().plan !== 'free';
  const scheduled = () => status().subscription?.cancelAtPeriodEnd === true;

  const act = async (run: () => Promise<BillingStatus>, done: (s: BillingStatus) => string | null) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const next = await run();
      setStatus(next);
      announceUsageChanged();
      const note = done(next);
      if (note) setMessage(note);
      else window.location.assign('/billing/success');
    } catch (failure) {
      const problem = toClientError(failure);
      if (problem.code === 'UNAUTHORIZED') return redirectToSignIn();
      setError(problem.message);
    } finally {
      setBusy(false);
    }
  };

  /** A first purchase goes on to the success page; a switch or a resumption is confirmed here. */
  const buy = (plan: PaidPlanId) => {
    const switching = subscribed();
    return act(
      () => trpc.billing.localCheckout.mutate({ plan }),
      (next) => (switching ? `Done. ${planSentence(next)}.` : null),
    );
  };
  const cancel = (atPeriodEnd: boolean) =>
    act(
      () => trpc.billing.localCancel.mutate({ atPeriodEnd }),
      (next) => (atPeriodEnd ? renewalSentence(next) : `Cancelled. ${planSentence(next)}.`),
    );

  const offered = () => props.plans.filter((p) => p.id !== status().plan || scheduled());

  return (
    <div class="local-billing">
      <p class="current">
        You are on <strong>{status().planName}</strong> ({status().monthlyLimit.toLocaleString('en')} images a month).
        <Show when={renewalSentence(status())}>{(sentence) => <> {sentence()}</>}</Show>
      </p>

      <div class="offers">
        <For each={offered()}>
          {(plan) => (
            <div class="offer card" classList={{ chosen: plan.id === props.plan }}>
              <p class="offer-name">
                <strong>{plan.name}</strong> · {plan.price} a month · {plan.monthlyImages.toLocaleString('en')} images a month
              </p>
              <button
                type="button"
                class="btn"
                classList={{ 'btn-primary': plan.id === props.plan }}
                disabled={busy()}
                onClick={() => void buy(plan.id)}
              >
                {plan.id === status().plan
                  ? `Resume ${plan.name}`
                  : subscribed()
                    ? `Switch to ${plan.name}`
                    : `Confirm test purchase of ${plan.name}`}
              </button>
            </div>
          )}
        </For>
      </div>

      <Show when={subscribed()}>
        <div class="cancel">
          <Show when={!scheduled()}>
            <button type="button" class="btn" disabled={busy()} onClick={() => void cancel(true)}>
              Cancel at the end of the period
            </button>
          </Show>
          <button type="button" class="btn btn-danger" disabled={busy()} onClick={() => void cancel(false)}>
            Cancel now and return to Free
          </button>
        </div>
      </Show>

      <div role="status" aria-live="polite">
        <Show when={message()}>
          <p class="notice">{message()}</p>
        </Show>
      </div>
      <div role="alert">
        <Show when={error()}>
          <p class="notice notice-error">{error()}</p>
        </Show>
      </div>
    </div>
  );
}
