/**
 * Crash safety, as a reusable scenario (the quick test and the soak run differ only in sizes).
 *
 *   1. The organizer account is written into a fresh DATA_DIR; the server starts as a child
 *      process on it; a meeting is set up over HTTP, every voter checks in, voting opens, and
 *      the test holds each voter's tokens (one per candidate).
 *   2. `inFlight` workers submit continuously, each voter's ballots with their own answers; a
 *      submission whose 201/200 arrived is "acknowledged", one whose connection broke is "in doubt".
 *   3. At a random moment the server gets SIGKILL. It restarts on the same DATA_DIR, and before
 *      any new cast the database file (read-only, alongside the running server) must hold every
 *      acknowledged ballot exactly once with its answer, nothing that was never sent, nothing
 *      twice, a submission either whole or absent, and pass `PRAGMA integrity_check`. Every other
 *      submission in doubt is sent again: an identical replay must be answered 200 (stored before
 *      the crash) or 201 (lost with it), never 409. Repeat `kills` times.
 *   4. The poll is closed; its signed bundle must pass every check of the public verifier and
 *      contain exactly the stored ballots; after a graceful stop the file is checked once more.
 *
 * What this does and does not show: SIGKILL loses the process, not the operating system's page
 * cache, so it proves atomic commits and acknowledgement-after-commit, not `synchronous = FULL`
 * (that only matters on power loss, which a test cannot cause).
 */
import { openReadOnly } from '../../server/db/kept-statements.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseFile } from '../../server/config.ts';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import { toBase64Url } from '../../shared/encoding.ts';
import type { Choice } from '../../shared/protocol/poll.ts';
import { verifyBundle, type VerificationReport } from '../../shared/verify/verify-bundle.ts';
import { createOrganizerAccount, signIn, startChildServer, type ChildServer, type LogLine } from './child-server.ts';
import { ballotsOf, castOverHttp, checkInAll, choicesFor, openMeetingForCheckin, type HttpToken } from './meeting-over-http.ts';

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

/** Each voter casts one ballot per question of the harness's poll. */
const QUESTIONS_PER_VOTER = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface StoredBallot {
  token: string;
  answer: Choice;
}

/** Reads the ballots of `pollId` from the database file through a separate read-only connection. */
export function readStoredBallots(dataDir: string, pollId: string): { ballots: StoredBallot[]; distinctTokens: number; integrity: string } {
  const db = openReadOnly(databaseFile(dataDir));
  try {
    const rows = db.prepare('SELECT token, answer FROM ballots WHERE poll_id = ?').all(pollId) as { token: Buffer; answer: string }[];
    const { n } = db.prepare('SELECT count(DISTINCT token) AS n FROM ballots WHERE poll_id = ?').get(pollId) as { n: number };
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    return {
      ballots: rows.map((r) => ({ token: toBase64Url(new Uint8Array(r.token)), answer: JSON.parse(r.answer) as Choice })),
      distinctTokens: n,
      integrity,
    };
  } finally {
    db.close();
  }
}

/** A voter's submission as the test tracks it: each token with the answer sent. */
type Submission = ReadonlyMap<string, Choice>;

/**
 * The check run after every restart: acknowledged submissions present exactly once with their
 * answers, every submission whole or absent, nothing stored that was never sent, the file intact.
 * Returns the problems found and the tokens stored.
 */
