/**
 * `npm run bench` (about 5 minutes; 8 when the audit bundles must be built first) or
 * `BENCH_QUICK=1 npm run bench` (under a minute): runs every section one after the other, so
 * they never compete for the two cores, prints one table and writes bench/results.json.
 * See bench/README.md for what each figure means.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchAudit } from './audit.ts';
import { benchClientSize } from './client-size.ts';
import { benchHttp } from './http-load.ts';
import { QUICK, selectedSections, type SectionId } from './lib/config.ts';
import { formatSections, type SectionResult } from './lib/report.ts';
import { benchSigning } from './signing.ts';

const RESULTS_FILE = join(import.meta.dirname, 'results.json');

const log = (line: string) => process.stderr.write(`${line}\n`);

const runners: Record<SectionId, (log: (line: string) => void) => Promise<SectionResult>> = {
  signing: benchSigning,
  http: benchHttp,
  audit: benchAudit,
  client: benchClientSize,
};

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const started = performance.now();
const meta = {
  date: new Date().toISOString(),
  quick: QUICK,
  commit: gitCommit(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  loadAverageAtStart: loadavg(),
};
log(`bench${QUICK ? ' (quick: smaller sizes, not for the README)' : ''}: ${meta.cores} × ${meta.cpu}, Node ${meta.node}, load ${meta.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`);

const sections: SectionResult[] = [];
/** One-minute load average when each section starts: other work on a shared machine shows here. */
const loadAtSectionStart: Record<string, number> = {};
for (const id of selectedSections()) {
  const sectionStart = performance.now();
  loadAtSectionStart[id] = loadavg()[0]!;
  log(`\n[${id}] load average ${loadAtSectionStart[id]!.toFixed(2)}`);
  sections.push(await runners[id](log));
  log(`[${id}] ${((performance.now() - sectionStart) / 1000).toFixed(1)} s`);
}

const durationS = (performance.now() - started) / 1000;
const loads = Object.entries(loadAtSectionStart).map(([id, load]) => `${id} ${load.toFixed(1)}`).join(', ');
process.stdout.write(
  `${formatSections(sections)}\n\n${QUICK ? 'BENCH_QUICK=1: smoke run, sizes reduced; ' : ''}total ${durationS.toFixed(0)} s on ` +
    `${meta.cores} cores × ${meta.cpu}, Node ${meta.node}; load average at each section's start: ${loads} ` +
    `(above ${meta.cores}, other processes were competing for the cores)\n`,
);
writeFileSync(
  RESULTS_FILE,
  JSON.stringify(
    { meta: { ...meta, durationS, loadAtSectionStart, loadAverageAtEnd: loadavg() }, targets: sections.flatMap((s) => s.targets), sections },
    null,
    2,
  ) + '\n',
);
log(`results written to ${RESULTS_FILE}`);
