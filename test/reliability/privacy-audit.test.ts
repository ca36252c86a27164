/**
 * Privacy audit (DOMAIN §7): after full meetings, read every table and column of the SQLite file
 * and every line the server wrote, and show that no ballot can be joined to a voter. The checks
 * are privacy-checks.ts; the last block plants each kind of leak in a copy of the file and shows
 * the checks catch it, so none of them passes vacuously. About 20 s.
 *
 *  - `npm run demo`'s meeting (runDemo, in-process) for four kinds of vote, with everything
 *    written to the console captured while it runs;
 *  - a meeting against the real server process, driven over HTTP with the voter's client code,
 *    with every line the process wrote, and every secret that crossed the wire (voting codes,
 *    blinded messages, blind signatures, tokens, receipts).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import { keepStatements, openReadOnly } from '../../server/db/kept-statements.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { runDemo } from '../../server/cli/demo.ts';
import { databaseFile } from '../../server/config.ts';
import { fromBase64, fromBase64Url, fromHex, toHex } from '../../shared/encoding.ts';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import type { BundleV2 as Bundle } from '../../shared/protocol/bundle.ts';
import { castPoll, checkInVoter, collectTokens, memoryStore, parseVotingFragment, voterSlot } from '../../shared/protocol/voter-flow.ts';
import type { PollKind } from '../../shared/tally/rules.ts';
import { createOrganizerAccount, startChildServer, type ChildServer } from './child-server.ts';
import { choicesFor, openMeetingForCheckin } from './meeting-over-http.ts';
import {
  auditPerVoterActs,
  ballotNeedles,
  ballotsShape,
  encodings,
  issuancesShape,
  linesNamingSecrets,
  secretsOutsideBallots,
  textNeedles,
  timeLikeValues,
  type Needle,
} from './privacy-checks.ts';

const workDir = mkdtempSync(join(tmpdir(), 'anon-ballot-privacy-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface DemoRun {
  kind: PollKind;
  voters: number;
  dataDir: string;
  bundle: Bundle;
  checkedIn: number;
  /** What runDemo narrates (the CLI's own lines). */
  narrative: string[];
  /** Everything else written to the console or to stdout/stderr while the meeting ran. */
  console: string[];
}

/** Runs `fn` with every console method and stdout/stderr write captured into `lines`. */
async function capturingConsole<T>(lines: string[], fn: () => Promise<T>): Promise<T> {
  const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(format(...args))),
  );
  const writes = (['stdout', 'stderr'] as const).map((stream) =>
    vi.spyOn(process[stream], 'write').mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write),
  );
  try {
    return await fn();
  } finally {
    for (const spy of [...spies, ...writes]) spy.mockRestore();
  }
}

async function demo(kind: PollKind, voters: number): Promise<DemoRun> {
  const dir = join(workDir, `${kind}-${voters}`);
  const narrative: string[] = [];
  const captured: string[] = [];
  const result = await capturingConsole(captured, () =>
    runDemo({ voters, kind, dataDir: join(dir, 'data'), out: join(dir, 'bundle.json'), log: (line) => narrative.push(line) }),
  );
  return { kind, voters, dataDir: join(dir, 'data'), bundle: result.bundle, checkedIn: result.checkedIn, narrative, console: captured };
}

const openDataDirReadOnly = (dataDir: string) => openReadOnly(databaseFile(dataDir));
const tokensOf = (bundle: Bundle) => bundle.ballots.map((b) => fromBase64Url(b.token));
const secretsOf = (bundle: Bundle) =>
  bundle.ballots.map((b) => ({ token: fromBase64Url(b.token), receipt: fromHex(b.receipt), ...(b.salt ? { salt: fromBase64(b.salt) } : {}) }));

const KINDS: [PollKind, number][] = [
  ['generic', 12],
  ['member_acceptance', 16],
  ['league_recommendation', 12],
  ['activist_confirmation', 12],
];
const demos = new Map<string, DemoRun>();
beforeAll(async () => {
  for (const [kind, voters] of KINDS) demos.set(kind, await demo(kind, voters));
}, 120_000);

