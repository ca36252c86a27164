/**
 * Crash safety, as a reusable scenario (the quick test and the soak run differ only in sizes).
 *
 *   1. The organizer account is written into a fresh DATA_DIR; the server starts as a child
 *      process on it; a meeting is set up over HTTP and every voter checks in, so the test holds
 *      one token per voter before voting opens.
 *   2. Voting opens. `inFlight` workers cast continuously, each ballot with its own choices;
 *      a cast whose 201/200 arrived is "acknowledged", one whose connection broke is "in doubt".
 *   3. At a random moment the server gets SIGKILL. It restarts on the same DATA_DIR, and before
 *      any new cast the database file (read-only, alongside the running server) must hold every
 *      acknowledged ballot exactly once with its choices, nothing that was never sent, nothing
 *      twice, and pass `PRAGMA integrity_check`. Every other ballot in doubt is sent again: an
 *      identical replay must be answered 200 (stored before the crash) or 201 (lost with it),
 *      never 409. Repeat `kills` times.
 *   4. The poll is closed; its signed bundle must pass every check of the public verifier and
 *      contain exactly the stored ballots; after a graceful stop the file is checked once more.
 *
 * What this does and does not show: SIGKILL loses the process, not the operating system's page
 * cache, so it proves atomic commits and acknowledgement-after-commit, not `synchronous = FULL`
 * (that only matters on power loss, which a test cannot cause).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseFile } from '../../server/config.ts';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import { toBase64Url } from '../../shared/encoding.ts';
import type { Choices } from '../../shared/protocol/poll.ts';
import type { HeldToken } from '../../shared/protocol/voter-flow.ts';
import { verifyBundle, type VerificationReport } from '../../shared/verify/verify-bundle.ts';
import { createOrganizerAccount, signIn, startChildServer, type ChildServer, type LogLine } from './child-server.ts';
import { castOverHttp, checkInAll, choicesFor, openMeetingForCheckin } from './meeting-over-http.ts';

export interface CrashScenarioOptions {
  voters: number;
  kills: number;
  /** Random delay before each SIGKILL, counted from the moment casting resumes. */
  killAfterMs: readonly [min: number, max: number];
  inFlight: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface CrashScenarioResult {
  seed: number;
  kills: number;
  acknowledged: number;
  inDoubtAtKill: number[];
  replaysAfterRestart: { stored: number; lost: number };
  stored: number;
  report: VerificationReport;
  bundleTokens: string[];
  /** Every line every server process wrote. */
  lines: LogLine[];
  /** Problems found; empty when the scenario passed. */
  problems: string[];
}

/** mulberry32: a small seeded generator, so a failing run's kill schedule can be named. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface StoredBallot {
  token: string;
  choices: Choices;
}

/** Reads the ballots of `pollId` from the database file through a separate read-only connection. */
export function readStoredBallots(dataDir: string, pollId: string): { ballots: StoredBallot[]; distinctTokens: number; integrity: string } {
  const db = new Database(databaseFile(dataDir), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT token, choices FROM ballots WHERE poll_id = ?').all(pollId) as { token: Buffer; choices: string }[];
    const { n } = db.prepare('SELECT count(DISTINCT token) AS n FROM ballots WHERE poll_id = ?').get(pollId) as { n: number };
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    return {
      ballots: rows.map((r) => ({ token: toBase64Url(new Uint8Array(r.token)), choices: JSON.parse(r.choices) as Choices })),
      distinctTokens: n,
      integrity,
    };
  } finally {
    db.close();
  }
}

/**
 * The check run after every restart: acknowledged ballots present exactly once with their choices,
 * nothing stored that was never sent, the file intact. Returns the problems found.
 */
export function checkStoredBallots(
  dataDir: string,
  pollId: string,
  acknowledged: ReadonlyMap<string, Choices>,
  attempted: ReadonlyMap<string, Choices>,
  when: string,
): { problems: string[]; stored: Map<string, Choices> } {
  const { ballots, distinctTokens, integrity } = readStoredBallots(dataDir, pollId);
  const problems: string[] = [];
  if (integrity !== 'ok') problems.push(`${when}: integrity_check says ${integrity}`);
  if (distinctTokens !== ballots.length) problems.push(`${when}: ${ballots.length} rows but ${distinctTokens} distinct tokens`);
  const stored = new Map(ballots.map((b) => [b.token, b.choices]));
  for (const [token, choices] of acknowledged) {
    const found = stored.get(token);
    if (!found) problems.push(`${when}: acknowledged ballot ${token.slice(0, 16)}… is missing`);
    else if (JSON.stringify(found) !== JSON.stringify(choices))
      problems.push(`${when}: acknowledged ballot ${token.slice(0, 16)}… has choices ${JSON.stringify(found)}, sent ${JSON.stringify(choices)}`);
  }
  for (const [token, choices] of stored) {
    const sent = attempted.get(token);
    if (!sent) problems.push(`${when}: ballot ${token.slice(0, 16)}… is stored but was never sent`);
    else if (JSON.stringify(sent) !== JSON.stringify(choices)) problems.push(`${when}: ballot ${token.slice(0, 16)}… stored with other choices`);
  }
  return { problems, stored };
}

/** Canonical (sorted-key) form of the choices, as the server stores them. */
const canonicalChoices = (choices: Choices): Choices => Object.fromEntries(Object.entries(choices).sort(([a], [b]) => (a < b ? -1 : 1)));

