/**
 * Data export at scale: a person with 500 images (1 MiB each by default, random bytes so
 * nothing compresses) is exported through the real job path (SQLite + file storage). Prints
 * the time, the archive size, and the process's resident memory before and at its peak while
 * the ZIP is written, which shows whether the archive is streamed or held in memory.
 *
 * Run: node bench/export.ts   (BENCH_IMAGES, BENCH_IMAGE_KB to change the shape)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { imageKey, IMAGE_CACHE_CONTROL, thumbnailKey } from '../server/services/media-keys.ts';

export interface ExportBenchResult {
  images: number;
  imageBytes: number;
  seconds: number;
  archiveBytes: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
}

const MiB = 1024 * 1024;

export async function main(options: { images?: number; imageKiB?: number } = {}): Promise<ExportBenchResult> {
  const images = options.images ?? Number(process.env.BENCH_IMAGES ?? 500);
  const imageBytes = (options.imageKiB ?? Number(process.env.BENCH_IMAGE_KB ?? 1024)) * 1024;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'artivio-bench-export-'));
  const app = await createApp(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { startJobs: false });
  try {
    const user = await app.account.signInLocal('bench@example.com', 'Bench');
    const start = Date.parse('2025-01-15T00:00:00.000Z');
    for (let i = 0; i < images; i++) {
      const id = `img_${String(i).padStart(5, '0')}`;
      const key = imageKey(user.id, id, 'image/png');
      await app.blobs.put(key, randomBytes(imageBytes), { contentType: 'image/png', cacheControl: IMAGE_CACHE_CONTROL });
      await app.store.insertImage({
        id,
        ownerId: user.id,
        key,
        thumbKey: thumbnailKey(user.id, id),
        prompt: `bench prompt number ${i}, a quiet harbour at dawn with fishing boats`,
        negativePrompt: 'blurry',
        model: 'sdxl',
        width: 1024,
        height: 1024,
        seed: i,
        steps: 20,
        guidance: 7.5,
        style: 'none',
        bytes: imageBytes,
        mime: 'image/png',
        createdAt: new Date(start + i * 1000).toISOString(),
      });
    }

    global.gc?.();
    const rssBefore = process.memoryUsage.rss();
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    const began = performance.now();
    const request = await app.privacyExport.request(user.id);
    await app.jobs.runDue();
    const seconds = (performance.now() - began) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());

    const done = await app.store.getPrivacyRequest(request.id);
    if (done?.status !== 'done' || !done.artifactBytes) throw new Error(`The export did not finish: ${done?.status ?? 'missing'} ${done?.lastError ?? ''}`);
    const result: ExportBenchResult = {
      images,
      imageBytes,
      seconds: Number(seconds.toFixed(2)),
      archiveBytes: done.artifactBytes,
      rssBeforeMiB: Number((rssBefore / MiB).toFixed(1)),
      rssPeakMiB: Number((peak / MiB).toFixed(1)),
    };
    console.log(`Export of ${images} images × ${(imageBytes / 1024).toFixed(0)} KiB (SQLite + file storage)`);
    console.table({
      'time (s)': result.seconds,
      'archive (MiB)': Number((result.archiveBytes / MiB).toFixed(1)),
      'RSS before (MiB)': result.rssBeforeMiB,
      'RSS peak during export (MiB)': result.rssPeakMiB,
      'peak growth (MiB)': Number((result.rssPeakMiB - result.rssBeforeMiB).toFixed(1)),
      'throughput (MiB/s)': Number((result.archiveBytes / MiB / result.seconds).toFixed(1)),
    });
    return result;
  } finally {
    await app.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
