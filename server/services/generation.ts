/**
 * Generation: validate → rate limit → reserve quota → call the model → store image and
 * thumbnail → insert the record. Any failure gives back the quota of the images it cost and
 * leaves nothing behind: no record without its objects, no objects without their record.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { BlobStore, ImageModel, ImageRecord, ModelRequest, Store } from '../ports.ts';
import type { Logger } from '../logger.ts';
import { AppError, isAppError } from '../domain/errors.ts';
import { resolveGeneration, MAX_SEED, type GenerateInput, type ResolvedGeneration } from '../domain/generate-input.ts';
import { planLimit, usagePeriod } from '../domain/plans.ts';
import { applyStyle } from '../domain/styles.ts';
import { checkImage, makeThumbnail } from './image-check.ts';
import { IMAGE_CACHE_CONTROL, imageKey, thumbnailKey } from './media-keys.ts';
import { retry, untilAborted } from './retry.ts';

export interface GenerationLimits {
  /** Generation requests per user per minute. */
  perUserPerMinute: number;
  /** Generation requests per client address per minute (everyone behind one address together). */
  perAddressPerMinute: number;
  /** Per-call model timeout. */
  modelTimeoutMs: number;
}

export interface GenerationDeps {
  store: Store;
  blobs: BlobStore;
  model: ImageModel;
  logger: Logger;
  limits: GenerationLimits;
  now?: () => Date;
  newId?: () => string;
  /** Aborted when the server shuts down: waiting generations stop, and are refunded, instead of being cut off. */
  stopping?: AbortSignal;
  /** Makes the stored thumbnail; replaceable so tests can make it fail. */
  thumbnail?: (bytes: Uint8Array) => Promise<Uint8Array>;
}

export interface GenerationResult {
  images: ImageRecord[];
  /** How many of the requested images failed (their quota was given back). */
  failed: number;
}

