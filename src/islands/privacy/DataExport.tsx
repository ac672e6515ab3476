/**
 * "Download my data": asks for an export, follows it step by step while the job runs, then
 * offers the owner-only link until it expires.
 */
import { createSignal, Match, onCleanup, onMount, Show, Switch } from 'solid-js';
import { redirectToSignIn, toClientError, trpc } from '../../lib/trpc.ts';
import type { ExportView } from '../../../server/trpc/privacy-dto.ts';
import { StepList } from './StepList.tsx';
import { formatBytes, formatDateTime, pause } from './format.ts';

const LABELS: Record<string, string> = {
  profile: 'Account, usage, billing and consent records',
  files: 'Your original images',
  images: 'Prompts and settings of every image',
  archive: 'ZIP archive ready',
};

const POLL_MS = 2000;
const inProgress = (view: ExportView | null) => view !== null && (view.state === 'queued' || view.state === 'running' || view.state === 'retrying');

export default function DataExport() {
  const [view, setView] = createSignal<ExportView | null>(null);
  const [loaded, setLoaded] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const stop = new AbortController();
  onCleanup(() => stop.abort());

  const handle = (caught: unknown) => {
    const e = toClientError(caught);
    if (e.code === 'UNAUTHORIZED') return redirectToSignIn();
    setError(e.message);
  };

  // Follows the job until it ends; one loop at a time.
  let following = false;
  const follow = async () => {
    if (following) return;
    following = true;
    try {
      while (inProgress(view()) && !stop.signal.aborted) {
        await pause(POLL_MS, stop.signal);
        if (stop.signal.aborted) break;
        setView((await trpc.privacy.status.query()).export);
      }
    } catch (caught) {
      handle(caught);
    } finally {
      following = false;
    }
  };

  onMount(async () => {
    try {
      setView((await trpc.privacy.status.query()).export);
      void follow();
    } catch (caught) {
      handle(caught);
    } finally {
      setLoaded(true);
    }
  });

  const request = async () => {
    setBusy(true);
    setError('');
    try {
      setView(await trpc.privacy.requestExport.mutate());
      void follow();
    } catch (caught) {
      handle(caught);
    } finally {
      setBusy(false);
    }
  };

  const countLabel = (step: { id: string; count: number | null }) =>
    step.count === null
      ? null
      : step.id === 'archive'
        ? formatBytes(step.count)
        : step.id === 'profile'
          ? null
          : `${step.count} ${step.count === 1 ? 'image' : 'images'}`;

  return (
    <section class="pc-section" aria-labelledby="pc-export-title">
      <h3 id="pc-export-title">Download my data</h3>
      <p>
        One ZIP file with your account details, every image you made with its prompt and settings, your monthly usage, your plan and your cookie
        choices. It is prepared in the background; you can leave this page and come back.
      </p>
      <Show when={loaded()} fallback={<p class="muted">Checking for an earlier download…</p>}>
        <Switch>
          <Match when={inProgress(view())}>
            <div class="pc-progress" role="status">
              <p>
                <strong>{view()!.state === 'retrying' ? 'Preparing your download (retrying after a hiccup)…' : 'Preparing your download…'}</strong>
              </p>
              <StepList steps={view()!.steps} labels={LABELS} countLabel={countLabel} />
            </div>
          </Match>
          <Match when={view()?.state === 'done' && view()!.downloadUrl}>
            <div class="pc-ready" role="status">
              <p>
                <strong>Your download is ready.</strong> Only you can use this link, until {formatDateTime(view()!.expiresAt!)}; after that the file
                is deleted.
              </p>
              <p>
                <a class="btn btn-primary" href={view()!.downloadUrl!} download="">
                  Download ZIP{view()!.bytes ? ` (${formatBytes(view()!.bytes!)})` : ''}
                </a>
              </p>
            </div>
          </Match>
          <Match when={view()?.state === 'failed'}>
            <p class="notice notice-error">{view()!.message ?? 'We could not prepare your download.'} </p>
          </Match>
          <Match when={view()?.state === 'expired'}>
            <p class="muted">Your last download expired and was deleted. Ask for a new one below.</p>
          </Match>
        </Switch>
        <Show when={!inProgress(view())}>
          <button type="button" class="btn" onClick={() => void request()} disabled={busy()} aria-busy={busy()}>
            {view()?.state === 'done' ? 'Prepare a fresh download' : 'Prepare my download'}
          </button>
        </Show>
      </Show>
      <Show when={error()}>
        <p class="notice notice-error" role="alert">
          {error()}
        </p>
      </Show>
    </section>
  );
}
