/**
 * The embedded ImageModel: a procedural painter, not AI. It turns the prompt, seed, style and
 * size into soft shapes and gradients, so the whole site works offline. It is deterministic —
 * the same inputs give byte-identical PNGs — and the UI labels it "local preview model, not AI".
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { ImageModel, ModelImage, ModelRequest } from '../../ports.ts';
import type { StyleId } from '../../domain/styles.ts';
import { AppError } from '../../domain/errors.ts';

/** Base hue (degrees) and saturation per style, so styles look different from each other. */
const STYLE_TONE: Record<StyleId, { hue: number; saturation: number; lines: boolean }> = {
  none: { hue: 0, saturation: 0.65, lines: false },
  photographic: { hue: 30, saturation: 0.35, lines: false },
  cinematic: { hue: 200, saturation: 0.55, lines: false },
  anime: { hue: 320, saturation: 0.85, lines: true },
  'digital-art': { hue: 260, saturation: 0.75, lines: false },
  watercolor: { hue: 180, saturation: 0.4, lines: false },
  'line-art': { hue: 0, saturation: 0, lines: true },
  isometric: { hue: 90, saturation: 0.6, lines: true },
};

/** mulberry32: a tiny, fast, seedable PRNG; quality is plenty for pictures. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [f(0) * 255, f(8) * 255, f(4) * 255];
}

/** Renders the raw RGB pixels for a request. Exported for tests of determinism. */
export function paint(request: Pick<ModelRequest, 'prompt' | 'seed' | 'style' | 'width' | 'height' | 'negativePrompt'>): Buffer {
  const { width, height } = request;
  const digest = createHash('sha256').update(`${request.prompt}\u0000${request.negativePrompt ?? ''}\u0000${request.seed}\u0000${request.style}`).digest();
  const random = prng(digest.readUInt32LE(0));
  const tone = STYLE_TONE[request.style];
  const baseHue = (tone.hue + digest.readUInt16LE(4) % 360) % 360;

  const top = hsl(baseHue, tone.saturation, 0.25 + random() * 0.2);
  const bottom = hsl((baseHue + 40 + random() * 80) % 360, tone.saturation, 0.55 + random() * 0.25);
  const blobs = Array.from({ length: 5 + Math.floor(random() * 4) }, () => ({
    x: random() * width,
    y: random() * height,
    r: (0.12 + random() * 0.3) * Math.min(width, height),
    color: hsl((baseHue + random() * 180) % 360, Math.min(1, tone.saturation + 0.2), 0.45 + random() * 0.35),
    strength: 0.5 + random() * 0.5,
  }));
  const stripeAngle = random() * Math.PI;
  const stripeCos = Math.cos(stripeAngle);
  const stripeSin = Math.sin(stripeAngle);
  const stripePeriod = 12 + random() * 40;

  const pixels = Buffer.allocUnsafe(width * height * 3);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const t = y / (height - 1 || 1);
    const bgR = top[0] + (bottom[0] - top[0]) * t;
    const bgG = top[1] + (bottom[1] - top[1]) * t;
    const bgB = top[2] + (bottom[2] - top[2]) * t;
    for (let x = 0; x < width; x++) {
      let r = bgR;
      let g = bgG;
      let b = bgB;
      for (const blob of blobs) {
        const dx = x - blob.x;
        const dy = y - blob.y;
        const d2 = (dx * dx + dy * dy) / (blob.r * blob.r);
        if (d2 < 1) {
          const w = (1 - d2) * (1 - d2) * blob.strength;
          r += (blob.color[0] - r) * w;
          g += (blob.color[1] - g) * w;
          b += (blob.color[2] - b) * w;
        }
      }
      if (tone.lines) {
        const phase = (x * stripeCos + y * stripeSin) % stripePeriod;
        if (phase >= 0 && phase < 1.5) {
          r *= 0.55;
          g *= 0.55;
          b *= 0.55;
        }
      }
      pixels[o++] = r;
      pixels[o++] = g;
      pixels[o++] = b;
    }
  }
  return pixels;
}

/** Like `signal.throwIfAborted()`, but with the typed error the ImageModel port promises. */
function checkSignal(signal: AbortSignal): void {
  if (signal.aborted) throw new AppError('ProviderTimeout', 'local model call aborted', { cause: signal.reason });
}

export function createLocalImageModel(): ImageModel {
  return {
    name: 'local',
    async dispose() {},
    async generate(request, { signal }): Promise<ModelImage> {
      checkSignal(signal);
      const raw = paint(request);
      const bytes = await sharp(raw, { raw: { width: request.width, height: request.height, channels: 3 } })
        .png({ compressionLevel: 6, adaptiveFiltering: false })
        .toBuffer();
      checkSignal(signal);
      return { bytes: new Uint8Array(bytes), mime: 'image/png' };
    },
  };
}