export function createGenerationService(deps: GenerationDeps) {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const thumbnailOf = deps.thumbnail ?? makeThumbnail;

  async function generateOne(ownerId: string, job: ResolvedGeneration, seed: number): Promise<ImageRecord> {
    const request: ModelRequest = {
      model: job.model,
      prompt: applyStyle(job.prompt, job.style),
      ...(job.negativePrompt ? { negativePrompt: job.negativePrompt } : {}),
      width: job.width,
      height: job.height,
      steps: job.steps,
      ...(job.guidance === null ? {} : { guidance: job.guidance }),
      seed,
      style: job.style,
    };
    const timeout = AbortSignal.timeout(deps.limits.modelTimeoutMs);
    const signal = deps.stopping ? AbortSignal.any([timeout, deps.stopping]) : timeout;
    // The deadline holds even for an adapter that ignores the signal.
    const output = await untilAborted(deps.model.generate(request, { signal }), signal);
    const checked = await checkImage(output.bytes);

    const id = newId();
    const key = imageKey(ownerId, id, checked.mime);
    const thumbKey = thumbnailKey(ownerId, id);
    const record: ImageRecord = {
      id,
      ownerId,
      key,
      thumbKey,
      prompt: job.prompt,
      negativePrompt: job.negativePrompt,
      model: job.model.id,
      width: checked.width,
      height: checked.height,
      seed,
      steps: job.steps,
      guidance: job.guidance,
      style: job.style,
      bytes: output.bytes.byteLength,
      mime: checked.mime,
      createdAt: now().toISOString(),
    };

    try {
      // The original's upload (a network round trip with R2) overlaps the thumbnail's CPU work.
      // Both are waited for, even when one fails, so the clean-up below never races an upload.
      const stored = await Promise.allSettled([
        deps.blobs.put(key, output.bytes, { contentType: checked.mime, cacheControl: IMAGE_CACHE_CONTROL }),
        thumbnailOf(output.bytes).then((thumbnail) => deps.blobs.put(thumbKey, thumbnail, { contentType: 'image/webp', cacheControl: IMAGE_CACHE_CONTROL })),
      ]);
      const failed = stored.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      await deps.store.insertImage(record);
    } catch (error) {
      // Undo whatever landed; the record insert is last, so objects are all there is to undo.
      const undone = await Promise.allSettled([retry(() => deps.blobs.delete(key)), retry(() => deps.blobs.delete(thumbKey))]);
      if (undone.some((u) => u.status === 'rejected')) {
        // Keys name only ids: an operator (or the account deletion job, which clears the prefix) can remove them.
        deps.logger.error({ keys: [key, thumbKey], ownerId }, 'could not remove the objects of a failed generation');
      }
      throw error;
    }
    return record;
  }

  return {
    /** Generates `count` images for the user, or throws an AppError with nothing stored and no quota used. */
    async create(ownerId: string, input: GenerateInput, options: { clientAddress?: string | null } = {}): Promise<GenerationResult> {
      const job = resolveGeneration(input);

      // The address limit first: one person with many accounts is still one address.
      if (options.clientAddress) {
        const byAddress = await deps.store.hitRateLimit(`generate:ip:${options.clientAddress}`, 60, deps.limits.perAddressPerMinute, now());
        if (!byAddress.allowed) {
          throw new AppError('RateLimited', 'generation rate limit per address', {
            retryAfter: byAddress.retryAfter,
            userMessage: `Too many images are being generated from your network. Wait ${byAddress.retryAfter} seconds and try again.`,
          });
        }
      }
      const rate = await deps.store.hitRateLimit(`generate:user:${ownerId}`, 60, deps.limits.perUserPerMinute, now());
      if (!rate.allowed) {
        throw new AppError('RateLimited', 'generation rate limit', {
          retryAfter: rate.retryAfter,
          userMessage: `You are generating very quickly. Wait ${rate.retryAfter} seconds and try again.`,
        });
      }

      const user = await deps.store.getUser(ownerId);
      if (!user) throw new AppError('Unauthorized', 'no user record for session');
      const limit = planLimit(user.plan);
      const period = usagePeriod(now());
      if (!(await deps.store.reserveUsage(ownerId, period, job.count, limit))) {
        const used = await deps.store.getUsage(ownerId, period);
        const left = Math.max(0, limit - used);
        throw new AppError('QuotaExhausted', 'monthly quota exhausted', {
          field: left > 0 ? 'count' : undefined,
          userMessage:
            left > 0
              ? `You have ${left} image${left === 1 ? '' : 's'} left this month. Ask for ${left} or fewer, or upgrade your plan.`
              : `You have used all ${limit} images in your plan this month. Upgrade your plan or wait until next month.`,
        });
      }

      const seeds = Array.from({ length: job.count }, (_, i) => (job.seed === null ? randomInt(0, MAX_SEED) : (job.seed + i) % (MAX_SEED + 1)));
      const settled = await Promise.allSettled(seeds.map((seed) => generateOne(ownerId, job, seed)));
      const images = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));

      if (failures.length > 0) {
        await retry(() => deps.store.releaseUsage(ownerId, period, failures.length));
        for (const failure of failures) {
          deps.logger.warn({ err: isAppError(failure) ? { code: failure.code, message: failure.message } : String(failure), model: job.model.id }, 'generation failed; quota refunded');
        }
      }
      if (images.length === 0) {
        const first = failures[0];
        if (isAppError(first)) throw first;
        if (first instanceof DOMException && first.name === 'TimeoutError') throw new AppError('ProviderTimeout', 'model call timed out', { cause: first });
        throw new AppError('Internal', `generation failed: ${first instanceof Error ? first.message : String(first)}`, {
          cause: first,
          userMessage: 'We could not save your image. Your quota was not used; try again in a moment.',
        });
      }
      return { images, failed: failures.length };
    },
  };
}

export type GenerationService = ReturnType<typeof createGenerationService>;
