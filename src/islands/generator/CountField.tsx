/** Number of images per prompt, 1–4, as a row of radio buttons. */
import { For } from 'solid-js';
import { describedBy, FieldError } from '../shared/FieldError.tsx';
import { MAX_COUNT } from './form-values.ts';
import type { FormBinding } from './types.ts';

const COUNTS = Array.from({ length: MAX_COUNT }, (_, i) => i + 1);

export function CountField(props: { form: FormBinding }) {
  const form = props.form;
  return (
    <fieldset class="field segmented-field" aria-describedby={describedBy(form.errors.count && 'gen-count-error')}>
      <legend class="field-label">Number of images</legend>
      <div class="segmented">
        <For each={COUNTS}>
          {(count) => (
            <label class="segment">
              <input
                id={`gen-count-${count}`}
                type="radio"
                name="count"
                value={count}
                checked={form.values.count === count}
                onChange={() => form.set('count', count)}
              />
              <span>{count}</span>
            </label>
          )}
        </For>
      </div>
      <FieldError id="gen-count-error" message={form.errors.count} />
    </fieldset>
  );
}
