/**
 * The generator form's values: defaults for a model, prefill from the URL query, the
 * checks worth doing before a round trip, and the request sent to `generate.create`.
 * The server validates everything again; messages here match its wording.
 */
import { DEFAULT_MODEL_ID, findModel, MODELS, type ModelSpec } from '../../../server/domain/models.ts';
import { STYLE_IDS, type StyleId } from '../../../server/domain/styles.ts';
import type { GenerateRequest } from '../../lib/trpc.ts';

import { MAX_COUNT, MAX_NEGATIVE_PROMPT_LENGTH, MAX_PROMPT_LENGTH, MAX_SEED } from '../../../server/domain/limits.ts';

export { MAX_COUNT, MAX_NEGATIVE_PROMPT_LENGTH, MAX_PROMPT_LENGTH, MAX_SEED };

export type FieldName = 'prompt' | 'negativePrompt' | 'model' | 'size' | 'style' | 'seed' | 'steps' | 'guidance' | 'count';
export type FieldErrors = Partial<Record<FieldName, string>>;

export interface FormValues {
  prompt: string;
  negativePrompt: string;
  model: string;
  /** `WIDTHxHEIGHT`, one of the model's sizes. */
  size: string;
  style: StyleId;
  randomSeed: boolean;
  /** Kept as typed so a half-typed number is not lost; parsed on submit. */
  seed: string;
  steps: string;
  guidance: string;
  count: number;
}

export function sizeKey(width: number, height: number): string {
  return `${width}x${height}`;
}

export function modelOf(values: Pick<FormValues, 'model'>): ModelSpec {
  return findModel(values.model) ?? findModel(DEFAULT_MODEL_ID) ?? MODELS[0]!;
}

/** The values a model starts with: its first size, default steps and guidance. */
export function modelDefaults(model: ModelSpec): Pick<FormValues, 'model' | 'size' | 'steps' | 'guidance'> {
  const size = model.sizes[0]!;
  return {
    model: model.id,
    size: sizeKey(size.width, size.height),
    steps: String(model.steps.default),
    guidance: model.guidance ? String(model.guidance.default) : '',
  };
}

/** Keeps the size when the new model allows it; otherwise its first size. Steps and guidance reset to its defaults. */
export function switchModel(values: FormValues, modelId: string): FormValues {
  const model = findModel(modelId);
  if (!model) return values;
  const defaults = modelDefaults(model);
  const keepSize = model.sizes.some((s) => sizeKey(s.width, s.height) === values.size);
  return { ...values, ...defaults, size: keepSize ? values.size : defaults.size };
}

export function isStyleId(value: string): value is StyleId {
  return (STYLE_IDS as readonly string[]).includes(value);
}

