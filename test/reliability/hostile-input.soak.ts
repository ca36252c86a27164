/**
 * Soak: 10,000 generated hostile requests (and the fixed extreme cases) against every route of
 * /api/openapi.json on the real server process (generator and checks: fuzz-harness.ts).
 *
 *   npm run soak -- test/reliability/hostile-input.soak.ts
 *
 * About 6 minutes on the shared 2-core machine (measured: 10,126 requests in 341 s at a load
 * average of 5; sign-in attempts cost a scrypt each).
 * FUZZ_SEED=<seed> replays a run's requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFuzz, startFuzzTarget, type FuzzTarget } from './fuzz-harness.ts';

let target: FuzzTarget;
beforeAll(async () => {
  target = await startFuzzTarget();
});
afterAll(async () => {
  await target?.close();
});

describe('soak: hostile input', () => {
  it('10,000 requests: no 5xx, no crash, every error { error: { code, message } }, no row written on a 4xx', async () => {
    const started = Date.now();
    const run = await runFuzz(target, { runs: 10_000, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) });
    console.log(`seed ${run.seed}: ${run.requests} requests in ${Math.round((Date.now() - started) / 1000)} s`, run.statuses);
    const problems = run.problems.map((p) => `${p.kind} on ${p.route} (${p.count}×), e.g. ${p.example.slice(0, 400)}`);
    expect(problems, `fast-check seed ${run.seed}`).toEqual([]);
    expect(Object.keys(run.perRoute).sort()).toEqual(target.routes.map((r) => r.key).sort());
    expect(target.server.hasExited()).toBe(false);
  });
});
