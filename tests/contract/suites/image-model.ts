/**
 * The ImageModel contract, written once and run over every implementation (the local preview
 * model, Workers AI). Every catalog model must produce a real image of the asked size.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AppError } from '../../../server/domain/errors.ts';
import { MODELS, type ModelSpec } from '../../../server/domain/models.ts';
import { MAX_PROMPT_LENGTH } from '../../../server/domain/generate-input.ts';
import { applyStyle } from '../../../server/domain/styles.ts';
import type { ImageModel, ModelRequest } from '../../../server/ports.ts';

export interface ImageModelSuiteOptions {
  create: () => Promise<ImageModel>;
}

const FORMATS: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** The smallest size the catalog offers for a model, to keep the suite quick. */
function smallest(model: ModelSpec) {
  return [...model.sizes].sort((a, b) => a.width * a.height - b.width * b.height)[0]!;
}

export function request(model: ModelSpec, patch: Partial<ModelRequest> = {}): ModelRequest {
  const size = smallest(model);
  return {
    model,
    prompt: 'a lighthouse on a cliff at dusk',
    width: size.width,
    height: size.height,
    steps: model.steps.default,
    ...(model.guidance ? { guidance: model.guidance.default } : {}),
    seed: 1234,
    style: 'none',
    ...patch,
  };
}

const live = () => ({ signal: AbortSignal.timeout(30_000) });

export function testImageModel(options: ImageModelSuiteOptions): void {
  let model: ImageModel;
  beforeAll(async () => {
    model = await options.create();
  });
  afterAll(async () => model?.dispose());

  for (const spec of MODELS) {
    it(`.generate() with ${spec.id} resolves to an image of the asked size whose mime matches its bytes`, async () => {
      const asked = request(spec);
      const image = await model.generate(asked, live());
      const meta = await sharp(image.bytes).metadata();
      expect(FORMATS[meta.format ?? '']).toBe(image.mime);
      expect([meta.width, meta.height]).toEqual([asked.width, asked.height]);
    });
  }

  it('.generate() with a negative prompt, guidance and the largest step count a model allows resolves', async () => {
    const spec = MODELS.find((m) => m.negativePrompt && m.guidance)!;
    const image = await model.generate(request(spec, { negativePrompt: 'blurry, low quality', guidance: spec.guidance!.max, steps: spec.steps.max }), live());
    expect(image.bytes.byteLength).toBeGreaterThan(0);
  });

  it('.generate() with the longest prompt we accept plus a style resolves for every model', async () => {
    const prompt = applyStyle('a'.repeat(MAX_PROMPT_LENGTH), 'photographic');
    for (const spec of MODELS) {
      const image = await model.generate(request(spec, { prompt, style: 'photographic' }), live());
      expect(image.bytes.byteLength, spec.id).toBeGreaterThan(0);
    }
  });

  it('.generate() with a signal that has timed out rejects with a ProviderTimeout AppError', async () => {
    const signal = AbortSignal.abort(new DOMException('The operation timed out.', 'TimeoutError'));
    const error = await model.generate(request(MODELS[0]!), { signal }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('ProviderTimeout');
  });
}
