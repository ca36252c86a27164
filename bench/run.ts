/**
 * `npm run bench` (about 10 minutes; more the first time: audit bundles, Node 24's build) or
 * `BENCH_QUICK=1 npm run bench` (about two minutes): runs every section one after the other, so
 * they never compete for the two cores, each on the machine's Node and then on Node 24 LTS
 * (bench/lib/runtimes.ts), prints the tables and writes bench/results.json.
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
import { compareRuntimes, formatSections, type SectionResult } from './lib/report.ts';
import { prepareNode24, runSectionOn, secondRuntimeWanted, type Runtime } from './lib/runtimes.ts';
import { benchSigning } from './signing.ts';

const RESULTS_FILE = process.env.BENCH_RESULTS_FILE ?? join(import.meta.dirname, 'results.json');

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

const second: Runtime | undefined = secondRuntimeWanted() ? prepareNode24(log) : undefined;
if (second) log(`second runtime: ${second.label} (BENCH_RUNTIMES=machine leaves it out)`);

const sections: SectionResult[] = [];
const secondSections: SectionResult[] = [];
/** One-minute load average when each section starts: other work on a shared machine shows here. */
const loadAtSectionStart: Record<string, number> = {};
for (const id of selectedSections()) {
  const sectionStart = performance.now();
  loadAtSectionStart[id] = loadavg()[0]!;
  log(`\n[${id}] load average ${loadAtSectionStart[id]!.toFixed(2)}`);
  sections.push(await runners[id](log));
  log(`[${id}] ${((performance.now() - sectionStart) / 1000).toFixed(1)} s`);
  if (second) {
    const secondStart = performance.now();
    loadAtSectionStart[`${id} (${second.label})`] = loadavg()[0]!;
    secondSections.push(await runSectionOn(second, id, log));
    log(`[${id}] ${second.label}: ${((performance.now() - secondStart) / 1000).toFixed(1)} s`);
  }
}
const comparison = second ? compareRuntimes(`Node ${process.version}`, sections, second.label, secondSections) : undefined;

const durationS = (performance.now() - started) / 1000;
const loads = Object.entries(loadAtSectionStart).map(([id, load]) => `${id} ${load.toFixed(1)}`).join(', ');
process.stdout.write(
  `${formatSections(sections)}\n` +
    (comparison ? `\n## ${second!.label} beside Node ${process.version} (same run, section after section)\n${comparison.table}\n` : '') +
    `\n${QUICK ? 'BENCH_QUICK=1: smoke run, sizes reduced; ' : ''}total ${durationS.toFixed(0)} s on ` +
    `${meta.cores} cores × ${meta.cpu}, Node ${meta.node}; load average at each section's start: ${loads} ` +
    `(above ${meta.cores}, other processes were competing for the cores)\n`,
);
writeFileSync(
  RESULTS_FILE,
  JSON.stringify(
    {
      meta: { ...meta, durationS, loadAtSectionStart, loadAverageAtEnd: loadavg() },
      targets: sections.flatMap((s) => s.targets),
      sections,
      ...(second ? { secondRuntime: { node: second.label, sections: secondSections, comparison: comparison!.rows } } : {}),
    },
    null,
    2,
  ) + '\n',
);
log(`results written to ${RESULTS_FILE}`);
