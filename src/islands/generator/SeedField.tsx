/** Seed: random by default, or a fixed number to make an image again. Hidden for models that ignore seeds. */
import { Show } from 'solid-js';
import { describedBy, FieldError } from '../shared/FieldError.tsx';
import { MAX_SEED, modelOf } from './form-values.ts';
import type { FormBinding } from './types.ts';

export function SeedField(props: { form: FormBinding }) {
  const form = props.form;
  const model = () => modelOf(form.values);

  return (
    <Show when={model().seed} fallback={<p class="hint seed-note">{model().label} does not take a seed, so every image is new.</p>}>
      <fieldset class="field seed-field">
        <legend class="field-label">Seed</legend>
        <label class="check">
          <input
            type="checkbox"
            name="randomSeed"
            checked={form.values.randomSeed}
            onChange={(e) => form.set('randomSeed', e.currentTarget.checked)}
          />
          Random seed
        </label>
        <Show when={!form.values.randomSeed}>
          <label for="gen-seed" class="visually-hidden">
            Seed number
          </label>
          <input
            id="gen-seed"
            name="seed"
            class="input"
            type="number"
            inputmode="numeric"
            min={0}
            max={MAX_SEED}
            step={1}
            placeholder="e.g. 1234"
            value={form.values.seed}
            onInput={(e) => form.set('seed', e.currentTarget.value)}
            aria-invalid={form.errors.seed ? 'true' : undefined}
            aria-describedby={describedBy('gen-seed-hint', form.errors.seed && 'gen-seed-error')}
          />
          <p id="gen-seed-hint" class="hint">
            The same seed and settings make the same image again.
          </p>
        </Show>
        <FieldError id="gen-seed-error" message={form.errors.seed} />
      </fieldset>
    </Show>
  );
}
