/**
 * `npm run bench`: runs every benchmark in turn and prints its figures. Benchmarks measure;
 * they never assert times. Each module exports `main()`; one that is missing its
 * prerequisites (a build, a peer) says so and the run goes on.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const BENCHES = ['static-serving', 'js-budget', 'adapters', 'gallery-scale', 'gallery-render', 'export', 'lighthouse', 'soak'];

for (const name of BENCHES) {
  const file = path.join(import.meta.dirname, `${name}.ts`);
  if (!existsSync(file)) continue;
  console.log(`\n=== bench/${name}.ts`);
  try {
    const mod = (await import(pathToFileURL(file).href)) as { main?: () => Promise<void> };
    await mod.main?.();
  } catch (error) {
    console.log(`bench/${name}.ts did not finish: ${error instanceof Error ? error.message : String(error)}`);
  }
}
