import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createLocalImageModel, paint } from '../../server/adapters/ai/local.ts';
import { findModel } from '../../server/domain/models.ts';
import type { ModelRequest } from '../../server/ports.ts';

const model = createLocalImageModel();
const base: ModelRequest = { model: findModel('sdxl')!, prompt: 'a castle on a hill', width: 512, height: 512, steps: 20, guidance: 7.5, seed: 7, style: 'none' };
const run = (patch: Partial<ModelRequest> = {}) => model.generate({ ...base, ...patch }, { signal: new AbortController().signal });

/** Mean absolute difference per channel between two equal-sized RGB renders, 0–255. */
function difference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe('local preview model', () => {
  it('gives byte-identical PNGs for the same prompt, seed, style and size', async () => {
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.mime).toBe('image/png');
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });

  it('gives visibly different images for different prompts, seeds and styles', () => {
    const reference = paint(base);
    expect(difference(reference, paint({ ...base, prompt: 'a submarine in a storm' }))).toBeGreaterThan(10);
    expect(difference(reference, paint({ ...base, seed: 8 }))).toBeGreaterThan(10);
    expect(difference(reference, paint({ ...base, style: 'anime' }))).toBeGreaterThan(5);
  });

  it('honours width and height', async () => {
    const out = await run({ width: 768, height: 512 });
    const meta = await sharp(out.bytes).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([768, 512, 'png']);
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(model.generate(base, { signal: controller.signal })).rejects.toThrow();
  });
});