function numberParam(params: URLSearchParams, name: string): number | null {
  const raw = params.get(name);
  if (raw === null || raw.trim() === '') return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

/**
 * Reads `?prompt=&negativePrompt=&model=&width=&height=&style=&seed=&steps=&guidance=&count=`
 * (the gallery's "Use these settings" links).
 * Values the model cannot take fall back to its defaults rather than failing.
 */
export function valuesFromQuery(search: string): FormValues {
  const params = new URLSearchParams(search);
  const model = findModel(params.get('model') ?? '') ?? modelOf({ model: DEFAULT_MODEL_ID });
  const values: FormValues = {
    prompt: (params.get('prompt') ?? '').slice(0, MAX_PROMPT_LENGTH),
    negativePrompt: model.negativePrompt ? (params.get('negativePrompt') ?? '').slice(0, MAX_NEGATIVE_PROMPT_LENGTH) : '',
    ...modelDefaults(model),
    style: 'none',
    randomSeed: true,
    seed: '',
    count: 1,
  };

  // `size=WxH` is what the form itself sends if it is submitted before the island has loaded.
  const [sizeWidth, sizeHeight] = (params.get('size') ?? '').split('x');
  const width = numberParam(params, 'width') ?? (Number(sizeWidth) || null);
  const height = numberParam(params, 'height') ?? (Number(sizeHeight) || null);
  if (width !== null && height !== null && model.sizes.some((s) => s.width === width && s.height === height)) {
    values.size = sizeKey(width, height);
  }
  const style = params.get('style');
  if (style && isStyleId(style)) values.style = style;

  const seed = numberParam(params, 'seed');
  if (model.seed && seed !== null && Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED) {
    values.randomSeed = false;
    values.seed = String(seed);
  }
  const steps = numberParam(params, 'steps');
  if (steps !== null && Number.isInteger(steps) && steps >= model.steps.min && steps <= model.steps.max) values.steps = String(steps);
  const guidance = numberParam(params, 'guidance');
  if (model.guidance && guidance !== null && guidance >= model.guidance.min && guidance <= model.guidance.max) values.guidance = String(guidance);
  const count = numberParam(params, 'count');
  if (count !== null && Number.isInteger(count) && count >= 1 && count <= MAX_COUNT) values.count = count;
  return values;
}

function parseNumber(raw: string): number | null {
  if (raw.trim() === '') return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

/** Checks what can be checked without the server and builds the request, or returns the errors. */
export function toRequest(values: FormValues): { request: GenerateRequest; errors: null } | { request: null; errors: FieldErrors } {
  const model = modelOf(values);
  const errors: FieldErrors = {};
  const prompt = values.prompt.trim();
  if (!prompt) errors.prompt = 'Prompt is required: describe the image you want.';
  else if (prompt.length > MAX_PROMPT_LENGTH) errors.prompt = `Prompt must be at most ${MAX_PROMPT_LENGTH} characters.`;

  const negativePrompt = model.negativePrompt ? values.negativePrompt.trim() : '';
  if (negativePrompt.length > MAX_NEGATIVE_PROMPT_LENGTH) {
    errors.negativePrompt = `Negative prompt must be at most ${MAX_NEGATIVE_PROMPT_LENGTH} characters.`;
  }

  const size = model.sizes.find((s) => sizeKey(s.width, s.height) === values.size);
  if (!size) errors.size = `Choose one of the sizes ${model.label} supports.`;

  let seed: number | undefined;
  if (model.seed && !values.randomSeed) {
    const parsed = parseNumber(values.seed);
    if (parsed === null || !Number.isInteger(parsed) || parsed < 0 || parsed > MAX_SEED) {
      errors.seed = `Seed must be a whole number from 0 to ${MAX_SEED}, or choose a random seed.`;
    } else seed = parsed;
  }

  const steps = parseNumber(values.steps);
  if (steps === null || !Number.isInteger(steps) || steps < model.steps.min || steps > model.steps.max) {
    errors.steps = `Steps must be a whole number between ${model.steps.min} and ${model.steps.max} for ${model.label}.`;
  }

  let guidance: number | undefined;
  if (model.guidance) {
    const parsed = parseNumber(values.guidance);
    if (parsed === null || parsed < model.guidance.min || parsed > model.guidance.max) {
      errors.guidance = `Guidance must be between ${model.guidance.min} and ${model.guidance.max} for ${model.label}.`;
    } else guidance = parsed;
  }

  if (Object.keys(errors).length > 0 || !size || steps === null) return { request: null, errors };
  const request: GenerateRequest = {
    prompt,
    model: model.id,
    width: size.width,
    height: size.height,
    style: values.style,
    steps,
    count: values.count,
  };
  if (negativePrompt) request.negativePrompt = negativePrompt;
  if (seed !== undefined) request.seed = seed;
  if (guidance !== undefined) request.guidance = guidance;
  return { request, errors: null };
}

/** The field whose error an edit of `key` should clear. */
export function fieldForKey(key: keyof FormValues): FieldName {
  return key === 'randomSeed' ? 'seed' : key;
}

/** Maps a server error's field (`width`, `height`, …) onto the form field that shows it. */
export function formFieldFor(serverField: string | null): FieldName | null {
  switch (serverField) {
    case 'width':
    case 'height':
      return 'size';
    case 'prompt':
    case 'negativePrompt':
    case 'model':
    case 'style':
    case 'seed':
    case 'steps':
    case 'guidance':
    case 'count':
      return serverField;
    default:
      return null;
  }
}
