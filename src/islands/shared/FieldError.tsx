/** An inline error under a form field. Its id goes into the field's `aria-describedby`. */
import { Show } from 'solid-js';

export function FieldError(props: { id: string; message: string | undefined }) {
  return (
    <Show when={props.message}>
      <p id={props.id} class="field-error">
        {props.message}
      </p>
    </Show>
  );
}

/** Joins the ids that apply into an `aria-describedby` value (undefined when none do). */
export function describedBy(...ids: Array<string | false | null | undefined>): string | undefined {
  const list = ids.filter((id): id is string => typeof id === 'string' && id.length > 0);
  return list.length > 0 ? list.join(' ') : undefined;
}
