/** Model, size and style: the size list shows only what the chosen model allows. */
import { For } from 'solid-js';
import { MODELS } from '../../../server/domain/models.ts';
import { STYLE_IDS, STYLES } from '../../../server/domain/styles.ts';
import { describedBy, FieldError } from '../shared/FieldError.tsx';
import { isStyleId, modelOf, sizeKey } from './form-values.ts';
import type { FormBinding } from './types.ts';

export function ModelFields(props: { form: FormBinding; onModelChange: (id: string) => void }) {
  const form = props.form;
  const model = () => modelOf(form.values);

  return (
    <>
      <div class="field">
        <label for="gen-model">Model</label>
        <select
          id="gen-model"
          name="model"
          class="select"
          onChange={(e) => props.onModelChange(e.currentTarget.value)}
          aria-invalid={form.errors.model ? 'true' : undefined}
          aria-describedby={describedBy('gen-model-hint', form.errors.model && 'gen-model-error')}
        >
          <For each={MODELS}>
            {(option) => (
              <option value={option.id} selected={option.id === form.values.model}>
                {option.label}
              </option>
            )}
          </For>
        </select>
        <p id="gen-model-hint" class="hint">
          {model().description}
        </p>
        <FieldError id="gen-model-error" message={form.errors.model} />
      </div>

      <div class="field">
        <label for="gen-size">Size</label>
        <select
          id="gen-size"
          name="size"
          class="select"
          onChange={(e) => form.set('size', e.currentTarget.value)}
          aria-invalid={form.errors.size ? 'true' : undefined}
          aria-describedby={describedBy(form.errors.size && 'gen-size-error')}
        >
          <For each={model().sizes}>
            {(size) => {
              const key = sizeKey(size.width, size.height);
              return (
                <option value={key} selected={key === form.values.size}>
                  {size.label} · {size.width}×{size.height}
                </option>
              );
            }}
          </For>
        </select>
        <FieldError id="gen-size-error" message={form.errors.size} />
      </div>

      <div class="field">
        <label for="gen-style">Style</label>
        <select
          id="gen-style"
          name="style"
          class="select"
          onChange={(e) => {
            const value = e.currentTarget.value;
            if (isStyleId(value)) form.set('style', value);
          }}
          aria-invalid={form.errors.style ? 'true' : undefined}
          aria-describedby={describedBy(form.errors.style && 'gen-style-error')}
        >
          <For each={STYLE_IDS}>
            {(id) => (
              <option value={id} selected={id === form.values.style}>
                {STYLES[id].label}
              </option>
            )}
          </For>
        </select>
        <FieldError id="gen-style-error" message={form.errors.style} />
      </div>
    </>
  );
}
