/** A synthetic gallery record for benchmarks that need many images without their bytes. */
import { randomUUID } from 'node:crypto';
import type { ImageRecord } from '../../server/ports.ts';

export function record(ownerId: string, n: number): ImageRecord {
  const id = randomUUID();
  return {
    id,
    ownerId,
    key: `users/${ownerId}/images/${id}.png`,
    thumbKey: `users/${ownerId}/thumbs/${id}.webp`,
    prompt: `bench image ${n}: a lighthouse on a cliff at dusk, long exposure, stars`,
    negativePrompt: n % 3 === 0 ? 'blurry' : null,
    model: 'sdxl-lightning',
    width: 1024,
    height: 1024,
    seed: n,
    steps: 8,
    guidance: null,
    style: 'none',
    bytes: 250_000,
    mime: 'image/png',
    // One image a second, oldest first: the gallery lists newest first.
    createdAt: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(),
  };
}
