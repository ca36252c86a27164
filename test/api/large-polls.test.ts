/**
 * The largest polls the schemas allow, cast whole: 200 candidates (createPresetPollBody's
 * maximum) in a democratic appraisal through the browser's own voter flow, and in the three
 * evaluations with the most criteria, the top score and the longest sealed comment the schema
 * takes on every ballot. Check-in (one blinded request per key) and the cast (every ballot of the
 * poll in one request) both exceed the 64 KB of the other routes; their limits come from
 * server/body-limits.ts, and a body one byte over them is still refused 413, storing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAST_BODY_LIMIT, CHECKIN_BODY_LIMIT, API_BODY_LIMIT } from '../../server/body-limits.ts';
import { generateCandidateKeys, sealComment } from '../../shared/crypto/candidate-key.ts';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { MAX_BASE64_LENGTH } from '../../shared/protocol/api.ts';
import { MAX_CRITERIA, MAX_ID_LENGTH, MAX_SCORE } from '../../shared/protocol/poll.ts';
import { checkInVoter, memoryStore, parseVotingFragment, voterSlot } from '../../shared/protocol/voter-flow.ts';
import { castAll, collect, openVoting, roomCodeOf, tokensOf, type Device } from '../helpers/meeting.ts';
import { inProcessFetch, organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';

const MAX_CANDIDATES = 200;
/** Opening check-in makes one RSA-2048 key per (group, candidate): 400 keys take about a minute on two cores. */
const KEYS_TIMEOUT = 240_000;

let t: TestServer;
beforeAll(() => {
  t = startTestApp();
  seedUser(t);
});
afterAll(() => t.close());

const count = (table: string, pollId: string) =>
  (t.deps.db.$client.prepare(`SELECT count(*) AS n FROM ${table} WHERE poll_id = ?`).get(pollId) as { n: number }).n;

/** The largest body each voter route was sent, in bytes. */
const largestBody: Record<string, number> = {};
const measuringApi = () =>
  createVoterApi('', (input, init) => {
    largestBody[input] = Math.max(largestBody[input] ?? 0, Buffer.byteLength(String(init?.body ?? '')));
    return inProcessFetch(t)(input, init);
  });

/** A device checks in with the real voter flow (one request for every key), measured. */
async function checkIn(slip: { link: string }, roomCode: string): Promise<Device> {
  const link = parseVotingFragment(new URL(slip.link).hash);
  const api = measuringApi();
  const store = memoryStore();
  const result = await checkInVoter(api, store, link.code!, roomCode, link.keySetFingerprint!);
  return { api, store, voter: voterSlot(link.code!), code: link.code!, meeting: result.meeting };
}

/** A meeting with one preset poll of `candidates` and `roster`, check-in open and slips printed. */
async function openMeeting(poll: Record<string, unknown>, roster: { name: string; number: string; groups?: string[] }[]) {
  const org = await organizerClient(t);
  const meetingId = (await org.call('POST', '/api/meetings', { title: 'A large branch' })).body.id as string;
  const created = await org.call('POST', `/api/meetings/${meetingId}/polls`, poll);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: roster })).status).toBe(201);
  expect((await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' })).status).toBe(200);
  const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { name: string; link: string }[];
  return { org, pollId: created.body.id as string, slipOf: (name: string) => slips.find((s) => s.name === name)!, roomCode: await roomCodeOf(org, meetingId) };
}

const postJson = (path: string, body: string) =>
  t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, body });

