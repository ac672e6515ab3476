/**
 * Property-based tests over every tRPC procedure (found from the router, so new procedures are
 * covered the day they land): arbitrary JSON as input, signed in and signed out, never gives
 * a server error, and a refused call leaves every stored thing exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { appRouter } from '../../server/trpc/router.ts';
import { createCallerFactory } from '../../server/trpc/init.ts';
import { createContextInner } from '../../server/trpc/context.ts';
import { MODELS } from '../../server/domain/models.ts';
import { STYLE_IDS } from '../../server/domain/styles.ts';
import type { UserRecord } from '../../server/ports.ts';

const SEED = 20250115;
const createCaller = createCallerFactory(appRouter);
type Procedure = (input: unknown) => Promise<unknown>;

const PROCEDURES = Object.keys(appRouter._def.procedures).sort();

function procedureOf(caller: ReturnType<typeof createCaller>, path: string): Procedure {
  let node: unknown = caller;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  return node as Procedure;
}

/** Everything a call could have stored for the user, in a comparable shape. */
async function snapshot(t: TestApp, user: UserRecord): Promise<unknown> {
  const { store, blobs } = t.app;
  return {
    user: await store.getUser(user.id),
    images: await store.countImages(user.id),
    blobs: (await blobs.list('')).sort(),
    usage: await store.listUsage(user.id),
    privacy: (await store.listPrivacyRequests(user.id)).map((r) => r.id).sort(),
    consents: (await store.listConsents(user.id)).length,
  };
}

/** Calls and classifies: 'ok', or the HTTP status the error would have had. */
async function outcome(call: Promise<unknown>): Promise<{ ok: true } | { ok: false; status: number; error: TRPCError }> {
  try {
    await call;
    return { ok: true };
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    return { ok: false, status: getHTTPStatusCodeFromError(error as TRPCError), error: error as TRPCError };
  }
}

/** Arbitrary JSON, plus "no input at all". */
const anyInput = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })));

/** A valid request for some model (its smallest size, to keep the run quick). */
const validGeneration = fc.constantFrom(...MODELS).chain((model) => {
  const size = [...model.sizes].sort((a, b) => a.width * a.height - b.width * b.height)[0]!;
  return fc.record(
    {
      prompt: fc.string({ minLength: 1, maxLength: 60 }).filter((p) => p.trim().length > 0),
      model: fc.constant(model.id),
      width: fc.constant(size.width),
      height: fc.constant(size.height),
      style: fc.constantFrom(...STYLE_IDS),
      seed: fc.integer({ min: 0, max: 4_294_967_295 }),
      steps: fc.integer({ min: model.steps.min, max: model.steps.max }),
      count: fc.integer({ min: 1, max: 2 }),
      ...(model.guidance ? { guidance: fc.double({ min: model.guidance.min, max: model.guidance.max, noNaN: true }) } : {}),
      ...(model.negativePrompt ? { negativePrompt: fc.string({ maxLength: 30 }) } : {}),
    },
    { requiredKeys: ['prompt'] },
  );
});

const GENERATE_FIELDS = ['prompt', 'negativePrompt', 'model', 'width', 'height', 'style', 'seed', 'steps', 'guidance', 'count', 'extra'] as const;

/** Values that are wrong somewhere: out of range, wrong type, too long, not finite as JSON. */
const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 1 }),
  fc.integer({ min: -10, max: 3000 }),
  fc.double(),
  fc.string({ minLength: 995, maxLength: 2005 }),
  fc.constantFrom(...MODELS.map((m) => m.id), 64, 2560, 2561, 4_294_967_296, -0, 0.5, '', ' '),
);

/** Valid requests, and valid requests with one or two fields swapped for something odd. */
const nearlyValidGeneration = fc
  .tuple(validGeneration, fc.array(fc.tuple(fc.constantFrom(...GENERATE_FIELDS), oddValue), { maxLength: 2 }))
  .map(([valid, swaps]) => {
    const input: Record<string, unknown> = { ...valid };
    for (const [field, value] of swaps) input[field] = value;
    return input;
  });

describe('every tRPC procedure under arbitrary input', () => {
  let t: TestApp;
  let user: UserRecord;
  let signedIn: ReturnType<typeof createCaller>;
  let anonymous: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    // Limits high enough that the properties reach validation and storage, not just the limiter.
    t = await createTestApp({}, { RATE_LIMIT_GENERATE_PER_MINUTE: '100000', RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '100000' });
    user = (await t.signIn('fuzz@example.com', 'Fuzz')).user;
    await t.app.store.updateUser(user.id, { plan: 'pro' });
    user = (await t.app.store.getUser(user.id))!;
    signedIn = createCaller(createContextInner(t.app, user, '203.0.113.50'));
    anonymous = createCaller(createContextInner(t.app, null, '203.0.113.51'));
  });

  afterAll(async () => t?.close());

  it('knows the procedures it covers', () => {
    expect(PROCEDURES).toEqual(expect.arrayContaining(['generate.create', 'gallery.list', 'gallery.get', 'gallery.delete', 'account.me', 'account.update', 'usage.current']));
  });

  for (const path of PROCEDURES) {
    it(`${path}: never a server error; a refused call changes nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(anyInput, async (input) => {
          const before = await snapshot(t, user);
          const result = await outcome(procedureOf(signedIn, path)(input));
          if (!result.ok) {
            expect(result.status, `${path} ${JSON.stringify(input)}: ${result.error.message}`).toBeLessThan(500);
            expect(await snapshot(t, user)).toEqual(before);
          }
        }),
        { seed: SEED, numRuns: 60 },
      );
    });

    it(`${path}: signed out, refused without a server error`, async () => {
      await fc.assert(
        fc.asyncProperty(anyInput, async (input) => {
          const result = await outcome(procedureOf(anonymous, path)(input));
          if (!result.ok) expect(result.status, `${path} ${JSON.stringify(input)}`).toBeLessThan(500);
        }),
        { seed: SEED, numRuns: 20 },
      );
    });
  }

  it('generate.create: nearly valid requests either make exactly what was asked or change nothing', async () => {
    let made = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(nearlyValidGeneration, async (input) => {
        const before = (await snapshot(t, user)) as { images: number; blobs: string[] };
        const result = await outcome(signedIn.generate.create(input as never));
        const after = (await snapshot(t, user)) as { images: number; blobs: string[] };
        if (result.ok) {
          made += 1;
          const count = typeof input.count === 'number' ? input.count : 1;
          expect(after.images - before.images).toBe(count);
          expect(after.blobs.length - before.blobs.length).toBe(2 * count);
        } else {
          refused += 1;
          expect(result.status, `${JSON.stringify(input)}: ${result.error.message}`).toBeLessThan(500);
          expect(result.error.message.length).toBeGreaterThan(10);
          expect(after).toEqual(before);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
    // The generator must reach both sides of the property to mean anything.
    expect(made).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
