/**
 * A deletion receipt that follows the background job until every step is done. It holds no
 * personal data, so it is shown to anyone with the receipt number (the person is signed out).
 */
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import { trpc } from '../../lib/trpc.ts';
import type { ReceiptView } from '../../../server/trpc/privacy-dto.ts';
import { StepList } from './StepList.tsx';
import { pause } from './format.ts';

const LABELS: Record<string, string> = {
  billing: 'Subscription cancelled and billing customer removed',
  storage: 'Stored images and files deleted',
  images: 'Image records',
  usage: 'Usage records',
  events: 'Payment and sign-in event records',
  privacyRequests: 'Data download requests',
  consents: 'Cookie choice records',
  user: 'Account record',
  auth: 'Sign-in account',
  sweep: 'Final check for anything left',
};

const POLL_MS = 2000;

interface Props {
  receipt: ReceiptView;
}

export default function DeletionReceipt(props: Props) {
  const [receipt, setReceipt] = createSignal(props.receipt);
  const stop = new AbortController();
  onCleanup(() => stop.abort());

  onMount(async () => {
    while (receipt().state !== 'done' && !stop.signal.aborted) {
      await pause(POLL_MS, stop.signal);
      if (stop.signal.aborted) break;
      try {
        setReceipt(await trpc.privacy.receipt.query({ id: props.receipt.id }));
      } catch {
        // A blip while following changes nothing; the job carries on server-side.
      }
    }
  });

  return (
    <div class="pc-receipt-view">
      <p role="status">
        <strong>{receipt().state === 'done' ? 'Everything is deleted.' : 'Deleting… this page updates by itself.'}</strong>
      </p>
      <StepList steps={receipt().steps} labels={LABELS} countLabel={(s) => (s.count === null ? null : `${s.count} removed`)} />
      <Show when={receipt().state === 'retrying'}>
        <p class="muted">A service did not answer; we keep retrying automatically until everything is deleted. You can close this page.</p>
      </Show>
    </div>
  );
}