export function checkStoredBallots(
  dataDir: string,
  pollId: string,
  acknowledged: readonly Submission[],
  attempted: readonly Submission[],
  when: string,
): { problems: string[]; stored: Map<string, Choice> } {
  const { ballots, distinctTokens, integrity } = readStoredBallots(dataDir, pollId);
  const problems: string[] = [];
  if (integrity !== 'ok') problems.push(`${when}: integrity_check says ${integrity}`);
  if (distinctTokens !== ballots.length) problems.push(`${when}: ${ballots.length} rows but ${distinctTokens} distinct tokens`);
  const stored = new Map(ballots.map((b) => [b.token, b.answer]));
  const sent = new Map(attempted.flatMap((s) => [...s]));
  for (const submission of acknowledged)
    for (const [token, answer] of submission) {
      const found = stored.get(token);
      if (found === undefined) problems.push(`${when}: acknowledged ballot ${token.slice(0, 16)}… is missing`);
      else if (JSON.stringify(found) !== JSON.stringify(answer))
        problems.push(`${when}: acknowledged ballot ${token.slice(0, 16)}… has answer ${JSON.stringify(found)}, sent ${JSON.stringify(answer)}`);
    }
  for (const submission of attempted) {
    const present = [...submission.keys()].filter((token) => stored.has(token)).length;
    if (present !== 0 && present !== submission.size) problems.push(`${when}: a submission is stored in part (${present} of ${submission.size} ballots)`);
  }
  for (const [token, answer] of stored) {
    const was = sent.get(token);
    if (was === undefined) problems.push(`${when}: ballot ${token.slice(0, 16)}… is stored but was never sent`);
    else if (JSON.stringify(was) !== JSON.stringify(answer)) problems.push(`${when}: ballot ${token.slice(0, 16)}… stored with another answer`);
  }
  return { problems, stored };
}

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
    const tokens: HttpToken[][] = await checkInAll(server.url, meeting);
    log(`seed ${seed}: ${tokens.length} voters checked in, voting open, tokens collected`);

    const submissionOf = (index: number) => new Map(ballotsOf(tokens[index]!, choicesFor(index)).map((b) => [b.token, b.answer]));
    const attempted: Submission[] = [];
    const acknowledged: Submission[] = [];
    const inDoubtAtKill: number[] = [];
    const replays = { stored: 0, lost: 0 };
    let next = 0;

    /** Submits until the server goes away or the voters run out; returns the voters left in doubt. */
    const castUntilDown = async (url: string): Promise<number[]> => {
      const inDoubt: number[] = [];
      let down = false;
      const worker = async () => {
        while (!down && next < tokens.length) {
          const index = next++;
          attempted[index] = submissionOf(index);
          let status: number;
          try {
            const response = await castOverHttp(url, ballotsOf(tokens[index]!, choicesFor(index)));
            status = response.status;
            await response.arrayBuffer();
          } catch {
            // The connection broke: the server died before, during or after the commit.
            down = true;
            inDoubt.push(index);
            continue;
          }
          // A submission never sent before must be new to the server: 201, not a replay.
          if (status === 201) acknowledged[index] = attempted[index]!;
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
      const known = (list: Submission[]) => list.filter((s) => s !== undefined);
      const check = checkStoredBallots(dataDir, meeting.pollId, known(acknowledged), known(attempted), `after restart ${kill}`);
      problems.push(...check.problems);
      log(`kill ${kill} after ${delay} ms: ${known(acknowledged).length} acknowledged, ${inDoubt.length} in doubt, ${check.stored.size} ballots stored`);

      // Send every other submission in doubt again, exactly as the client's retry would.
      for (const [i, index] of inDoubt.entries()) {
        if (i % 2 === 1) continue;
        const response = await castOverHttp(server.url, ballotsOf(tokens[index]!, choicesFor(index)));
        await response.arrayBuffer();
        const wasStored = check.stored.has(tokens[index]![0]!.token);
        if (response.status === (wasStored ? 200 : 201)) {
          acknowledged[index] = attempted[index]!;
          if (wasStored) replays.stored++;
          else replays.lost++;
        } else problems.push(`replay after restart ${kill}: ${response.status}, the submission was ${wasStored ? '' : 'not '}stored before the crash`);
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

    const final = checkStoredBallots(dataDir, meeting.pollId, acknowledged.filter(Boolean), attempted.filter(Boolean), 'after the final stop');
    problems.push(...final.problems);
    if (turnout.submitted * QUESTIONS_PER_VOTER !== final.stored.size) problems.push(`turnout said ${turnout.submitted} submissions, the file holds ${final.stored.size} ballots`);
    if (new Set(bundleTokens).size !== bundleTokens.length) problems.push('the bundle lists a token twice');
    if (bundleTokens.length !== final.stored.size || bundleTokens.some((t) => !final.stored.has(t)))
      problems.push(`the bundle holds ${bundleTokens.length} ballots, the file ${final.stored.size}`);
    for (const line of lines) if (/internal error/.test(line.text)) problems.push(`server logged: ${line.text}`);
    return {
      seed,
      kills: inDoubtAtKill.length,
      acknowledged: acknowledged.filter(Boolean).length,
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
