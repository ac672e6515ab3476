/** The prompt (with a character counter) and, when the model takes one, the negative prompt. */
import { onMount, Show } from 'solid-js';
import { describedBy, FieldError } from '../shared/FieldError.tsx';
import { MAX_NEGATIVE_PROMPT_LENGTH, MAX_PROMPT_LENGTH, modelOf } from './form-values.ts';
import type { FormBinding } from './types.ts';

/**
 * Solid renders a textarea's `value` as an attribute on the server, which browsers ignore, and
 * does not set it again while hydrating; so a prefilled value is put in place on mount.
 */
function keepValue(read: () => string) {
  return (el: HTMLTextAreaElement) =>
    onMount(() => {
      if (el.value !== read()) el.value = read();
    });
}

export function PromptFields(props: { form: FormBinding }) {
  const form = props.form;
  const promptLength = () => form.values.prompt.length;
  const nearLimit = () => promptLength() > MAX_PROMPT_LENGTH * 0.9;

  return (
    <>
      <div class="field">
        <label for="gen-prompt">Prompt</label>
        <textarea
          id="gen-prompt"
          ref={keepValue(() => form.values.prompt)}
          name="prompt"
          class="textarea prompt-input"
          rows={4}
          maxLength={MAX_PROMPT_LENGTH}
          required
          placeholder="A lighthouse on a sea cliff at dawn, soft mist, warm light"
          value={form.values.prompt}
          onInput={(e) => form.set('prompt', e.currentTarget.value)}
          aria-invalid={form.errors.prompt ? 'true' : undefined}
          aria-describedby={describedBy('gen-prompt-count', form.errors.prompt && 'gen-prompt-error')}
        />
        <div class="field-foot">
          <FieldError id="gen-prompt-error" message={form.errors.prompt} />
          <p id="gen-prompt-count" class="hint counter" classList={{ 'counter-near': nearLimit() }}>
            {promptLength()} / {MAX_PROMPT_LENGTH}
            <span class="visually-hidden"> characters</span>
          </p>
        </div>
      </div>

      <Show when={modelOf(form.values).negativePrompt}>
        <div class="field">
          <label for="gen-negative">
            Negative prompt <span class="optional">optional</span>
          </label>
          <textarea
            id="gen-negative"
            ref={keepValue(() => form.values.negativePrompt)}
            name="negativePrompt"
            class="textarea"
            rows={2}
            maxLength={MAX_NEGATIVE_PROMPT_LENGTH}
            placeholder="What to leave out, e.g. blurry, text, watermark"
            value={form.values.negativePrompt}
            onInput={(e) => form.set('negativePrompt', e.currentTarget.value)}
            aria-invalid={form.errors.negativePrompt ? 'true' : undefined}
            aria-describedby={describedBy(form.errors.negativePrompt && 'gen-negative-error')}
          />
          <FieldError id="gen-negative-error" message={form.errors.negativePrompt} />
        </div>
      </Show>
    </>
  );
}
