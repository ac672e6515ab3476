/**
 * Reads Workers AI answers: raw image bytes (SDXL family) or the v4 JSON envelope with a
 * base64 image (FLUX, Leonardo), and turns error answers into typed AppErrors.
 * @see https://developers.cloudflare.com/workers-ai/platform/errors/
 */
import { AppError } from '../../domain/errors.ts';
import type { ModelImage } from '../../ports.ts';

/** Bigger than any image the catalog can produce; a longer body is not an image we want. */
export const MAX_RESPONSE_BYTES = 40 * 1024 * 1024;

export interface ProviderError {
  code: number | null;
  message: string;
}

/** Identifies PNG, JPEG and WebP by their first bytes; labels from the provider are not trusted. */
export function sniffImageMime(bytes: Uint8Array): ModelImage['mime'] | null {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (bytes.length >= 8 && starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (bytes.length >= 3 && starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (bytes.length >= 12 && starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return null;
}

const notAnImage = (detail: string) =>
  new AppError('ProviderUnavailable', `Workers AI returned ${detail}`, {
    userMessage: 'The image service sent back something that is not an image. Your quota was not used; try again.',
  });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Pulls the first `{code, message}` out of a v4 error envelope, tolerating odd shapes. */
export function providerError(body: unknown): ProviderError {
  const errors = isRecord(body) && Array.isArray(body.errors) ? body.errors : [];
  const first: unknown = errors[0];
  if (!isRecord(first)) return { code: null, message: '' };
  return { code: typeof first.code === 'number' ? first.code : null, message: typeof first.message === 'string' ? first.message : '' };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Decodes a successful answer into checked image bytes. */
export function parseImage(contentType: string, body: Uint8Array): ModelImage {
  let bytes = body;
  if (contentType.includes('json')) {
    const json = parseJson(new TextDecoder().decode(body));
    const result = isRecord(json) && isRecord(json.result) ? json.result : json;
    const image = isRecord(result) ? result.image : undefined;
    if (typeof image !== 'string' || image.length === 0) throw notAnImage('a JSON answer without an image');
    bytes = new Uint8Array(Buffer.from(image, 'base64'));
  }
  const mime = sniffImageMime(bytes);
  if (!mime) throw notAnImage(`${bytes.byteLength} bytes that are not PNG, JPEG or WebP`);
  return { bytes, mime };
}

/** Reads `Retry-After` as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Codes the errors page lists for requests we built wrongly (bad input, unknown model, too large). */
const INVALID_REQUEST_CODES = new Set([3003, 3006, 3042, 5004, 5005, 5006, 5007, 5019]);
/** 429 codes where waiting a few seconds does not help: the account's daily allocation is spent. */
const NOT_RETRYABLE_429 = new Set([3036]);

export interface Classified {
  error: AppError;
  /** Worth another attempt (429 with capacity coming back, 5xx). */
  retryable: boolean;
  /** Seconds the provider asked us to wait, when it said. */
  retryAfter: number | null;
}

/** Turns a non-2xx answer into a typed error. The internal message carries status and code, never the prompt. */
export function classifyFailure(status: number, body: unknown, retryAfter: number | null): Classified {
  const { code } = providerError(body);
  const tag = `Workers AI answered ${status}${code === null ? '' : ` (code ${code})`}`;

  if (status === 429) {
    const daily = code !== null && NOT_RETRYABLE_429.has(code);
    const wait = retryAfter ?? (daily ? undefined : 10);
    return {
      error: new AppError('RateLimited', tag, {
        ...(wait === undefined ? {} : { retryAfter: wait }),
        userMessage: daily
          ? 'The image service has used up its capacity for today. Your quota was not used; try again tomorrow.'
          : `The image service is busy right now. Your quota was not used; wait ${wait ?? 10} seconds and try again.`,
      }),
      retryable: !daily,
      retryAfter,
    };
  }
  if (status >= 500) {
    return { error: new AppError('ProviderUnavailable', tag), retryable: true, retryAfter };
  }
  if (status === 401 || status === 403) {
    // Our token or account is at fault; the person can do nothing but wait for us to fix it.
    return {
      error: new AppError('ProviderUnavailable', `${tag}: check CLOUDFLARE_API_TOKEN and the account's Workers AI access`, {
        userMessage: 'The image service is not accepting our requests right now. Your quota was not used; try again later.',
      }),
      retryable: false,
      retryAfter,
    };
  }
  if (status === 408) {
    return { error: new AppError('ProviderTimeout', tag), retryable: false, retryAfter };
  }
  if (status === 404 || status === 405 || status === 413 || (code !== null && INVALID_REQUEST_CODES.has(code))) {
    return { error: new AppError('ProviderRejected', tag), retryable: false, retryAfter };
  }
  // Any other refusal: the provider's content filter has no documented code, so an unknown
  // 4xx is treated as "refused this prompt", which the person can act on by rephrasing.
  return { error: new AppError('ContentFiltered', tag), retryable: false, retryAfter };
}
