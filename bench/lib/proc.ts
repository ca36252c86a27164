/**
 * Child processes for benchmarks: start the real server as its own process (so its CPU time and
 * memory are its own), read its CPU time and peak memory from /proc (Linux), and time a CLI.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { now } from './stats.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds of every thread of `pid` so far (/proc/PID/stat fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after it are plain numbers.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** A `Vm*` line of /proc/PID/status in MiB (VmHWM = peak resident set, VmRSS = current). */
export function memoryMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

export interface ServerProcess {
  url: string;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Spawns `node --import tsx server/main.ts` on 127.0.0.1 with PORT=0 and waits for its
 * "listening" line. `prepare(dataDir)` runs before the start (to create the first account).
 */
export async function startServerProcess(prepare: (dataDir: string) => void | Promise<void>): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'anon-ballot-bench-'));
  await prepare(dataDir);
  // BENCH_CPU_PROF=DIR: the server writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'server/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        done(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
  // Keep draining its output so a chatty server never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    dataDir,
    stop: () => stopChild(child).finally(() => rmSync(dataDir, { recursive: true, force: true })),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

export interface TimedRun {
  ms: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident set of the process, from GNU time when /usr/bin/time exists. */
  peakRssMiB?: number;
  /** User + system CPU seconds of the process (GNU time): less disturbed by other load than wall time. */
  cpuS?: number;
}

const GNU_TIME = '/usr/bin/time';

/** Runs a command to completion from the repository root and measures its wall time. */
export function timeCommand(command: string, args: string[]): Promise<TimedRun> {
  const useTime = existsSync(GNU_TIME);
  const rssFile = useTime ? join(mkdtempSync(join(tmpdir(), 'bench-time-')), 'rss') : undefined;
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile!, command, ...args]] : [command, args];
  return new Promise((done, fail) => {
    const start = now();
    const child = spawn(file, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (exitCode) => {
      const ms = now() - start;
      const measured: { peakRssMiB?: number; cpuS?: number } = {};
      if (rssFile) {
        // The last line; GNU time writes "Command exited with non-zero status N" above it.
        const [kb, user, system] = readFileSync(rssFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
        if (Number.isFinite(kb)) measured.peakRssMiB = kb! / 1024;
        if (Number.isFinite(user) && Number.isFinite(system)) measured.cpuS = user! + system!;
        rmSync(join(rssFile, '..'), { recursive: true, force: true });
      }
      done({ ms, exitCode, stdout, stderr, ...measured });
    });
  });
}
