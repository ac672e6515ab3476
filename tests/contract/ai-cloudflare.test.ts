/**
 * The ImageModel contract on the Workers AI adapter, against the local fake that speaks the
 * documented REST contract (or a real account when CLOUDFLARE_ACCOUNT_ID and
 * CLOUDFLARE_API_TOKEN are set: then only the contract runs, since errors cannot be provoked).
 * Below it: what is sent per model, every error case, retries, timeouts and quota refunds.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createCloudflareImageModel, type CloudflareImageModelOptions } from '../../server/adapters/ai/cloudflare.ts';
import { loadConfig } from '../../server/config.ts';
import { AppError } from '../../server/domain/errors.ts';
import { MODELS, findModel, type ModelSpec } from '../../server/domain/models.ts';
import { usagePeriod } from '../../server/domain/plans.ts';
import { startFakeWorkersAi, type FakeWorkersAi } from '../support/fake-workers-ai.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { request, testImageModel } from './suites/image-model.ts';

const real = process.env.CLOUDFLARE_API_TOKEN ? loadConfig(process.env).cloudflare : null;
if (real) console.warn('SKIPPED: workers ai error cases: they need the fake server, and CLOUDFLARE_API_TOKEN points the suite at the real API.');

describe(`image model: workers ai on ${real ? 'the real API' : 'the fake Workers AI server'}`, () => {
  let fake: FakeWorkersAi | undefined;
  beforeAll(async () => {
    if (!real) fake = await startFakeWorkersAi();
  });
  afterAll(async () => fake?.close());

  testImageModel({
    create: async () => createCloudflareImageModel(real ?? { accountId: fake!.accountId, apiToken: fake!.apiToken, baseUrl: fake!.baseUrl }),
  });
});

describe.skipIf(real)('workers ai adapter against the fake', () => {
  let fake: FakeWorkersAi;
  let waits: number[];
  beforeAll(async () => {
    fake = await startFakeWorkersAi();
  });
  afterAll(async () => fake.close());
  afterEach(() => fake.reset());

  /** An adapter whose backoff waits are recorded instead of slept, with the largest jitter. */
  function adapter(patch: Partial<CloudflareImageModelOptions> = {}) {
    waits = [];
    return createCloudflareImageModel({
      accountId: fake.accountId,
      apiToken: fake.apiToken,
      baseUrl: fake.baseUrl,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 1,
      ...patch,
    });
  }
  const sdxl = findModel('sdxl')!;
  const flux = findModel('flux-1-schnell')!;
  const signal = () => ({ signal: AbortSignal.timeout(20_000) });

  async function failure(promise: Promise<unknown>): Promise<AppError> {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }

  describe('requests', () => {
    const expectedFields: Record<string, string[]> = {
      sdxl: ['guidance', 'height', 'negative_prompt', 'num_steps', 'prompt', 'seed', 'width'],
      'sdxl-lightning': ['guidance', 'height', 'negative_prompt', 'num_steps', 'prompt', 'seed', 'width'],
      'dreamshaper-8-lcm': ['guidance', 'height', 'negative_prompt', 'num_steps', 'prompt', 'seed', 'width'],
      'flux-1-schnell': ['prompt', 'steps'],
      'lucid-origin': ['guidance', 'height', 'num_steps', 'prompt', 'seed', 'width'],
    };

    for (const spec of MODELS) {
      it(`${spec.id}: POSTs JSON with the Bearer token to the model's run path, with only the fields its schema lists`, async () => {
        const model = adapter();
        const asked = request(spec, spec.negativePrompt ? { negativePrompt: 'blurry' } : {});
        await model.generate(asked, signal());
        expect(fake.requests).toHaveLength(1);
        const sent = fake.requests[0]!;
        expect(sent).toMatchObject({ method: 'POST', path: `/client/v4/accounts/${fake.accountId}/ai/run/${spec.cloudflareModel}`, authorization: `Bearer ${fake.apiToken}`, status: 200 });
        expect(sent.contentType).toContain('application/json');
        const body = sent.body as Record<string, unknown>;
        expect(Object.keys(body).sort()).toEqual(expectedFields[spec.id]);
        expect(body.prompt).toBe(asked.prompt);
        expect(body[spec.stepsField]).toBe(asked.steps);
        if (spec.seed) expect(body.seed).toBe(1234);
      });
    }

    it('leaves out negative_prompt when none is given', async () => {
      await adapter().generate(request(sdxl), signal());
      expect(Object.keys(fake.requests[0]!.body as object)).not.toContain('negative_prompt');
    });

    it('a catalog entry the documented schema refuses is a ProviderRejected error, not retried', async () => {
      // Guards the catalog: SDXL's documented maximum is 20 steps.
      const wrong: ModelSpec = { ...sdxl, steps: { min: 1, max: 50, default: 30 } };
      const error = await failure(adapter().generate(request(wrong), signal()));
      expect(error.code).toBe('ProviderRejected');
      expect(error.userMessage).toMatch(/could not use these settings.*Change them/);
      expect(fake.requests.map((r) => r.status)).toEqual([400]);
    });
  });

  describe('rate limits', () => {
    it('429 with Retry-After is retried after waiting at least that long', async () => {
      fake.failNext({ kind: 'rate-limited', retryAfter: '3' });
      const image = await adapter().generate(request(sdxl), signal());
      expect(image.mime).toBe('image/png');
      expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThanOrEqual(3000);
    });

    it('429 on every attempt rejects RateLimited after 1 + AI_MAX_RETRIES attempts, with the wait in the message', async () => {
      fake.failAlways({ kind: 'rate-limited', retryAfter: '7' });
      const error = await failure(adapter({ maxRetries: 2 }).generate(request(sdxl), signal()));
      expect(error).toMatchObject({ code: 'RateLimited', retryAfter: 7 });
      expect(error.userMessage).toMatch(/wait 7 seconds and try again/);
      expect(error.userMessage).toMatch(/quota was not used/);
      expect(fake.requests).toHaveLength(3);
    });

    it('429 asking for a longer wait than we hold a request open is not retried', async () => {
      fake.failAlways({ kind: 'rate-limited', retryAfter: '120' });
      const error = await failure(adapter().generate(request(sdxl), signal()));
      expect(error).toMatchObject({ code: 'RateLimited', retryAfter: 120 });
      expect(fake.requests).toHaveLength(1);
      expect(waits).toEqual([]);
    });

    it('429 for the spent daily allocation (3036) is not retried and says to come back tomorrow', async () => {
      fake.failAlways({ kind: 'rate-limited', code: 3036 });
      const error = await failure(adapter().generate(request(sdxl), signal()));
      expect(error.code).toBe('RateLimited');
      expect(error.userMessage).toMatch(/tomorrow/);
      expect(fake.requests).toHaveLength(1);
    });
  });

  describe('server errors', () => {
    it('500 then 503 then success resolves, waiting a doubling, jittered backoff between attempts', async () => {
      fake.failNext({ kind: 'server-error', status: 500 }, { kind: 'server-error', status: 503 });
      const image = await adapter({ backoffMs: 100 }).generate(request(flux), signal());
      expect(image.mime).toBe('image/jpeg');
      expect(fake.requests.map((r) => r.status)).toEqual([500, 503, 200]);
      expect(waits).toEqual([100, 200]);
    });

    it('jitter keeps each wait between 0 and the backoff step', async () => {
      fake.failNext({ kind: 'server-error' }, { kind: 'server-error' });
      await adapter({ backoffMs: 100, random: () => 0.25 }).generate(request(sdxl), signal());
      expect(waits).toEqual([25, 50]);
    });

    it('5xx on every attempt rejects ProviderUnavailable after 1 + AI_MAX_RETRIES attempts', async () => {
      fake.failAlways({ kind: 'server-error', status: 503 });
      const error = await failure(adapter({ maxRetries: 1 }).generate(request(sdxl), signal()));
      expect(error.code).toBe('ProviderUnavailable');
      expect(error.userMessage).toMatch(/unavailable.*try again/);
      expect(fake.requests).toHaveLength(2);
    });

    it('a dropped connection rejects ProviderUnavailable without a retry', async () => {
      fake.failNext({ kind: 'drop-connection' });
      const error = await failure(adapter().generate(request(sdxl), signal()));
      expect(error.code).toBe('ProviderUnavailable');
      expect(fake.requests).toHaveLength(1);
    });

    it('a bad token (403) rejects ProviderUnavailable without a retry, naming the setting only in the log message', async () => {
      const error = await failure(adapter({ apiToken: 'wrong' }).generate(request(sdxl), signal()));
      expect(error.code).toBe('ProviderUnavailable');
      expect(error.message).toMatch(/CLOUDFLARE_API_TOKEN/);
      expect(error.userMessage).not.toMatch(/TOKEN/);
      expect(fake.requests.map((r) => r.status)).toEqual([403]);
    });
  });

  describe('refusals and bad answers', () => {
    it('the content filter’s 400 rejects ContentFiltered, not retried, asking to rephrase', async () => {
      fake.failNext({ kind: 'content-filter' });
      const error = await failure(adapter().generate(request(sdxl), signal()));
      expect(error.code).toBe('ContentFiltered');
      expect(error.userMessage).toMatch(/Rephrase/);
      expect(fake.requests).toHaveLength(1);
    });

    for (const spec of [sdxl, flux]) {
      it(`${spec.id}: a 200 whose bytes are not an image rejects ProviderUnavailable`, async () => {
        fake.failNext({ kind: 'not-an-image' });
        const error = await failure(adapter().generate(request(spec), signal()));
        expect(error.code).toBe('ProviderUnavailable');
        expect(error.userMessage).toMatch(/not an image/);
      });
    }
  });

  describe('timeouts', () => {
    it('a slow answer rejects ProviderTimeout when the per-call signal fires', async () => {
      fake.failNext({ kind: 'slow', ms: 3000 });
      const error = await failure(adapter().generate(request(sdxl), { signal: AbortSignal.timeout(150) }));
      expect(error.code).toBe('ProviderTimeout');
    });

    it('the per-call signal also ends a backoff wait, with the provider’s answer rather than a timeout', async () => {
      fake.failAlways({ kind: 'rate-limited', retryAfter: '10' });
      const deadline = new AbortController();
      const model = adapter({
        // The deadline passes while the adapter waits out the Retry-After.
        sleep: (ms, signal) => {
          deadline.abort(new DOMException('The operation timed out.', 'TimeoutError'));
          return delay(ms, undefined, { signal });
        },
      });
      const error = await failure(model.generate(request(sdxl), { signal: deadline.signal }));
      expect(error).toMatchObject({ code: 'RateLimited', retryAfter: 10 });
      expect(fake.requests).toHaveLength(1);
    });
  });

  describe('through the generation service', () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });
    const env = (extra: Record<string, string> = {}) => ({
      CLOUDFLARE_ACCOUNT_ID: fake.accountId,
      CLOUDFLARE_API_TOKEN: fake.apiToken,
      CLOUDFLARE_API_BASE_URL: fake.baseUrl,
      AI_MAX_RETRIES: '1',
      ...extra,
    });
    const input = { prompt: 'a red fox in snow', model: 'flux-1-schnell' };

    async function trpcError(promise: Promise<unknown>): Promise<TRPCError> {
      const error = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TRPCError);
      return error as TRPCError;
    }

    it('setting the Workers AI variables switches the adapter, and a generation stores the model’s image', async () => {
      t = await createTestApp({}, env());
      expect(t.app.model.name).toBe('cloudflare');
      const { caller } = await t.signIn('ada@example.com');
      const { images } = await caller.generate.create(input);
      expect(images[0]).toMatchObject({ model: 'flux-1-schnell', width: 1024, height: 1024, mime: 'image/jpeg' });
      expect((await caller.usage.current()).used).toBe(1);
    });

    const cases: Array<[string, Parameters<FakeWorkersAi['failAlways']>[0], string, RegExp]> = [
      ['content filter', { kind: 'content-filter' }, 'UNPROCESSABLE_CONTENT', /Rephrase/],
      ['provider down', { kind: 'server-error', status: 503 }, 'SERVICE_UNAVAILABLE', /unavailable/],
      ['rate limited', { kind: 'rate-limited', retryAfter: '60' }, 'TOO_MANY_REQUESTS', /wait 60 seconds/],
      ['not an image', { kind: 'not-an-image' }, 'SERVICE_UNAVAILABLE', /not an image/],
      ['timeout', { kind: 'slow', ms: 3000 }, 'TIMEOUT', /took too long/],
    ];
    for (const [name, failure, code, message] of cases) {
      it(`${name}: generate.create fails with ${code}, stores nothing and refunds the quota`, async () => {
        // Only the timeout case gets a short deadline, so a slow machine cannot turn the others into timeouts.
        t = await createTestApp({}, env(failure.kind === 'slow' ? { AI_TIMEOUT_MS: '300' } : {}));
        const { user, caller } = await t.signIn('ada@example.com');
        fake.failAlways(failure);
        const error = await trpcError(caller.generate.create(input));
        expect(error.code).toBe(code);
        expect(error.message).toMatch(message);
        expect(await t.app.store.getUsage(user.id, usagePeriod(new Date()))).toBe(0);
        expect(await t.app.store.countImages(user.id)).toBe(0);
        expect(await t.app.blobs.list('')).toEqual([]);
      });
    }

    it('one of two images refused: the other is kept and only the failed one is refunded', async () => {
      t = await createTestApp({}, env());
      const { user, caller } = await t.signIn('ada@example.com');
      fake.failNext({ kind: 'content-filter' });
      const result = await caller.generate.create({ ...input, count: 2 });
      expect(result).toMatchObject({ failed: 1 });
      expect(result.images).toHaveLength(1);
      expect(await t.app.store.getUsage(user.id, usagePeriod(new Date()))).toBe(1);
    });
  });
});

