/** A confirmation for something that cannot be undone. "Cancel" has focus first, so Enter never deletes by accident. */
import { Show, type JSX } from 'solid-js';
import { Modal } from '../shared/Modal.tsx';

interface Props {
  open: boolean;
  title: string;
  children: JSX.Element;
  confirmLabel: string;
  busyLabel: string;
  busy: boolean;
  error: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog(props: Props) {
  return (
    <Modal open={props.open} onClose={props.onCancel} labelledBy="confirm-title" role="alertdialog" class="confirm" locked={props.busy}>
      <h2 id="confirm-title" class="modal-title">
        {props.title}
      </h2>
      <div class="confirm-body">{props.children}</div>
      <div role="alert">
        <Show when={props.error}>
          <p class="notice notice-error">{props.error}</p>
        </Show>
      </div>
      <div class="modal-actions">
        <button type="button" class="btn" onClick={() => props.onCancel()} autofocus disabled={props.busy}>
          Cancel
        </button>
        <button type="button" class="btn btn-danger" onClick={() => props.onConfirm()} disabled={props.busy}>
          {props.busy ? props.busyLabel : props.confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
