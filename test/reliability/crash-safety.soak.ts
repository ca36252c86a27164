/**
 * Soak: crash safety with 50 SIGKILLs of the real server process under a steady cast load of six
 * in flight (the scenario and what it proves: crash-harness.ts).
 *
 *   npm run soak -- test/reliability/crash-safety.soak.ts
 *
 * About 4 minutes on the shared 2-core machine (measured: 3 min 50 s at a load average of 5):
 * 2,500 voters check in, then each kill-and-restart cycle costs 2–4 s, mostly the restart of
 * `node --import tsx server/main.ts`.
 * CRASH_SEED=<seed> repeats a run's kill schedule.
 */
import { describe, expect, it } from 'vitest';
import { runCrashScenario } from './crash-harness.ts';

describe('soak: crash safety', () => {
  it('50 kills: every acknowledged ballot stored exactly once after each restart; the bundle verifies', async () => {
    const started = Date.now();
    const result = await runCrashScenario({
      voters: 2500,
      kills: 50,
      killAfterMs: [20, 300],
      inFlight: 6,
      ...(process.env.CRASH_SEED ? { seed: Number(process.env.CRASH_SEED) } : {}),
      log: (line) => console.log(line),
    });
    console.log(
      `seed ${result.seed}: ${result.kills} kills in ${Math.round((Date.now() - started) / 1000)} s, ${result.acknowledged} acknowledged, ` +
        `${result.stored} stored, ${result.replaysAfterRestart.stored} in doubt were stored and ${result.replaysAfterRestart.lost} were lost (then cast again)`,
    );
    expect(result.problems, `seed ${result.seed}`).toEqual([]);
    expect(result.kills).toBe(50);
    expect(result.report.ok).toBe(true);
    expect(result.bundleTokens.length).toBe(result.stored);
  });
});
