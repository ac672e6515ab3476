/**
 * "Delete my account": the person types the confirmation phrase; the deletion is queued, they
 * are signed out, and they land on the receipt page (/deletion/<receipt id>), which follows
 * the background job step by step. The receipt holds no personal data.
 */
import { createSignal, Show } from 'solid-js';
import { redirectToSignIn, toClientError, trpc } from '../../lib/trpc.ts';
import { DELETION_CONFIRM_PHRASE as CONFIRM_PHRASE, confirmsDeletion } from '../../../server/domain/privacy.ts';

/** The part of Clerk's browser SDK we use; present only on pages built with Clerk. */
interface ClerkSignOut {
  signOut?: () => Promise<unknown>;
}

interface Props {
  identity: 'local' | 'clerk';
}

async function signOut(identity: Props['identity']): Promise<void> {
  // Clears our session cookies and, with Clerk, revokes the session at Clerk.
  await fetch('/api/auth/sign-out', { method: 'POST', headers: { accept: 'application/json' } }).catch(() => undefined);
  // Also resets Clerk's browser SDK, so it stops refreshing a session that no longer exists.
  if (identity === 'clerk') await (window as unknown as { Clerk?: ClerkSignOut }).Clerk?.signOut?.().catch(() => undefined);
}

export default function AccountDeletion(props: Props) {
  const [typed, setTyped] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');

  const matches = () => confirmsDeletion(typed());

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!matches()) return setError(`Type “${CONFIRM_PHRASE}” to confirm.`);
    setBusy(true);
    setError('');
    try {
      const result = await trpc.privacy.requestDeletion.mutate({ confirm: typed() });
      await signOut(props.identity);
      window.location.assign(`/deletion/${encodeURIComponent(result.receipt.id)}`);
    } catch (caught) {
      const e = toClientError(caught);
      if (e.code === 'UNAUTHORIZED') return redirectToSignIn();
      setError(e.message);
      setBusy(false);
    }
  };

  return (
    <section class="pc-section pc-danger" aria-labelledby="pc-delete-title">
      <h3 id="pc-delete-title">Delete my account</h3>
      <form onSubmit={submit} novalidate>
        <p>
          This cancels any subscription, deletes every image and file, every record about you and your sign-in account. It cannot be
          undone. Download your data first if you want to keep it.
        </p>
        <div class="field">
          <label for="pc-confirm">
            Type <strong>{CONFIRM_PHRASE}</strong> to confirm
          </label>
          <input
            id="pc-confirm"
            class="input"
            name="confirm"
            autocomplete="off"
            spellcheck={false}
            value={typed()}
            onInput={(e) => setTyped(e.currentTarget.value)}
            aria-invalid={error() ? 'true' : undefined}
            aria-describedby={error() ? 'pc-confirm-error' : undefined}
          />
          <Show when={error()}>
            <p id="pc-confirm-error" class="field-error" role="alert">
              {error()}
            </p>
          </Show>
        </div>
        <button type="submit" class="btn btn-danger" disabled={busy() || !matches()} aria-busy={busy()}>
          {busy() ? 'Deleting…' : 'Delete my account'}
        </button>
      </form>
    </section>
  );
}
