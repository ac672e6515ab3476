/** The "Advanced" disclosure: steps and guidance, with the ranges of the chosen model. */
import { createSignal, Show } from 'solid-js';
import { describedBy, FieldError } from '../shared/FieldError.tsx';
import { modelOf } from './form-values.ts';
import type { FormBinding } from './types.ts';

export function AdvancedFields(props: { form: FormBinding }) {
  const form = props.form;
  const model = () => modelOf(form.values);
  const [toggledOpen, setToggledOpen] = createSignal(false);
  // An error inside keeps the disclosure open so the message is never hidden.
  const open = () => toggledOpen() || Boolean(form.errors.steps || form.errors.guidance);

  return (
    <details class="advanced" open={open()} onToggle={(e) => setToggledOpen(e.currentTarget.open)}>
      <summary>Advanced</summary>
      <p class="hint advanced-hint">More steps add detail but take longer. Higher guidance follows the prompt more literally.</p>
      <div class="field-row">
        <div class="field">
          <label for="gen-steps">Steps</label>
          <input
            id="gen-steps"
            name="steps"
            class="input"
            type="number"
            inputmode="numeric"
            min={model().steps.min}
            max={model().steps.max}
            step={1}
            value={form.values.steps}
            onInput={(e) => form.set('steps', e.currentTarget.value)}
            aria-invalid={form.errors.steps ? 'true' : undefined}
            aria-describedby={describedBy('gen-steps-hint', form.errors.steps && 'gen-steps-error')}
          />
          <p id="gen-steps-hint" class="hint">
            {model().steps.min}–{model().steps.max}, default {model().steps.default}
          </p>
          <FieldError id="gen-steps-error" message={form.errors.steps} />
        </div>

        <Show when={model().guidance}>
          {(guidance) => (
            <div class="field">
              <label for="gen-guidance">Guidance</label>
              <input
                id="gen-guidance"
                name="guidance"
                class="input"
                type="number"
                inputmode="decimal"
                min={guidance().min}
                max={guidance().max}
                step={0.5}
                value={form.values.guidance}
                onInput={(e) => form.set('guidance', e.currentTarget.value)}
                aria-invalid={form.errors.guidance ? 'true' : undefined}
                aria-describedby={describedBy('gen-guidance-hint', form.errors.guidance && 'gen-guidance-error')}
              />
              <p id="gen-guidance-hint" class="hint">
                {guidance().min}–{guidance().max}, default {guidance().default}
              </p>
              <FieldError id="gen-guidance-error" message={form.errors.guidance} />
            </div>
          )}
        </Show>
      </div>
    </details>
  );
}
