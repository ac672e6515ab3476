import { describe, expect, it } from 'vitest';
import { generateInput, resolveGeneration } from '../../server/domain/generate-input.ts';
import { DEFAULT_MODEL_ID, MODELS, findModel, isAllowedSize } from '../../server/domain/models.ts';
import { PLANS, PLAN_IDS, periodEnd, planLimit, usagePeriod } from '../../server/domain/plans.ts';
import { AppError } from '../../server/domain/errors.ts';
import { decodeCursor, encodeCursor } from '../../server/adapters/store/cursor.ts';

describe('model catalog', () => {
  it('maps each required model to its Workers AI name', () => {
    const names = Object.fromEntries(MODELS.map((m) => [m.id, m.cloudflareModel]));
    expect(names).toMatchObject({
      sdxl: '@cf/stabilityai/stable-diffusion-xl-base-1.0',
      'sdxl-lightning': '@cf/bytedance/stable-diffusion-xl-lightning',
      'dreamshaper-8-lcm': '@cf/lykon/dreamshaper-8-lcm',
      'flux-1-schnell': '@cf/black-forest-labs/flux-1-schnell',
    });
  });

  it('keeps every model internally consistent', () => {
    expect(new Set(MODELS.map((m) => m.id)).size).toBe(MODELS.length);
    expect(findModel(DEFAULT_MODEL_ID)).toBeDefined();
    for (const m of MODELS) {
      expect(m.sizes.length, m.id).toBeGreaterThan(0);
      expect(m.steps.min <= m.steps.default && m.steps.default <= m.steps.max, m.id).toBe(true);
      if (m.guidance) expect(m.guidance.min <= m.guidance.default && m.guidance.default <= m.guidance.max, m.id).toBe(true);
      for (const s of m.sizes) expect(isAllowedSize(m, s.width, s.height)).toBe(true);
    }
    // The documented SDXL-family step limit is 20; FLUX.1 schnell's is 8.
    expect(findModel('sdxl')!.steps.max).toBe(20);
    expect(findModel('flux-1-schnell')!.steps.max).toBe(8);
  });
});

describe('generation input', () => {
  const resolve = (input: Record<string, unknown>) => resolveGeneration(generateInput.parse(input));
  const fieldOf = (input: Record<string, unknown>) => {
    try {
      resolve(input);
      return null;
    } catch (error) {
      return error instanceof AppError ? error.field : 'zod';
    }
  };

  it('fills model defaults', () => {
    const job = resolve({ prompt: '  a cat  ' });
    expect(job).toMatchObject({ prompt: 'a cat', count: 1, seed: null, style: 'none' });
    expect(job.model.id).toBe(DEFAULT_MODEL_ID);
    expect(job.steps).toBe(job.model.steps.default);
  });

  it('names the field for model-dependent rules', () => {
    expect(fieldOf({ prompt: 'x', model: 'sdxl', width: 1024, height: 1000 })).toBe('height');
    expect(fieldOf({ prompt: 'x', model: 'sdxl', steps: 21 })).toBe('steps');
    expect(fieldOf({ prompt: 'x', model: 'sdxl', guidance: -1 })).toBe('guidance');
    expect(fieldOf({ prompt: 'x', model: 'flux-1-schnell', guidance: 3 })).toBe('guidance');
    expect(fieldOf({ prompt: 'x', model: 'lucid-origin', negativePrompt: 'no' })).toBe('negativePrompt');
    expect(fieldOf({ prompt: 'x', model: 'sdxl', negativePrompt: 'blurry', steps: 20, guidance: 20 })).toBeNull();
  });

  it('rejects shapes zod owns', () => {
    for (const bad of [{ prompt: '   ' }, { prompt: 'x', count: 0 }, { prompt: 'x', seed: 2 ** 32 }, { prompt: 'x', width: 'wide' }]) {
      expect(generateInput.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('plans', () => {
  it('has Free and at least two paid plans with rising limits', () => {
    expect(PLAN_IDS[0]).toBe('free');
    expect(PLANS.free.priceCents).toBe(0);
    const limits = PLAN_IDS.map(planLimit);
    expect(limits).toEqual([...limits].sort((a, b) => a - b));
    expect(PLAN_IDS.filter((id) => PLANS[id].priceCents > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('counts usage by UTC month', () => {
    expect(usagePeriod(new Date('2026-12-31T23:59:59Z'))).toBe('2026-12');
    expect(periodEnd(new Date('2026-12-31T23:59:59Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('gallery cursor', () => {
  it('round-trips and rejects garbage', () => {
    const pos = { createdAt: '2026-01-02T03:04:05.678Z', id: 'abc|def' };
    expect(decodeCursor(encodeCursor(pos))).toEqual(pos);
    expect(decodeCursor('not-a-cursor')).toBeNull();
    expect(decodeCursor('')).toBeNull();
  });
});

describe('free text', () => {
  it('drops control characters and bidirectional overrides from prompts but keeps newlines and emoji', () => {
    const parsed = generateInput.parse({ prompt: 'a\u0000b\u202Ec\u2066d\ne 🦊', negativePrompt: '\u202Eblur' });
    expect(parsed.prompt).toBe('abcd\ne 🦊');
    expect(parsed.negativePrompt).toBe('blur');
    expect(generateInput.safeParse({ prompt: '\u202E\u0000 ' }).success).toBe(false);
  });
});
