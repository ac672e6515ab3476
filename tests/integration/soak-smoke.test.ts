/**
 * The soak (bench/soak.ts) for a few seconds with a few people: a correctness check, not a
 * timing one. Every operation succeeds and the data folder agrees exactly with what the
 * simulated people did.
 */
import { describe, expect, it } from 'vitest';
import { hasBuild } from '../e2e/support/server.ts';
import { runSoak } from '../../bench/soak.ts';

const ready = hasBuild();
if (!ready) console.warn('SKIPPED: the soak smoke test needs a build (npx astro build).');

describe.skipIf(!ready)('soak, briefly', () => {
  it('5 people for 3 s: no errors, and records, objects and usage agree exactly', async () => {
    const report = await runSoak({ seconds: 3, users: 5 });
    expect(report.errorSamples).toEqual([]);
    expect(report.errors).toBe(0);
    expect(report.mismatches).toEqual([]);
    // It must have done each kind of thing to mean anything.
    for (const op of ['sign-in', 'generate', 'list', 'delete'] as const) expect(report.operations[op].count, op).toBeGreaterThan(0);
    expect(report.audit.records).toBe(report.generated - report.deleted);
    expect(report.audit.usage).toBe(report.generated);
  }, 60_000);
});
