/**
 * A modal dialog on the native <dialog> element: the browser makes the rest of the page
 * inert, keeps focus inside and closes on Escape. Clicking the backdrop closes it too.
 * Focus goes back to whatever opened it, when that is still on the page.
 */
import '../../styles/modal.css';
import { createEffect, type JSX } from 'solid-js';

interface Props {
  open: boolean;
  /** Called however the dialog closes (Escape, backdrop, a close button calling it). */
  onClose: () => void;
  /** Id of the heading that names the dialog. */
  labelledBy: string;
  class?: string;
  /** Role for confirmations that interrupt (`alertdialog`). @default 'dialog' */
  role?: 'dialog' | 'alertdialog';
  /** While true, Escape and backdrop clicks do nothing (e.g. during a delete). @default false */
  locked?: boolean;
  children: JSX.Element;
}

export function Modal(props: Props) {
  let dialog!: HTMLDialogElement;
  let opener: Element | null = null;

  createEffect(() => {
    if (props.open && !dialog.open) {
      opener = document.activeElement;
      dialog.showModal();
    } else if (!props.open && dialog.open) {
      dialog.close();
    }
  });

  const handleClose = () => {
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    opener = null;
    props.onClose();
  };

  return (
    <dialog
      ref={dialog}
      class={`modal ${props.class ?? ''}`}
      role={props.role === 'alertdialog' ? 'alertdialog' : undefined}
      aria-labelledby={props.labelledBy}
      aria-modal="true"
      onClose={handleClose}
      onCancel={(event) => {
        if (props.locked) event.preventDefault();
      }}
      onClick={(event) => {
        // A click whose target is the <dialog> itself landed on the backdrop, outside the inner panel.
        if (event.target === dialog && !props.locked) dialog.close();
      }}
    >
      <div class="modal-panel">{props.children}</div>
    </dialog>
  );
}
