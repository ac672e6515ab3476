/**
 * Builds the Workers AI request body for a catalog model. The catalog says which fields each
 * model takes; anything a model's schema does not list is left out, because some schemas
 * (FLUX.1 schnell) refuse unknown properties.
 * @see https://developers.cloudflare.com/workers-ai/models/
 */
import type { ModelRequest } from '../../ports.ts';

export type WorkersAiBody = Record<string, string | number>;

export function buildRequestBody(request: ModelRequest): WorkersAiBody {
  const { model } = request;
  // A 2000-character prompt plus a style suffix can pass the model's limit; the schema counts
  // code points, so cut on those rather than refuse the whole request.
  const body: WorkersAiBody = { prompt: [...request.prompt].slice(0, model.maxPromptLength).join('') };
  if (model.negativePrompt && request.negativePrompt) body.negative_prompt = request.negativePrompt;
  if (model.sendsSize) {
    body.width = request.width;
    body.height = request.height;
  }
  body[model.stepsField] = request.steps;
  if (model.guidance && request.guidance !== undefined) body.guidance = request.guidance;
  if (model.seed) body.seed = request.seed;
  return body;
}

/** The REST path for a model; the model name goes in unescaped (`@cf/vendor/name`). */
export function runUrl(baseUrl: string, accountId: string, cloudflareModel: string): string {
  return `${baseUrl}/accounts/${encodeURIComponent(accountId)}/ai/run/${cloudflareModel}`;
}
