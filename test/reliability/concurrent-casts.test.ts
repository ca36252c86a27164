/**
 * The double-spend race of issue 7 at full size, against the real server process: 200 casts of one
 * token at once. (test/api/double-spend.test.ts runs 50 against an in-process listener.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReadOnly } from '../../server/db/kept-statements.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseFile } from '../../server/config.ts';
import { createOrganizerAccount, startChildServer, type ChildServer } from './child-server.ts';
import { castOverHttp, checkInAll, openMeetingForCheckin, type HttpToken } from './meeting-over-http.ts';

const OPTIONS = Array.from({ length: 8 }, (_, i) => `o${i}`);
/** 255 distinct non-empty subsets of eight options: every request below means a different ballot. */
const subset = (i: number) => OPTIONS.filter((_, bit) => ((i + 1) >> bit) & 1);

let dataDir: string;
let server: ChildServer;
let pollId: string;
let tokens: HttpToken[][];
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'anon-ballot-race-'));
  createOrganizerAccount(dataDir);
  server = await startChildServer(dataDir);
  const meeting = await openMeetingForCheckin(server.url, 2, {
    questions: [{ id: 'rec', type: 'approval', title: 'Recommend', options: OPTIONS, maxChoices: 8 }],
  });
  pollId = meeting.pollId;
  tokens = await checkInAll(server.url, meeting);
});
afterAll(async () => {
  await server?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const storedBallots = () => {
  const db = openReadOnly(databaseFile(dataDir));
  try {
    return db.prepare('SELECT answer FROM ballots WHERE poll_id = ?').all(pollId) as { answer: string }[];
  } finally {
    db.close();
  }
};

describe('200 concurrent casts of one token through the real server process', () => {
  it('with 200 different answers: exactly one 201, 199 × 409 token_spent, one ballot stored', async () => {
    const [held] = tokens[0]!;
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => castOverHttp(server.url, [{ token: held!.token, salt: held!.salt, answer: subset(i) }])));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<any>));
    const winners = responses.flatMap((r, i) => (r.status === 201 ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(199);
    expect(bodies.filter((b) => b.error?.code === 'token_spent')).toHaveLength(199);
    const stored = storedBallots();
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0]!.answer)).toEqual(subset(winners[0]!));
  });

  it('with 200 identical requests: one 201, 199 × 200 replays with the same signed receipt, one ballot stored', async () => {
    const [held] = tokens[1]!;
    const responses = await Promise.all(Array.from({ length: 200 }, () => castOverHttp(server.url, [{ token: held!.token, salt: held!.salt, answer: ['o1', 'o3'] }])));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<any>));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(199);
    expect(new Set(bodies.map((b) => JSON.stringify(b.receipts))).size).toBe(1);
    expect(bodies.filter((b) => b.replay === true)).toHaveLength(199);
    expect(storedBallots()).toHaveLength(2);
    expect(server.lines.filter((l) => l.stream === 'stderr')).toEqual([]);
  });
});
