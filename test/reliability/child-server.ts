/**
 * The real server as a child process: `node --import tsx server/main.ts` on 127.0.0.1 with an
 * ephemeral port and a given DATA_DIR, exactly as `npm start` runs it (minus the client build).
 * Everything the process writes to stdout and stderr is kept, line by line, so tests can read the
 * server's whole log. `kill('SIGKILL')` is a crash; `stop()` is the graceful SIGTERM shutdown.
 *
 * Also here: a signed-in organizer over real HTTP, and the organizer account created directly in
 * the database file before the child starts (what `npm run admin -- create-user` does).
 */
import { signInOverHttp, type OrganizerSession } from '../../server/cli/organizer-http.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseFile } from '../../server/config.ts';
import { openDatabase } from '../../server/db/open.ts';
import { createUser } from '../../server/services/users.ts';

export const REPO_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ChildServer {
  url: string;
  pid: number;
  /** Every line the process wrote so far (shared with the caller: it keeps growing). */
  lines: LogLine[];
  /** Resolves when the process has exited, with its code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** Sends `signal` and waits for the process to be gone. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Graceful shutdown (SIGTERM: the server closes the database and exits 0). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function collectLines(child: ChildProcess, stream: 'stdout' | 'stderr', lines: LogLine[], onLine: (line: string) => void) {
  let partial = '';
  child[stream]!.setEncoding('utf8');
  child[stream]!.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const text of parts) {
      lines.push({ stream, text });
      onLine(text);
    }
  });
  child[stream]!.on('end', () => {
    if (partial) lines.push({ stream, text: partial });
    partial = '';
  });
}

/** Children still running; killed if the test process exits first, so none is left behind. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts the server on DATA_DIR and resolves once it prints its "listening on" line. */
export function startChildServer(dataDir: string, lines: LogLine[] = []): Promise<ChildServer> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir };
  delete env.PUBLIC_ORIGIN;
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'server', 'main.ts')], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      exitedFlag = true;
      resolve({ code, signal });
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within 30 s:\n${lines.map((l) => l.text).join('\n')}`));
    }, 30_000);
    const onLine = (text: string) => {
      const match = /listening on http:\/\/localhost:(\d+)/.exec(text);
      if (!match) return;
      clearTimeout(timer);
      const kill = async (signal: NodeJS.Signals) => {
        if (!exitedFlag) child.kill(signal);
        return exited;
      };
      resolve({
        url: `http://127.0.0.1:${match[1]}`,
        pid: child.pid!,
        lines,
        exited,
        hasExited: () => exitedFlag,
        kill,
        stop: () => kill('SIGTERM'),
      });
    };
    collectLines(child, 'stdout', lines, onLine);
    collectLines(child, 'stderr', lines, () => {});
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited before listening (code ${code}, signal ${signal}):\n${lines.map((l) => l.text).join('\n')}`));
    });
  });
}

export const ORGANIZER = { username: 'secretary', password: 'correct horse battery staple' } as const;

/** Creates an account in DATA_DIR's database, as `npm run admin -- create-user` would (before the server starts). */
export function createOrganizerAccount(dataDir: string, username: string = ORGANIZER.username, role: 'organizer' | 'admin' = 'organizer') {
  const db = openDatabase(databaseFile(dataDir));
  try {
    return createUser(db, { username, password: ORGANIZER.password, role }, 'cli', new Date());
  } finally {
    db.$client.close();
  }
}

export type { OrganizerSession };

/** A signed-in organizer over real HTTP (the test organizer by default). */
export function signIn(baseUrl: string, username: string = ORGANIZER.username, password: string = ORGANIZER.password): Promise<OrganizerSession> {
  return signInOverHttp(baseUrl, username, password);
}
