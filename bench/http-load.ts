/**
 * Sections 2 and 5: check-in, the opening and casting over real HTTP on loopback (protocol v2),
 * against the real server started as its own process (`node --import tsx server/main.ts`,
 * PORT=0, a fresh DATA_DIR), so its CPU time (/proc/PID/stat) and peak memory (/proc/PID/status
 * VmHWM) are its own.
 *
 * One round: an administrator account is written into the fresh database before the start;
 * through the organizer API a meeting gets an acceptance-style poll on C candidates (one key per
 * candidate) and a roster of N voters, check-in opens and N slips are printed. Each simulated
 * device blinds one token input per candidate (untimed: the client's cost is section 1). Timed
 * phase "check-in": N POST /api/checkin with the room code, C blinded requests each, 100 in
 * flight (a closed loop: a new request starts as soon as one answers); nothing is signed. Timed
 * "opening": one POST .../transition {to: voting, headCount: N}, which signs N × C requests in
 * worker threads; meanwhile a probe asks GET /api/public/signer every 20 ms and the longest answer
 * is the longest any other request waited. Timed "fetch": N POST /api/checkin/status. Tokens are
 * finalized and verified (untimed). Timed "cast": N anonymous POST /api/ballots, C ballots each,
 * 100 in flight. Finally the poll is closed and published, and the bundle must hold N × C
 * ballots. Rounds use fresh servers; the table shows medians.
 *
 * Beside it, the cost of one durable SQLite commit on this disk (WAL, synchronous = FULL, as
 * server/db/open.ts sets): the ballot box commits once per ballot, so this bounds its rate.
 */
import Database from 'better-sqlite3';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseFile } from '../server/config.ts';
import { openDatabase } from '../server/db/open.ts';
import { createUser } from '../server/services/users.ts';
import { blind, finalize, parseRsaSpki, randomNonce } from '../shared/crypto/blind-rsa.ts';
import { encodeToken, encodeTokenInput, tokenContext } from '../shared/crypto/token.ts';
import { fromBase64, toBase64, toBase64Url } from '../shared/encoding.ts';
import { QUICK, settings } from './lib/config.ts';
import { createJsonClient, runClosedLoop, type JsonClient } from './lib/http-client.ts';
import { cpuSeconds, memoryMiB, startServerProcess } from './lib/proc.ts';
import { target, type Row, type SectionResult } from './lib/report.ts';
import { latencySummary, median, now, type LatencySummary } from './lib/stats.ts';

const ADMIN = 'bench-admin';
const OPTIONS = ['agree', 'disagree', 'abstain'];
const questionsFor = (candidates: number) =>
  Array.from({ length: candidates }, (_, i) => ({ id: `c${i + 1}`, type: 'single', title: `Candidate ${i + 1}`, options: OPTIONS }));

interface PhaseResult {
  requests: number;
  failed: number;
  wallMs: number;
  throughputPerS: number;
  latency: LatencySummary;
  serverCpuS: number;
  /** The five slowest requests: when they started (ms into the phase) and how long they took. */
  slowest: { startMs: number; ms: number }[];
}

interface RoundResult {
  voters: number;
  candidates: number;
  inFlight: number;
  checkin: PhaseResult;
  openingMs: number;
  /** The longest any probe request waited while the opening signed. */
  openingLongestProbeMs: number;
  fetch: PhaseResult;
  cast: PhaseResult;
  serverRssAfterSetupMiB: number;
  serverPeakRssMiB: number;
  closeAndSignMs: number;
  bundleBallots: number;
}

