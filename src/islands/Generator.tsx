/**
 * The image generator island on /generate: the form, progress while the model works, the
 * results, and errors (inline next to the field they are about, or at the top). Prefilled
 * from the page's query string, which is how the gallery's "Use these settings" works.
 */
import '../styles/generator.css';
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { findModel } from '../../server/domain/models.ts';
import { announceUsageChanged, redirectToSignIn, toClientError, trpc, USAGE_CHANGED_EVENT, type ImageDTO } from '../lib/trpc.ts';
import { AdvancedFields } from './generator/AdvancedFields.tsx';
import { CountField } from './generator/CountField.tsx';
import { EmptyResults } from './generator/EmptyResults.tsx';
import {
  fieldForKey,
  formFieldFor,
  modelOf,
  switchModel,
  toRequest,
  valuesFromQuery,
  type FieldErrors,
  type FieldName,
  type FormValues,
} from './generator/form-values.ts';
import { ModelFields } from './generator/ModelFields.tsx';
import { ProgressTiles } from './generator/ProgressTiles.tsx';
import { PromptFields } from './generator/PromptFields.tsx';
import { ResultTiles } from './generator/ResultTiles.tsx';
import { SeedField } from './generator/SeedField.tsx';
import type { FormBinding } from './generator/types.ts';

interface Props {
  /** The page's query string (`?prompt=…&model=…`), read on the server so the first render is already prefilled. */
  search: string;
}

/** The element to focus for each field's error. */
const FIELD_IDS: Record<FieldName, string> = {
  prompt: 'gen-prompt',
  negativePrompt: 'gen-negative',
  model: 'gen-model',
  size: 'gen-size',
  style: 'gen-style',
  count: 'gen-count-1',
  seed: 'gen-seed',
  steps: 'gen-steps',
  guidance: 'gen-guidance',
};

interface Pending {
  count: number;
  width: number;
  height: number;
}

const FIELD_ORDER: FieldName[] = ['prompt', 'negativePrompt', 'model', 'size', 'style', 'count', 'seed', 'steps', 'guidance'];

function focusFirstError(errors: FieldErrors): void {
  const first = FIELD_ORDER.find((name) => errors[name]);
  if (!first) return;
  // Wait a frame: the field may only now be rendered (seed input, opened "Advanced").
  requestAnimationFrame(() => document.getElementById(FIELD_IDS[first])?.focus());
}

/** Brings the results into view when they are off-screen (a long form on a short or narrow screen). */
function revealResults(section: HTMLElement): void {
  const box = section.getBoundingClientRect();
  if (box.top >= 0 && box.top < window.innerHeight * 0.5) return;
  const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  section.scrollIntoView({ block: 'start', behavior: reduce ? 'auto' : 'smooth' });
}