describe('the largest polls the schemas allow are cast whole', () => {
  it(`a democratic appraisal of ${MAX_CANDIDATES} members: a member checks in and casts all ${MAX_CANDIDATES - 1} ballots in one request each`, async () => {
    const members = Array.from({ length: MAX_CANDIDATES }, (_, i) => ({ id: `m${i}`, name: `党员${i}`, number: `N${String(i).padStart(4, '0')}` }));
    const { org, pollId, slipOf, roomCode } = await openMeeting(
      { title: '年度民主评议党员', kind: 'democratic_appraisal', candidates: members },
      members.map(({ name, number }) => ({ name, number })),
    );
    const device = await checkIn(slipOf('党员0'), roomCode);
    // The appraisal needs more than half of the branch in the room; one of them uses the phone here.
    await openVoting(org, pollId, MAX_CANDIDATES / 2 + 1, { headCountNote: 'the others counted in the room did not check in for this test' });
    await collect(device);
    expect(tokensOf(device, pollId)).toHaveLength(MAX_CANDIDATES - 1); // none for their own candidacy
    const receipts = await castAll(device, pollId, () => 'qualified');
    expect(receipts).toHaveLength(MAX_CANDIDATES - 1);
    expect(count('ballots', pollId)).toBe(MAX_CANDIDATES - 1);
    // Both requests were over the small limit of the other routes, and within their own.
    expect(largestBody['/api/checkin']).toBeGreaterThan(API_BODY_LIMIT);
    expect(largestBody['/api/checkin']).toBeLessThanOrEqual(CHECKIN_BODY_LIMIT);
    expect(largestBody['/api/ballots']).toBeGreaterThan(API_BODY_LIMIT);
  }, KEYS_TIMEOUT);

  it(`the three evaluations of ${MAX_CANDIDATES} candidates on ${MAX_CRITERIA} criteria, each scored and sent the longest sealed comment: taken whole; one byte over the limit: 413, nothing stored`, async () => {
    const candidates = Array.from({ length: MAX_CANDIDATES }, (_, i) => ({ id: `c${i}`, name: `学生${i}`, number: `S${String(i).padStart(4, '0')}` }));
    const criteria = Array.from({ length: MAX_CRITERIA }, (_, i) => ({ id: String(i).padStart(MAX_ID_LENGTH, 'k'), label: `指标${i}` }));
    const { org, pollId, slipOf, roomCode } = await openMeeting(
      {
        title: '发展对象“三评”',
        kind: 'three_evaluations',
        candidates,
        settings: { criteria, scale: { min: 0, max: MAX_SCORE }, bands: [{ id: 'pass', label: '合格', min: 0 }] },
      },
      [...candidates.map(({ name, number }) => ({ name, number, groups: ['members'] })), { name: '老师', number: 'T0', groups: ['representatives'] }],
    );
    const rater = await checkIn(slipOf('老师'), roomCode);
    await openVoting(org, pollId, 1);
    await collect(rater);
    const held = tokensOf(rater, pollId);
    expect(held).toHaveLength(MAX_CANDIDATES);
    expect(largestBody['/api/checkin']).toBeGreaterThan(API_BODY_LIMIT);

    // The longest comment the schema takes: 1004 Chinese characters seal to exactly MAX_BASE64_LENGTH base64 characters.
    const boxKey = generateCandidateKeys().boxKey;
    const comment = await sealComment(boxKey, '评'.repeat(1004));
    expect(comment).toHaveLength(MAX_BASE64_LENGTH);
    const scores = Object.fromEntries(criteria.map((c) => [c.id, MAX_SCORE]));
    const body = JSON.stringify({ ballots: held.map((h) => ({ token: h.token, salt: h.salt, answer: scores, comment })) });
    expect(Buffer.byteLength(body)).toBeGreaterThan(API_BODY_LIMIT);

    // The same ballots padded with JSON whitespace to one byte over the limit: refused before it is read, nothing stored.
    const over = await postJson('/api/ballots', body + ' '.repeat(CAST_BODY_LIMIT + 1 - Buffer.byteLength(body)));
    expect(over.status).toBe(413);
    expect(((await over.json()) as any).error).toMatchObject({ code: 'payload_too_large', message: expect.stringContaining(String(CAST_BODY_LIMIT)) });
    expect([count('ballots', pollId), count('candidate_comments', pollId)]).toEqual([0, 0]);

    const cast = await postJson('/api/ballots', body);
    expect(cast.status).toBe(201);
    expect(((await cast.json()) as any).receipts).toHaveLength(MAX_CANDIDATES);
    expect([count('ballots', pollId), count('candidate_comments', pollId)]).toEqual([MAX_CANDIDATES, MAX_CANDIDATES]);
  }, KEYS_TIMEOUT);

  it('a check-in body one byte over its limit is refused 413 before it is read', async () => {
    const body = JSON.stringify({ code: 'x', roomCode: '000000', requests: [] });
    const response = await postJson('/api/checkin', body + ' '.repeat(CHECKIN_BODY_LIMIT + 1 - body.length));
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).error.code).toBe('payload_too_large');
  });
});
