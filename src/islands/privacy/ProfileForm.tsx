/** Edits the display name and the marketing email choice (`account.update`). */
import { createSignal, Show } from 'solid-js';
import { redirectToSignIn, toClientError, trpc } from '../../lib/trpc.ts';

interface Props {
  name: string;
  marketingOptIn: boolean;
}

export default function ProfileForm(props: Props) {
  const [name, setName] = createSignal(props.name);
  const [marketing, setMarketing] = createSignal(props.marketingOptIn);
  const [busy, setBusy] = createSignal(false);
  const [status, setStatus] = createSignal('');
  const [error, setError] = createSignal<{ message: string; field: string | null } | null>(null);
  let nameInput!: HTMLInputElement;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setStatus('');
    setError(null);
    try {
      const saved = await trpc.account.update.mutate({ name: name(), marketingOptIn: marketing() });
      setName(saved.name);
      setMarketing(saved.marketingOptIn);
      setStatus('Saved.');
    } catch (caught) {
      const e = toClientError(caught);
      if (e.code === 'UNAUTHORIZED') return redirectToSignIn();
      setError({ message: e.message, field: e.field });
      if (e.field === 'name') nameInput.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="pc-profile" onSubmit={submit} novalidate>
      <div class="field">
        <label for="pc-name">Display name</label>
        <input
          ref={nameInput}
          id="pc-name"
          class="input"
          name="name"
          autocomplete="nickname"
          maxlength="80"
          required
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
          aria-invalid={error()?.field === 'name' ? 'true' : undefined}
          aria-describedby={error()?.field === 'name' ? 'pc-name-error' : undefined}
        />
        <Show when={error()?.field === 'name'}>
          <p id="pc-name-error" class="field-error">
            {error()!.message}
          </p>
        </Show>
      </div>
      <div class="pc-check">
        <input
          id="pc-marketing"
          type="checkbox"
          name="marketingOptIn"
          checked={marketing()}
          onChange={(e) => setMarketing(e.currentTarget.checked)}
        />
        <label for="pc-marketing">Email me now and then about new models and features</label>
      </div>
      <p class="hint">Off unless you switch it on. Emails about your account and payments are sent either way.</p>
      <Show when={error() && error()!.field !== 'name'}>
        <p class="notice notice-error" role="alert">
          {error()!.message}
        </p>
      </Show>
      <div class="pc-row">
        <button type="submit" class="btn btn-primary" disabled={busy()} aria-busy={busy()}>
          {busy() ? 'Saving…' : 'Save profile'}
        </button>
        <p class="pc-status" role="status">
          {status()}
        </p>
      </div>
    </form>
  );
}