export default function Generator(props: Props) {
  const [values, setValues] = createStore<FormValues>(valuesFromQuery(props.search));
  const [errors, setErrors] = createSignal<FieldErrors>({});
  const [formError, setFormError] = createSignal<{ message: string; upgrade: boolean } | null>(null);
  const [pending, setPending] = createSignal<Pending | null>(null);
  const [images, setImages] = createSignal<ImageDTO[]>([]);
  const [failed, setFailed] = createSignal(0);
  const [aiLocal, setAiLocal] = createSignal(false);
  /** Set when this month's allowance is used up, so the form says so before anyone presses Generate. */
  const [exhausted, setExhausted] = createSignal<{ limit: number; periodEnd: string } | null>(null);
  const [announcement, setAnnouncement] = createSignal('');
  let results!: HTMLElement;

  const form: FormBinding = {
    values,
    get errors() {
      return errors();
    },
    set(key, value) {
      setValues(key, value);
      const field = fieldForKey(key);
      if (!errors()[field]) return;
      setErrors((previous) => {
        const next = { ...previous };
        delete next[field];
        return next;
      });
    },
    busy: () => pending() !== null,
  };

  const refreshUsage = () =>
    trpc.usage.current
      .query()
      .then((usage) => setExhausted(usage.used >= usage.limit ? { limit: usage.limit, periodEnd: usage.periodEnd } : null))
      .catch(() => setExhausted(null));

  onMount(() => {
    trpc.account.me
      .query()
      .then((me) => setAiLocal(me.aiLocal))
      .catch((error: unknown) => {
        if (toClientError(error).code === 'UNAUTHORIZED') redirectToSignIn();
      });
    void refreshUsage();
    window.addEventListener(USAGE_CHANGED_EVENT, refreshUsage);
    // Registered here, not at the top: onMount runs only in the browser, where `window` exists.
    onCleanup(() => window.removeEventListener(USAGE_CHANGED_EVENT, refreshUsage));
  });

  const changeModel = (id: string) => {
    setValues(switchModel({ ...values }, id));
    setErrors({});
  };

  const reuseSeed = (seed: number) => {
    setValues({ randomSeed: false, seed: String(seed) });
    requestAnimationFrame(() => {
      const input = document.getElementById('gen-seed');
      input?.scrollIntoView({ block: 'center' });
      input?.focus();
    });
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (pending()) return;
    const checked = toRequest(values);
    if (checked.errors) {
      setErrors(checked.errors);
      setFormError(null);
      focusFirstError(checked.errors);
      return;
    }
    const request = checked.request;
    setErrors({});
    setFormError(null);
    setAnnouncement('');
    setPending({ count: request.count ?? 1, width: request.width ?? 1, height: request.height ?? 1 });
    revealResults(results);
    try {
      const result = await trpc.generate.create.mutate(request);
      setImages(result.images);
      setFailed(result.failed);
      const n = result.images.length;
      setAnnouncement(n === 1 ? 'Your image is ready.' : `${n} images are ready.`);
    } catch (error) {
      const problem = toClientError(error);
      if (problem.code === 'UNAUTHORIZED') return redirectToSignIn();
      const field = formFieldFor(problem.field);
      if (field) {
        setErrors({ [field]: problem.message });
        focusFirstError({ [field]: problem.message });
      } else {
        setFormError({ message: problem.message, upgrade: problem.appCode === 'QuotaExhausted' });
        requestAnimationFrame(() => document.getElementById('gen-form-error')?.scrollIntoView({ block: 'nearest' }));
      }
    } finally {
      setPending(null);
      announceUsageChanged();
    }
  };

  return (
    <div class="generator">
      <form class="gen-form card" novalidate onSubmit={submit} aria-describedby="gen-form-error">
        <div id="gen-form-error" role="alert" class="form-alert">
          <Show when={formError()}>
            {(problem) => (
              <p class="notice notice-error">
                {problem().message}
                <Show when={problem().upgrade}>
                  {' '}
                  <a href="/pricing">Compare plans</a>
                </Show>
              </p>
            )}
          </Show>
        </div>
        <PromptFields form={form} />
        <ModelFields form={form} onModelChange={changeModel} />
        <CountField form={form} />
        <SeedField form={form} />
        <AdvancedFields form={form} />
        <button type="submit" class="btn btn-primary btn-lg submit" disabled={form.busy() || exhausted() !== null}>
          {form.busy() ? 'Generating…' : 'Generate'}
        </button>
        {/* Below the button, where they cannot push the form down when the server answers. */}
        <Show when={exhausted()}>
          {(quota) => (
            <p class="notice notice-error local-note" role="status">
              You have used all {quota().limit} images in your plan this month. <a href="/pricing">Upgrade your plan</a> or come back on{' '}
              {new Date(quota().periodEnd).toLocaleDateString(undefined, { day: 'numeric', month: 'long', timeZone: 'UTC' })}.
            </p>
          )}
        </Show>
        <Show when={aiLocal()}>
          <p class="notice notice-warning local-note">
            <strong>Local preview model — procedural images, not AI.</strong> This server has no image service configured, so it draws patterns from
            your settings.
          </p>
        </Show>
      </form>

      <section ref={results} class="gen-results" aria-labelledby="gen-results-title" aria-busy={form.busy()}>
        <h2 id="gen-results-title" class="results-title">
          Results
        </h2>
        <p class="visually-hidden" aria-live="polite">
          {announcement()}
        </p>
        <Show
          when={pending()}
          fallback={
            <Show when={images().length > 0} fallback={<EmptyResults onPick={(prompt) => form.set('prompt', prompt)} />}>
              <Show when={failed() > 0}>
                <p class="notice notice-warning">
                  {failed() === 1 ? 'One image' : `${failed()} images`} could not be made; that part of your monthly allowance was given back.
                </p>
              </Show>
              <ResultTiles
                images={images()}
                canReuseSeed={(image) => modelOf(values).seed && findModel(image.model)?.seed === true}
                onReuseSeed={reuseSeed}
              />
            </Show>
          }
        >
          {(job) => <ProgressTiles count={job().count} width={job().width} height={job().height} />}
        </Show>
      </section>
    </div>
  );
}