async function signIn(client: JsonClient, password: string) {
  const login = await client.send('POST', '/api/session', { username: ADMIN, password });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${JSON.stringify(login.body)}`);
  const cookie = String([login.headers['set-cookie']].flat().find((c) => String(c).startsWith('ab_session='))).split(';')[0]!;
  const headers = { cookie, 'x-csrf-token': login.body.csrfToken as string };
  return async (method: string, path: string, body?: unknown) => {
    const response = await client.send(method, path, body, headers);
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
}

/** Runs one timed phase and reads the server's CPU time around it. */
async function timedPhase(
  pid: number,
  count: number,
  inFlight: number,
  request: (index: number) => Promise<{ ok: boolean; ms: number }>,
): Promise<PhaseResult> {
  const samples: { startMs: number; ms: number }[] = [];
  let failed = 0;
  const cpuBefore = cpuSeconds(pid);
  const phaseStart = now();
  const wallMs = await runClosedLoop(count, inFlight, async (index) => {
    const startMs = now() - phaseStart;
    const { ok, ms } = await request(index);
    samples.push({ startMs, ms });
    if (!ok) failed++;
  });
  const serverCpuS = cpuSeconds(pid) - cpuBefore;
  const slowest = [...samples].sort((a, b) => b.ms - a.ms).slice(0, 5);
  const latency = latencySummary(samples.map((s) => s.ms));
  return { requests: count, failed, wallMs, throughputPerS: (count * 1000) / wallMs, latency, serverCpuS, slowest };
}

async function oneRound(voters: number, candidates: number, inFlight: number, log: (line: string) => void): Promise<RoundResult> {
  const password = randomBytes(18).toString('base64url');
  const server = await startServerProcess((dataDir) => {
    const db = openDatabase(databaseFile(dataDir));
    try {
      createUser(db, { username: ADMIN, password, role: 'admin' }, 'bench', new Date());
    } finally {
      db.$client.close();
    }
  });
  const client = createJsonClient(server.url, inFlight);
  try {
    const organizer = await signIn(client, password);
    const meeting = await organizer('POST', '/api/meetings', { title: 'Benchmark meeting' });
    const poll = await organizer('POST', `/api/meetings/${meeting.id}/polls`, { title: 'Acceptance', questions: questionsFor(candidates) });
    const roster = Array.from({ length: voters }, (_, i) => ({ name: `Voter ${i + 1}`, number: `B${String(i).padStart(6, '0')}` }));
    await organizer('POST', `/api/meetings/${meeting.id}/voters`, { voters: roster });
    await organizer('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' });
    const { slips } = (await organizer('POST', `/api/meetings/${meeting.id}/slips`, {})) as { slips: { code: string }[] };
    const { roomCode } = (await organizer('GET', `/api/meetings/${meeting.id}/room-code`)) as { roomCode: string };
    const publicMeeting = (await client.send('GET', `/api/public/meetings/${meeting.id}`)).body;
    const keys = (publicMeeting.polls[0].keys as { group: string; questionId: string; keyId: string; spki: string }[]).map((k) => ({
      ...k,
      publicKey: parseRsaSpki(fromBase64(k.spki)),
      keyIdBytes: Uint8Array.from(Buffer.from(k.keyId, 'hex')),
      context: tokenContext(poll.id, k.group, k.questionId),
    }));

    // Every device prepares (and would persist) its blinded requests before sending them.
    const devices = slips.map((slip) => ({
      code: slip.code,
      checkinId: '',
      requests: keys.map((key) => {
        const nonce = randomNonce();
        const input = encodeTokenInput({ nonce, context: key.context, keyId: key.keyIdBytes });
        const { blindedMessage, inverse } = blind(key.publicKey, input);
        return { key, nonce, input, blindedMessage: toBase64(blindedMessage), inverse, blindSignature: '', token: '' };
      }),
    }));
    const serverRssAfterSetupMiB = memoryMiB(server.pid, 'VmRSS');

    await client.warm('/api/public/signer');
    const checkin = await timedPhase(server.pid, voters, inFlight, async (i) => {
      const device = devices[i]!;
      const response = await client.send('POST', '/api/checkin', {
        code: device.code,
        roomCode,
        requests: device.requests.map((r) => ({ pollId: poll.id, group: r.key.group, questionId: r.key.questionId, blindedMessage: r.blindedMessage })),
      });
      if (response.status === 200) device.checkinId = response.body.checkinId;
      return { ok: response.status === 200, ms: response.ms };
    });
    log(`  check-in: ${checkin.throughputPerS.toFixed(0)}/s, p50 ${checkin.latency.p50.toFixed(1)} ms, p99 ${checkin.latency.p99.toFixed(1)} ms, ${checkin.failed} failed`);

    // The opening, with a probe that measures how long any other request waits meanwhile.
    let probing = true;
    let longestProbeMs = 0;
    const probe = (async () => {
      while (probing) {
        const answer = await client.send('GET', '/api/public/signer');
        longestProbeMs = Math.max(longestProbeMs, answer.ms);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const openingStart = now();
    await organizer('POST', `/api/polls/${poll.id}/transition`, { to: 'voting', headCount: voters - checkin.failed });
    const openingMs = now() - openingStart;
    probing = false;
    await probe;
    log(`  opening: ${voters * candidates} signatures in ${openingMs.toFixed(0)} ms; the longest other request waited ${longestProbeMs.toFixed(0)} ms`);

    await client.warm('/api/public/signer');
    const fetch = await timedPhase(server.pid, voters, inFlight, async (i) => {
      const device = devices[i]!;
      const response = await client.send('POST', '/api/checkin/status', { checkinId: device.checkinId });
      const signatures = response.body?.polls?.[0]?.signatures as { questionId: string; blindSignature: string }[] | undefined;
      for (const r of device.requests) r.blindSignature = signatures?.find((s) => s.questionId === r.key.questionId)?.blindSignature ?? '';
      return { ok: response.status === 200 && signatures?.length === candidates, ms: response.ms };
    });
    for (const device of devices)
      for (const r of device.requests) {
        if (!r.blindSignature) continue;
        const signature = finalize(r.key.publicKey, r.input, fromBase64(r.blindSignature), r.inverse);
        r.token = toBase64Url(encodeToken({ nonce: r.nonce, context: r.key.context, keyId: r.key.keyIdBytes, authenticator: signature }));
      }

    await client.warm('/api/public/signer');
    const cast = await timedPhase(server.pid, voters, inFlight, async (i) => {
      const ballots = devices[i]!.requests.map((r) => ({ token: r.token, salt: toBase64(randomBytes(32)), answer: OPTIONS[randomInt(OPTIONS.length)]! }));
      const response = await client.send('POST', '/api/ballots', { ballots });
      return { ok: response.status === 201, ms: response.ms };
    });
    const serverPeakRssMiB = memoryMiB(server.pid, 'VmHWM');
    log(`  cast: ${cast.throughputPerS.toFixed(0)} voters/s (${candidates} ballots each), p50 ${cast.latency.p50.toFixed(1)} ms, p99 ${cast.latency.p99.toFixed(1)} ms, ${cast.failed} failed`);

    const closeStart = now();
    await organizer('POST', `/api/polls/${poll.id}/transition`, { to: 'closed' });
    const closeAndSignMs = now() - closeStart;
    await organizer('POST', `/api/polls/${poll.id}/transition`, { to: 'published' });
    const bundle = (await client.send('GET', `/api/public/polls/${poll.id}/bundle`)).body;
    const bundleBallots = bundle.ballots.length as number;
    if (bundleBallots !== (voters - cast.failed) * candidates) throw new Error(`the bundle holds ${bundleBallots} ballots, ${(voters - cast.failed) * candidates} were accepted`);
    return {
      voters,
      candidates,
      inFlight,
      checkin,
      openingMs,
      openingLongestProbeMs: longestProbeMs,
      fetch,
      cast,
      serverRssAfterSetupMiB,
      serverPeakRssMiB,
      closeAndSignMs,
      bundleBallots,
    };
  } finally {
    client.close();
    await server.stop();
  }
}

/**
 * Milliseconds per ballot for inserts into a ballots-shaped table with the server's pragmas:
 * one ballot per transaction (as now) and 100 per transaction (a group commit).
 */
function sqliteCommitCost(): { perCommitMs: number[]; groupedPerBallotMs: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'anon-ballot-sqlite-'));
  const db = new Database(join(dir, 'probe.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE ballots (nonce BLOB PRIMARY KEY, poll_id TEXT NOT NULL, key_id TEXT NOT NULL, token BLOB NOT NULL, salt BLOB NOT NULL, answer TEXT NOT NULL) WITHOUT ROWID');
    const insert = db.prepare('INSERT INTO ballots VALUES (?, ?, ?, ?, ?, ?)');
    const insertOne = () => insert.run(randomBytes(32), 'poll-1', 'k'.repeat(64), randomBytes(354), randomBytes(32), '"agree"');
    const single = db.transaction(insertOne);
    const hundred = db.transaction(() => {
      for (let i = 0; i < 100; i++) insertOne();
    });
    const perCommitMs: number[] = [];
    const groupedPerBallotMs: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const commits = QUICK ? 50 : 200;
      let start = now();
      for (let i = 0; i < commits; i++) single.immediate();
      perCommitMs.push((now() - start) / commits);
      start = now();
      for (let i = 0; i < (QUICK ? 2 : 5); i++) hundred.immediate();
      groupedPerBallotMs.push((now() - start) / ((QUICK ? 2 : 5) * 100));
    }
    return { perCommitMs, groupedPerBallotMs };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchHttp(log: (line: string) => void): Promise<SectionResult> {
  const { rounds: roundCount, voters, candidates, inFlight } = settings.http;
  const rounds: RoundResult[] = [];
  for (let round = 0; round < roundCount; round++) {
    log(` round ${round + 1}/${roundCount}: ${voters} voters, ${candidates} candidates, ${inFlight} in flight`);
    rounds.push(await oneRound(voters, candidates, inFlight, log));
  }
  const m = (pick: (r: RoundResult) => number) => median(rounds.map(pick));
  const note = roundCount > 1 ? `median of ${roundCount} rounds` : '1 round';
  const phaseRows = (name: string, pick: (r: RoundResult) => PhaseResult, what: string): Row[] => [
    { metric: `${name}: throughput`, value: m((r) => pick(r).throughputPerS), unit: `${what}/s`, note },
    { metric: `${name}: latency p50`, value: m((r) => pick(r).latency.p50), unit: 'ms' },
    { metric: `${name}: latency p95`, value: m((r) => pick(r).latency.p95), unit: 'ms' },
    { metric: `${name}: latency p99`, value: m((r) => pick(r).latency.p99), unit: 'ms' },
    { metric: `${name}: server CPU per request`, value: m((r) => (pick(r).serverCpuS * 1000) / pick(r).requests), unit: 'ms' },
    { metric: `${name}: failed requests`, value: rounds.reduce((sum, r) => sum + pick(r).failed, 0), unit: 'requests', note: 'all rounds' },
  ];
  const p99Cast = m((r) => r.cast.latency.p99);
  const sqlite = sqliteCommitCost();
  return {
    title: `2 + 5. Real server over loopback HTTP: ${voters} voters, ${candidates} candidates (one ballot each), ${inFlight} requests in flight`,
    rows: [
      ...phaseRows(`check-in (POST /api/checkin, ${candidates} blinded requests)`, (r) => r.checkin, 'voters'),
      { metric: `opening: sign ${voters} × ${candidates} requests, destroy keys`, value: m((r) => r.openingMs), unit: 'ms', note: 'worker threads' },
      { metric: 'opening: longest wait of another request meanwhile', value: m((r) => r.openingLongestProbeMs), unit: 'ms', note: 'GET every 20 ms' },
      ...phaseRows('fetch signatures (POST /api/checkin/status)', (r) => r.fetch, 'voters'),
      ...phaseRows(`cast (POST /api/ballots, ${candidates} ballots)`, (r) => r.cast, 'voters'),
      {
        metric: 'server CPU per voter (check-in + fetch + cast)',
        value: m((r) => ((r.checkin.serverCpuS + r.fetch.serverCpuS + r.cast.serverCpuS) * 1000) / r.voters),
        unit: 'ms',
      },
      { metric: 'server memory after setup (RSS)', value: m((r) => r.serverRssAfterSetupMiB), unit: 'MiB' },
      { metric: 'server peak memory (VmHWM)', value: m((r) => r.serverPeakRssMiB), unit: 'MiB', note: 'whole process, by the end of casting' },
      { metric: 'close: count, sign bundle, rewrite the file', value: m((r) => r.closeAndSignMs), unit: 'ms', note: `${voters * candidates} ballots` },
      { metric: 'SQLite: one ballot per commit (FULL sync)', value: median(sqlite.perCommitMs), unit: 'ms', note: 'this disk; as the ballot box commits now' },
      { metric: 'SQLite: 100 ballots per commit', value: median(sqlite.groupedPerBallotMs), unit: 'ms per ballot', note: 'what a group commit would cost' },
    ],
    targets: [
      target(`p99 cast latency < 50 ms with ${inFlight} in flight`, p99Cast, 'ms', (v) => v < 50, `${candidates} ballots per request`),
      target('no request waits > 100 ms while the opening signs', m((r) => r.openingLongestProbeMs), 'ms', (v) => v < 100, `${voters} × ${candidates} signatures`),
    ],
    raw: { rounds, sqlite },
  };
}
