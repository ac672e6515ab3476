/**
 * "Continue to payment" for a paid plan: asks the server where to pay (`billing.checkout`:
 * Stripe Checkout, the Customer Portal when already subscribed, or local test billing) and goes there.
 */
import { createSignal, Show } from 'solid-js';
import type { PaidPlanId } from '../../server/domain/subscription.ts';
import { redirectToSignIn, toClientError, trpc } from '../lib/trpc.ts';

interface Props {
  plan: PaidPlanId;
  label: string;
}

export default function CheckoutButton(props: Props) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const { url } = await trpc.billing.checkout.mutate({ plan: props.plan });
      window.location.assign(url);
    } catch (failure) {
      const problem = toClientError(failure);
      if (problem.code === 'UNAUTHORIZED') return redirectToSignIn();
      setError(problem.message);
      setBusy(false);
    }
  };

  return (
    <div class="checkout">
      <button type="button" class="btn btn-primary" disabled={busy()} onClick={() => void start()}>
        {busy() ? 'Opening payment…' : props.label}
      </button>
      <div role="alert">
        <Show when={error()}>
          <p class="field-error checkout-error">{error()}</p>
        </Show>
      </div>
    </div>
  );
}
