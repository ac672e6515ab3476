/**
 * The Workers AI ImageModel, over the REST API:
 * `POST {baseUrl}/accounts/{accountId}/ai/run/{model}` with a Bearer token.
 * 429 and 5xx answers are retried a bounded number of times with jittered exponential backoff
 * (honouring `Retry-After`); everything else fails at once with a typed AppError. The caller's
 * AbortSignal bounds the whole call, waits included.
 * @see https://developers.cloudflare.com/workers-ai/get-started/rest-api/
 */
import { setTimeout as delay } from 'node:timers/promises';
import { AppError, isAppError } from '../../domain/errors.ts';
import type { ImageModel, ModelImage, ModelRequest } from '../../ports.ts';
import { buildRequestBody, runUrl } from './cloudflare-request.ts';
import { classifyFailure, MAX_RESPONSE_BYTES, parseImage, parseJson, retryAfterSeconds } from './cloudflare-response.ts';

export interface CloudflareImageModelOptions {
  accountId: string;
  apiToken: string;
  /** The REST API base, without a trailing slash. Tests point it at a local fake. */
  baseUrl: string;
  /**
   * Extra attempts after the first, for 429 and 5xx answers only.
   * @default 2
   */
  maxRetries?: number;
  /**
   * The first backoff step in milliseconds; each retry doubles it, with full jitter.
   * @default 500
   */
  backoffMs?: number;
  /**
   * A `Retry-After` longer than this is not waited for: the person gets the error (with the
   * wait) at once rather than a spinner that outlives the request.
   * @default 20
   */
  maxRetryAfterSeconds?: number;
  /** Injected in tests to record waits instead of sleeping. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Injected in tests for deterministic jitter. */
  random?: () => number;
}

function timeoutError(cause: unknown): AppError {
  return new AppError('ProviderTimeout', 'Workers AI call aborted by the per-call timeout', { cause });
}

async function readCapped(response: Response): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_RESPONSE_BYTES) throw new AppError('ProviderUnavailable', `Workers AI answer too large (${declared} bytes)`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > MAX_RESPONSE_BYTES) throw new AppError('ProviderUnavailable', `Workers AI answer too large (${bytes.byteLength} bytes)`);
  return bytes;
}

/** Creates the Workers AI model adapter (used when CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN are set). */
export function createCloudflareImageModel(options: CloudflareImageModelOptions): ImageModel {
  const maxRetries = options.maxRetries ?? 2;
  const backoffMs = options.backoffMs ?? 500;
  const maxRetryAfter = options.maxRetryAfterSeconds ?? 20;
  const sleep = options.sleep ?? ((ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }));
  const random = options.random ?? Math.random;

  /** One HTTP attempt: resolves with the image or rejects with `{classified}` / an AppError. */
  async function attempt(request: ModelRequest, signal: AbortSignal): Promise<ModelImage | ReturnType<typeof classifyFailure>> {
    let response: Response;
    try {
      response = await fetch(runUrl(options.baseUrl, options.accountId, request.model.cloudflareModel), {
        method: 'POST',
        headers: { authorization: `Bearer ${options.apiToken}`, 'content-type': 'application/json', accept: 'image/*, application/json' },
        body: JSON.stringify(buildRequestBody(request)),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw timeoutError(error);
      throw new AppError('ProviderUnavailable', `Workers AI unreachable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const body = await readCapped(response);
    if (response.ok) return parseImage(response.headers.get('content-type') ?? '', body);
    return classifyFailure(response.status, parseJson(new TextDecoder().decode(body)), retryAfterSeconds(response.headers.get('retry-after')));
  }

  return {
    name: 'cloudflare',
    async dispose() {},

    async generate(request, { signal }) {
      try {
        for (let retry = 0; ; retry++) {
          signal.throwIfAborted();
          const outcome = await attempt(request, signal);
          if ('bytes' in outcome) return outcome;
          const { error, retryable, retryAfter } = outcome;
          if (!retryable || retry >= maxRetries || (retryAfter !== null && retryAfter > maxRetryAfter)) throw error;
          // Full jitter keeps many instances that failed together from retrying together.
          const backoff = random() * backoffMs * 2 ** retry;
          // If the deadline comes while we wait, what the person needs to hear is the
          // provider's answer (busy, unavailable), not that we ran out of time.
          await sleep(Math.max(backoff, (retryAfter ?? 0) * 1000), signal).catch(() => {
            throw error;
          });
        }
      } catch (error) {
        if (isAppError(error)) throw error;
        if (signal.aborted) throw timeoutError(error);
        throw new AppError('ProviderUnavailable', `Workers AI call failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    },
  };
}
