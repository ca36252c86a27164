/**
 * Sizes and repetition counts. `BENCH_QUICK=1` is a smoke run of about a minute: smaller
 * sizes, fewer repetitions; its figures show that every section works, not the targets.
 * `BENCH_ONLY=signing,http,audit,client` runs a subset (for working on one section).
 */
export const QUICK = process.env.BENCH_QUICK === '1';

const SECTIONS = ['signing', 'http', 'audit', 'client'] as const;
export type SectionId = (typeof SECTIONS)[number];

export function selectedSections(): SectionId[] {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!only?.length) return [...SECTIONS];
  const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown section ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
  return SECTIONS.filter((s) => only.includes(s));
}

export const settings = QUICK
  ? {
      signing: { repetitions: 3, oursMinMs: 300, theirsOps: 1, clientOursOps: 10, clientTheirsOps: 2 },
      http: { rounds: 1, voters: 100, candidates: 10, inFlight: 100 },
      audit: { cliSizes: [1_000, 10_000], cliRuns: 2, browserSizes: [1_000], browserRuns: 2 },
    }
  : {
      signing: { repetitions: 5, oursMinMs: 1_000, theirsOps: 2, clientOursOps: 40, clientTheirsOps: 6 },
      http: { rounds: 3, voters: 300, candidates: 10, inFlight: 100 },
      audit: { cliSizes: [1_000, 10_000, 100_000], cliRuns: 3, browserSizes: [1_000, 10_000, 100_000], browserRuns: 3 },
    };
