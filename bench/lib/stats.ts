/**
 * Small statistics for benchmarks on a shared, noisy machine: medians over repetitions,
 * nearest-rank percentiles of latency samples, and a clock that reads milliseconds.
 */

export const now = (): number => performance.now();

/** Median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list: always one of the samples. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function latencySummary(samplesMs: readonly number[]): LatencySummary {
  return {
    count: samplesMs.length,
    p50: percentile(samplesMs, 50),
    p95: percentile(samplesMs, 95),
    p99: percentile(samplesMs, 99),
    max: Math.max(...samplesMs),
  };
}

/** Runs `op` repeatedly for at least `minMs` (and at least `minOps` times); returns operations per second. */
export async function opsPerSecond(op: () => unknown, minMs: number, minOps = 1): Promise<number> {
  let count = 0;
  const start = now();
  let elapsed = 0;
  while (count < minOps || elapsed < minMs) {
    await op();
    count++;
    elapsed = now() - start;
  }
  return (count * 1000) / elapsed;
}

/** Milliseconds taken by one call of `op`. */
export async function timeOnce(op: () => unknown): Promise<number> {
  const start = now();
  await op();
  return now() - start;
}

/** Rounds for display: three significant digits, no exponent. */
export function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 6)));
}