export async function runCrashScenario(options: CrashScenarioOptions): Promise<CrashScenarioResult> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const log = options.log ?? (() => {});
  const dataDir = mkdtempSync(join(tmpdir(), 'anon-ballot-crash-'));
  const lines: LogLine[] = [];
  const problems: string[] = [];
  let server: ChildServer | undefined;
  try {
    createOrganizerAccount(dataDir);
    server = await startChildServer(dataDir, lines);
    const meeting = await openMeetingForCheckin(server.url, options.voters);
    const tokens: HeldToken[] = await checkInAll(server.url, meeting);
    await meeting.org.call('POST', `/api/meetings/${meeting.meetingId}/transition`, { to: 'voting' });
    log(`seed ${seed}: ${tokens.length} voters checked in, voting open`);

    const attempted = new Map<string, Choices>();
    const acknowledged = new Map<string, Choices>();
    const inDoubtAtKill: number[] = [];
    const replays = { stored: 0, lost: 0 };
    let next = 0;

    /** Casts until the server goes away or the tokens run out; returns the tokens left in doubt. */
    const castUntilDown = async (url: string): Promise<string[]> => {
      const inDoubt: string[] = [];
      let down = false;
      const worker = async () => {
        while (!down && next < tokens.length) {
          const index = next++;
          const token = tokens[index]!.token;
          const choices = canonicalChoices(choicesFor(index));
          attempted.set(token, choices);
          let status: number;
          try {
            const response = await castOverHttp(url, token, choices);
            status = response.status;
            await response.arrayBuffer();
          } catch {
            // The connection broke: the server died before, during or after the commit.
            down = true;
            inDoubt.push(token);
            continue;
          }
          // A token never sent before must be new to the server: 201, not a replay.
          if (status === 201) acknowledged.set(token, choices);
          else problems.push(`a fresh cast was answered ${status}`);
        }
      };
      await Promise.all(Array.from({ length: options.inFlight }, worker));
      return inDoubt;
    };

    for (let kill = 1; kill <= options.kills; kill++) {
      const running = server!;
      const [min, max] = options.killAfterMs;
      const delay = min + Math.floor(random() * (max - min));
      const load = castUntilDown(running.url);
      await sleep(delay);
      if (next >= tokens.length) problems.push(`kill ${kill} came after the last token was cast: give the scenario more voters`);
      const exit = await running.kill('SIGKILL');
      if (exit.signal !== 'SIGKILL') problems.push(`kill ${kill}: the server exited with ${JSON.stringify(exit)} before SIGKILL`);
      const inDoubt = await load;
      inDoubtAtKill.push(inDoubt.length);

      server = await startChildServer(dataDir, lines);
      const check = checkStoredBallots(dataDir, meeting.pollId, acknowledged, attempted, `after restart ${kill}`);
      problems.push(...check.problems);
      log(`kill ${kill} after ${delay} ms: ${acknowledged.size} acknowledged, ${inDoubt.length} in doubt, ${check.stored.size} stored`);

      // Send every other ballot in doubt again, exactly as the client's retry would.
      for (const [i, token] of inDoubt.entries()) {
        if (i % 2 === 1) continue;
        const choices = attempted.get(token)!;
        const response = await castOverHttp(server.url, token, choices);
        await response.arrayBuffer();
        const wasStored = check.stored.has(token);
        if (response.status === (wasStored ? 200 : 201)) {
          acknowledged.set(token, choices);
          if (wasStored) replays.stored++;
          else replays.lost++;
        } else problems.push(`replay after restart ${kill}: ${response.status}, the ballot was ${wasStored ? '' : 'not '}stored before the crash`);
      }
    }

    // Keep casting a little after the last restart, then close and verify.
    const finalLoad = castUntilDown(server.url);
    await sleep(100);
    next = tokens.length;
    if ((await finalLoad).length) problems.push('a cast failed after the last restart');
    const org = await signIn(server.url);
    const turnout = await (await fetch(`${server.url}/api/public/polls/${meeting.pollId}/turnout`)).json();
    await org.call('POST', `/api/polls/${meeting.pollId}/transition`, { to: 'closed' });
    const bundle = await org.call('GET', `/api/polls/${meeting.pollId}/bundle`);
    const signer = (await (await fetch(`${server.url}/api/public/signer`)).json()) as { publicKey: string };
    const report = await verifyBundle(bundle, { verifyPss: nodePssVerifier, expectedSignerPublicKey: signer.publicKey });
    const bundleTokens = (bundle.ballots as { token: string }[]).map((b) => b.token);
    const stop = await server.stop();
    if (stop.code !== 0) problems.push(`graceful stop exited with ${JSON.stringify(stop)}`);

    const final = checkStoredBallots(dataDir, meeting.pollId, acknowledged, attempted, 'after the final stop');
    problems.push(...final.problems);
    if (turnout.ballotsCast !== final.stored.size) problems.push(`turnout said ${turnout.ballotsCast} ballots, the file holds ${final.stored.size}`);
    if (new Set(bundleTokens).size !== bundleTokens.length) problems.push('the bundle lists a token twice');
    if (bundleTokens.length !== final.stored.size || bundleTokens.some((t) => !final.stored.has(t)))
      problems.push(`the bundle holds ${bundleTokens.length} ballots, the file ${final.stored.size}`);
    for (const line of lines) if (/internal error/.test(line.text)) problems.push(`server logged: ${line.text}`);
    return {
      seed,
      kills: inDoubtAtKill.length,
      acknowledged: acknowledged.size,
      inDoubtAtKill,
      replaysAfterRestart: replays,
      stored: final.stored.size,
      report,
      bundleTokens,
      lines,
      problems,
    };
  } finally {
    if (server && !server.hasExited()) await server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}
