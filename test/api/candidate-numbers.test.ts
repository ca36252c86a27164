/**
 * A candidate gets no token for their own candidacy, matched by roster number (docs/protocol.md
 * §3). In the kinds whose candidates are voters of the same poll — the democratic appraisal and
 * the three evaluations — a candidate without a number would rate themself (and in the three
 * evaluations could not self-evaluate), so the number is required at creation; any number given
 * must name someone on the roster before check-in opens. Every refusal is a 400 that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';

let t: TestServer;
let org: Awaited<ReturnType<typeof organizerClient>>;
beforeAll(async () => {
  t = startTestApp();
  seedUser(t);
  org = await organizerClient(t);
});
afterAll(() => t.close());

/** Row counts of the tables a poll or its opening writes. */
const rows = () =>
  Object.fromEntries(
    ['polls', 'poll_keys', 'audit_log'].map((table) => [table, (t.deps.db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n]),
  );

const newMeeting = async () => (await org.call('POST', '/api/meetings', { title: '第一党支部' })).body.id as string;
const roster = (meetingId: string, voters: { name: string; number: string; groups?: string[]; status?: string }[]) => org.call('POST', `/api/meetings/${meetingId}/voters`, { voters });

describe('candidates who vote in their own poll are matched to the roster by number', () => {
  for (const kind of ['three_evaluations', 'democratic_appraisal'] as const)
    it(`refuses a ${kind} poll with a candidate who has no roster number: 400 naming the candidate, nothing created`, async () => {
      const meetingId = await newMeeting();
      const before = rows();
      const answer = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
        title: '评议',
        kind,
        candidates: [
          { id: 'c1', name: '王芳', number: 'S01' },
          { id: 'c2', name: '李明' },
        ],
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('invalid_body');
      expect(answer.body.error.message).toMatch(/candidates\.1\.number: candidate 李明 needs their roster number/);
      expect(rows()).toEqual(before);
    });

  it('refuses two candidates with the same roster number', async () => {
    const meetingId = await newMeeting();
    const answer = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
      title: '三评',
      kind: 'three_evaluations',
      candidates: [
        { id: 'c1', name: '王芳', number: 'S01' },
        { id: 'c2', name: '李明', number: 'S01' },
      ],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/same roster number/);
  });

  it('takes a poll of applicants without numbers: they hold no vote in it', async () => {
    const meetingId = await newMeeting();
    const answer = await org.call('POST', `/api/meetings/${meetingId}/polls`, { title: '接收预备党员', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '张三' }] });
    expect(answer.status).toBe(201);
  });

  it('refuses to open check-in while a number names nobody on the roster (400 candidate_number, the poll stays a draft, no key), then opens once the candidate is added', async () => {
    const meetingId = await newMeeting();
    const poll = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
      title: '三评',
      kind: 'three_evaluations',
      candidates: [
        { id: 'c1', name: '王芳', number: 'S01' },
        { id: 'c2', name: '李明', number: 'S2' }, // a typo: the roster says S02
      ],
    });
    expect(poll.status).toBe(201);
    await roster(meetingId, [
      { name: '王芳', number: 'S01', groups: ['members'] },
      { name: '李明', number: 'S02', groups: ['members'] },
      { name: '老师', number: 'T01', groups: ['representatives'] },
    ]);
    const before = rows();
    for (const path of [`/api/polls/${poll.body.id}/transition`, `/api/meetings/${meetingId}/transition`]) {
      const refused = await org.call('POST', path, { to: 'checkin' });
      expect(refused.status, path).toBe(400);
      expect(refused.body.error.code).toBe('candidate_number');
      expect(refused.body.error.message).toMatch(/candidate 李明: no one on the roster has number S2/);
    }
    expect(rows()).toEqual(before);
    expect((await org.call('GET', `/api/polls/${poll.body.id}`)).body.phase).toBe('draft');

    await roster(meetingId, [{ name: '李明（另一学号）', number: 'S2', groups: ['members'] }]);
    expect((await org.call('POST', `/api/polls/${poll.body.id}/transition`, { to: 'checkin' })).status).toBe(200);
  });

  it('a democratic appraisal grades full members only: a probationary member among those graded keeps check-in closed, naming them', async () => {
    const meetingId = await newMeeting();
    const poll = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
      title: '年度民主评议党员',
      kind: 'democratic_appraisal',
      candidates: [
        { id: 'c1', name: '王芳', number: 'P01' },
        { id: 'c2', name: '李明', number: 'P02' },
      ],
    });
    expect(poll.status).toBe(201);
    await roster(meetingId, [
      { name: '王芳', number: 'P01' },
      { name: '李明', number: 'P02', status: 'probationary' },
    ]);
    const refused = await org.call('POST', `/api/polls/${poll.body.id}/transition`, { to: 'checkin' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'candidate_number', message: expect.stringMatching(/李明 \(P02\) is a probationary member on the roster: the democratic appraisal grades full members only/) });
    expect((await org.call('GET', `/api/polls/${poll.body.id}`)).body.phase).toBe('draft');
  });

  it('opening a meeting checks every poll first: one poll with an unknown number leaves every poll of the meeting a draft', async () => {
    const meetingId = await newMeeting();
    const good = await org.call('POST', `/api/meetings/${meetingId}/polls`, { title: '接收预备党员', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '张三' }] });
    const bad = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
      title: '年度民主评议党员',
      kind: 'democratic_appraisal',
      candidates: [{ id: 'm1', name: '甲', number: 'A9' }],
    });
    await roster(meetingId, [{ name: '甲', number: 'A1' }]);
    const before = rows();
    const refused = await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/年度民主评议党员.*candidate 甲: no one on the roster has number A9/);
    expect(rows()).toEqual(before);
    for (const id of [good.body.id, bad.body.id]) expect((await org.call('GET', `/api/polls/${id}`)).body.phase).toBe('draft');
  });
});
