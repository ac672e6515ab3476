/**
 * Validation of a generation request. The zod schema checks shapes and bounds; `resolve`
 * checks what depends on the chosen model and fills in defaults. Both name the field.
 */
import { z } from 'zod';
import { AppError } from './errors.ts';
import { cleanText } from './text.ts';
import { DEFAULT_MODEL_ID, findModel, isAllowedSize, MODELS, type ModelSpec } from './models.ts';
import { STYLE_IDS, type StyleId } from './styles.ts';
import { MAX_COUNT, MAX_NEGATIVE_PROMPT_LENGTH, MAX_PROMPT_LENGTH, MAX_SEED } from './limits.ts';

export { MAX_COUNT, MAX_NEGATIVE_PROMPT_LENGTH, MAX_PROMPT_LENGTH, MAX_SEED };

export const generateInput = z.object({
  prompt: z
    .string({ error: 'Prompt is required.' })
    .overwrite(cleanText)
    .trim()
    .min(1, 'Prompt is required: describe the image you want.')
    .max(MAX_PROMPT_LENGTH, `Prompt must be at most ${MAX_PROMPT_LENGTH} characters.`),
  negativePrompt: z
    .string()
    .overwrite(cleanText)
    .trim()
    .max(MAX_NEGATIVE_PROMPT_LENGTH, `Negative prompt must be at most ${MAX_NEGATIVE_PROMPT_LENGTH} characters.`)
    .optional(),
  model: z
    .string()
    .refine((id) => findModel(id) !== undefined, {
      message: `Model must be one of: ${MODELS.map((m) => m.id).join(', ')}.`,
    })
    .optional(),
  width: z.number().int('Width must be a whole number.').min(64).max(2560).optional(),
  height: z.number().int('Height must be a whole number.').min(64).max(2560).optional(),
  style: z.enum(STYLE_IDS, { error: `Style must be one of: ${STYLE_IDS.join(', ')}.` }).optional(),
  seed: z
    .number()
    .int('Seed must be a whole number.')
    .min(0, 'Seed must be 0 or more.')
    .max(MAX_SEED, `Seed must be at most ${MAX_SEED}.`)
    .optional(),
  steps: z.number().int('Steps must be a whole number.').optional(),
  guidance: z.number().optional(),
  count: z
    .number()
    .int('Number of images must be a whole number.')
    .min(1, 'Number of images must be between 1 and 4.')
    .max(MAX_COUNT, 'Number of images must be between 1 and 4.')
    .optional(),
});

export type GenerateInput = z.infer<typeof generateInput>;

export interface ResolvedGeneration {
  prompt: string;
  negativePrompt: string | null;
  model: ModelSpec;
  width: number;
  height: number;
  style: StyleId;
  /** Null means "pick a random seed per image". */
  seed: number | null;
  steps: number;
  guidance: number | null;
  count: number;
}

/** Applies model-specific rules and defaults. Throws `AppError('BadInput')` naming the field. */
export function resolveGeneration(input: GenerateInput): ResolvedGeneration {
  const model = findModel(input.model ?? DEFAULT_MODEL_ID);
  if (!model) throw new AppError('BadInput', 'unknown model', { field: 'model', userMessage: 'Choose a model from the list.' });

  const fallback = model.sizes[0]!;
  const width = input.width ?? fallback.width;
  const height = input.height ?? fallback.height;
  if (!isAllowedSize(model, width, height)) {
    const allowed = model.sizes.map((s) => `${s.width}×${s.height}`).join(', ');
    throw new AppError('BadInput', 'size not allowed for model', {
      field: input.width !== undefined && !model.sizes.some((s) => s.width === width) ? 'width' : 'height',
      userMessage: `${model.label} supports these sizes: ${allowed}.`,
    });
  }

  const steps = input.steps ?? model.steps.default;
  if (steps < model.steps.min || steps > model.steps.max) {
    throw new AppError('BadInput', 'steps out of range', {
      field: 'steps',
      userMessage: `Steps must be between ${model.steps.min} and ${model.steps.max} for ${model.label}.`,
    });
  }

  let guidance: number | null = null;
  if (model.guidance) {
    guidance = input.guidance ?? model.guidance.default;
    if (guidance < model.guidance.min || guidance > model.guidance.max) {
      throw new AppError('BadInput', 'guidance out of range', {
        field: 'guidance',
        userMessage: `Guidance must be between ${model.guidance.min} and ${model.guidance.max} for ${model.label}.`,
      });
    }
  } else if (input.guidance !== undefined) {
    throw new AppError('BadInput', 'guidance not supported', { field: 'guidance', userMessage: `${model.label} does not take a guidance value.` });
  }

  const negative = input.negativePrompt ? input.negativePrompt : null;
  if (negative && !model.negativePrompt) {
    throw new AppError('BadInput', 'negative prompt not supported', {
      field: 'negativePrompt',
      userMessage: `${model.label} does not take a negative prompt. Clear it or pick another model.`,
    });
  }

  return {
    prompt: input.prompt,
    negativePrompt: negative,
    model,
    width,
    height,
    style: input.style ?? 'none',
    seed: input.seed ?? null,
    steps,
    guidance,
    count: input.count ?? 1,
  };
}