describe('privacy audit of the database after a full demo meeting', () => {
  it.each(KINDS)('%s: ballots hold only nonce, poll, key, token, salt and answer, WITHOUT ROWID; the sign-in sheet holds no time', (kind) => {
    const run = demos.get(kind)!;
    const db = openDataDirReadOnly(run.dataDir);
    try {
      expect(ballotsShape(db)).toEqual([]);
      expect(issuancesShape(db)).toEqual([]);
      expect(timeLikeValues(db)).toEqual([]);
      // The file holds exactly the published ballots (so the searches below look for the right things).
      const stored = (db.prepare('SELECT token FROM ballots').all() as { token: Buffer }[]).map((r) => toHex(r.token)).sort();
      expect(stored).toEqual(tokensOf(run.bundle).map(toHex).sort());
      expect(stored.length).toBeGreaterThan(5);
    } finally {
      db.close();
    }
  });

  it.each(KINDS)('%s: no other table holds a token, a nonce, a receipt, a salt or the hash of one', (kind) => {
    const run = demos.get(kind)!;
    const db = openDataDirReadOnly(run.dataDir);
    try {
      expect(secretsOutsideBallots(db, ballotNeedles(secretsOf(run.bundle)))).toEqual([]);
    } finally {
      db.close();
    }
  });

  it.each(KINDS)('%s: the audit log has no entry per cast or check-in', (kind) => {
    const run = demos.get(kind)!;
    const db = openDataDirReadOnly(run.dataDir);
    try {
      expect(auditPerVoterActs(db, { ballots: run.bundle.ballots.length, checkIns: run.checkedIn })).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('the audit log does not grow with the number of voters', async () => {
    const larger = await demo('generic', 24);
    const count = (dataDir: string) => {
      const db = openDataDirReadOnly(dataDir);
      try {
        return (db.prepare('SELECT action FROM audit_log ORDER BY seq').all() as { action: string }[]).map((r) => r.action);
      } finally {
        db.close();
      }
    };
    expect(larger.bundle.ballots.length).toBeGreaterThan(demos.get('generic')!.bundle.ballots.length);
    expect(count(larger.dataDir)).toEqual(count(demos.get('generic')!.dataDir));
  });

  it.each(KINDS)('%s: nothing written to the console names a token, nonce or receipt, and nothing is written per ballot', (kind) => {
    const run = demos.get(kind)!;
    const needles = ballotNeedles(secretsOf(run.bundle));
    expect(linesNamingSecrets([...run.narrative, ...run.console], needles)).toEqual([]);
    expect(run.console.length).toBeLessThan(run.bundle.ballots.length);
  });
});

describe('privacy audit of the real server process over a whole meeting', () => {
  let server: ChildServer | undefined;
  afterAll(async () => {
    if (server && !server.hasExited()) await server.kill('SIGKILL');
  });

  it('writes no line while voters check in and cast, and no line or table names a code, blinded message, token or receipt', async () => {
    const dataDir = join(workDir, 'child');
    createOrganizerAccount(dataDir);
    server = await startChildServer(dataDir);
    const { org, pollId, slips, roomCode } = await openMeetingForCheckin(server.url, 10);

    // Every secret that crosses the wire, recorded by the voter's own HTTP client.
    const secrets: Needle[] = [];
    const recordingFetch = async (input: string, init?: RequestInit) => {
      const response = await fetch(input, init);
      const sent = init?.body ? (JSON.parse(String(init.body)) as any) : {};
      const answer = (await response.clone().json()) as any;
      if (sent.code) secrets.push(...textNeedles('voting code', sent.code));
      for (const r of sent.requests ?? []) secrets.push(...encodings('blinded message', fromBase64(r.blindedMessage)));
      if (answer.checkinId) secrets.push(...textNeedles('blind check-in id', answer.checkinId));
      for (const p of answer.polls ?? []) for (const s of p.signatures ?? []) secrets.push(...encodings('blind signature', fromBase64(s.blindSignature)));
      for (const b of sent.ballots ?? []) secrets.push(...encodings('token', fromBase64Url(b.token)), ...encodings('salt', fromBase64(b.salt)));
      for (const r of answer.receipts ?? []) secrets.push(...textNeedles('receipt', r.receipt), ...encodings('receipt signature', fromBase64(r.signature)));
      return response;
    };
    const api = createVoterApi(server.url, recordingFetch);

    const linesBeforeCheckin = server.lines.length;
    const devices = [];
    for (const slip of slips.slice(0, 8)) {
      const link = parseVotingFragment(new URL(slip.link).hash);
      const store = memoryStore();
      devices.push({ store, voter: voterSlot(link.code!), meeting: (await checkInVoter(api, store, link.code!, roomCode, link.keySetFingerprint!)).meeting });
    }
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting', headCount: 8 });
    for (const device of devices) await collectTokens(api, device.store, device.voter, device.meeting);
    for (const [i, device] of devices.entries()) await castPoll(api, device.store, device.voter, device.meeting.polls[0]!, device.meeting.signer, choicesFor(i));
    const linesWhileVoting = server.lines.slice(linesBeforeCheckin);
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)) as Bundle;
    const stop = await server.stop();
    expect(stop.code).toBe(0);

    expect(linesWhileVoting).toEqual([]);
    const allSecrets = [...secrets, ...ballotNeedles(secretsOf(bundle))];
    expect(linesNamingSecrets(server.lines.map((l) => l.text), allSecrets)).toEqual([]);
    const db = openDataDirReadOnly(dataDir);
    try {
      expect(ballotsShape(db)).toEqual([]);
      expect(issuancesShape(db)).toEqual([]);
      expect(timeLikeValues(db)).toEqual([]);
      // Blinded messages and blind signatures are the sign-in sheet's by design; nothing else may appear outside ballots.
      const notOnTheSheet = allSecrets.filter((n) => !/^blind/.test(n.label));
      expect(secretsOutsideBallots(db, notOnTheSheet)).toEqual([]);
      expect(auditPerVoterActs(db, { ballots: 16, checkIns: 8 })).toEqual([]);
    } finally {
      db.close();
    }
    expect(bundle.ballots).toHaveLength(16);
  });
});

describe('the audit catches each kind of leak planted in a copy of the file', () => {
  let run: DemoRun;
  let needles: Needle[];
  beforeAll(() => {
    run = demos.get('generic')!;
    needles = ballotNeedles(secretsOf(run.bundle));
  });

  /** A writable copy of the demo's database, changed by `plant`, checked by `check`. */
  function planted(plant: (db: Database.Database) => void, check: (db: Database.Database) => string[]): string[] {
    const dir = mkdtempSync(join(workDir, 'planted-'));
    copyFileSync(databaseFile(run.dataDir), join(dir, 'ballot.db'));
    if (existsSync(`${databaseFile(run.dataDir)}-wal`)) copyFileSync(`${databaseFile(run.dataDir)}-wal`, join(dir, 'ballot.db-wal'));
    const db = keepStatements(new Database(join(dir, 'ballot.db')));
    try {
      plant(db);
      return check(db);
    } finally {
      db.close();
    }
  }
  const firstReceipt = () => run.bundle.ballots[0]!.receipt;

  it('a created_at column on ballots, a ballots table with a rowid, a trigger copying ballots', () => {
    expect(planted((db) => db.exec('ALTER TABLE ballots ADD COLUMN created_at TEXT'), ballotsShape)).toEqual([expect.stringMatching(/created_at/)]);
    expect(
      planted((db) => db.exec('CREATE TABLE b2 AS SELECT * FROM ballots; DROP TABLE ballots; ALTER TABLE b2 RENAME TO ballots'), ballotsShape),
    ).toEqual([expect.stringMatching(/WITHOUT ROWID/)]);
    expect(
      planted(
        (db) => db.exec('CREATE TABLE c2 AS SELECT * FROM candidate_comments; DROP TABLE candidate_comments; ALTER TABLE c2 RENAME TO candidate_comments'),
        ballotsShape,
      ),
    ).toEqual([expect.stringMatching(/candidate_comments is not WITHOUT ROWID/)]);
    expect(
      planted(
        (db) => db.exec(`CREATE TABLE arrivals (at TEXT); CREATE TRIGGER ballot_arrival AFTER INSERT ON ballots BEGIN INSERT INTO arrivals VALUES (datetime('now')); END`),
        ballotsShape,
      ),
    ).toEqual([expect.stringMatching(/trigger ballot_arrival/)]);
  });

  it('a time on the sign-in sheet or in a ballot', () => {
    expect(planted((db) => db.exec('ALTER TABLE checkins ADD COLUMN checked_in_at INTEGER'), issuancesShape)).not.toEqual([]);
    expect(planted((db) => db.exec('ALTER TABLE issuance_requests ADD COLUMN signed_at INTEGER'), issuancesShape)).not.toEqual([]);
    expect(planted((db) => db.exec(`UPDATE ballots SET answer = '{"at":"2026-11-30T09:15:02Z"}' `), timeLikeValues)).not.toEqual([]);
  });

  it('a receipt or a token kept in another table, also inside the bundle beside its ballots', () => {
    expect(
      planted(
        (db) => {
          db.exec('CREATE TABLE cast_log (receipt TEXT)');
          db.prepare('INSERT INTO cast_log VALUES (?)').run(firstReceipt());
        },
        (db) => secretsOutsideBallots(db, needles),
      ),
    ).toEqual([expect.stringMatching(/cast_log.receipt holds the receipt of ballot 0/)]);
    expect(
      planted(
        (db) => db.prepare(`UPDATE checkins SET approved_by = ? WHERE rowid = (SELECT min(rowid) FROM checkins)`).run(run.bundle.ballots[0]!.salt!),
        (db) => secretsOutsideBallots(db, needles),
      ),
    ).toEqual([expect.stringMatching(/checkins.approved_by holds the salt of ballot 0/)]);
    expect(
      planted(
        (db) => db.prepare(`UPDATE audit_log SET details = ? WHERE seq = 1`).run(JSON.stringify({ token: run.bundle.ballots[0]!.token })),
        (db) => secretsOutsideBallots(db, needles),
      ),
    ).toEqual([expect.stringMatching(/audit_log.details holds the token of ballot 0 \(base64(url)?\)/)]);
    expect(
      planted(
        (db) => db.prepare(`UPDATE polls SET bundle = json_set(bundle, '$.lastReceipt', ?) WHERE bundle IS NOT NULL`).run(firstReceipt()),
        (db) => secretsOutsideBallots(db, needles),
      ),
    ).toEqual([expect.stringMatching(/polls.bundle holds the receipt/)]);
  });

  it('an audit entry per cast', () => {
    const plant = (db: Database.Database) => {
      const insert = db.prepare(`INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) VALUES (?, '', 'voter', 'ballot_received', 'p', '{}', '', '')`);
      run.bundle.ballots.forEach((_, i) => insert.run(10_000 + i));
    };
    expect(planted(plant, (db) => auditPerVoterActs(db, { ballots: run.bundle.ballots.length, checkIns: run.checkedIn }))).toEqual([
      expect.stringMatching(/ballot_received occurs/),
      expect.stringMatching(/ballot_received is about a voter's act/),
    ]);
  });

  it('a log line naming a receipt or a token', () => {
    const token = run.bundle.ballots[0]!.token;
    expect(linesNamingSecrets([`ballot cast, receipt ${firstReceipt()}`, `token=${token}`, 'listening'], needles)).toHaveLength(2);
  });
});
