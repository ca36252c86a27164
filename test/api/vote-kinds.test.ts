import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../server/cli/demo.ts';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import { signBundle } from '../../shared/crypto/bundle-signature.ts';
import { fromBase64 } from '../../shared/encoding.ts';
import type { BundleV2 } from '../../shared/protocol/bundle.ts';
import { POLL_KINDS } from '../../shared/tally/rules.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { checkInSlip, collect, openVoting, roomCodeOf, tokensOf } from '../helpers/meeting.ts';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('every kind through the HTTP API, published and re-verified', () => {
  it.each(POLL_KINDS)('%s', async (kind) => {
    const dir = mkdtempSync(join(tmpdir(), `anon-ballot-${kind}-`));
    dirs.push(dir);
    const { bundle } = await runDemo({ voters: 16, kind, dataDir: join(dir, 'data'), out: join(dir, 'bundle.json'), log: () => {} });
    expect(bundle.poll.rule.kind).toBe(kind);
    const report = await verifyBundle(bundle, { verifyPss: nodePssVerifier });
    expect(report.firstFailure).toBeUndefined();
    // The verifier written from docs/ alone agrees.
    const independent = await run(process.execPath, ['test/independent-verifier/verify-from-docs.mjs', join(dir, 'bundle.json')]);
    expect(independent.stdout).toMatch(/RESULT: bundle is VALID/);
    if (kind === 'three_evaluations') {
      expect(bundle.result.candidates).toHaveLength(3);
      expect(bundle.selfEvaluations).toHaveLength(3);
    } else if (kind !== 'generic') {
      expect(bundle.result.quorum).toBeDefined();
      expect(bundle.exclusions).toEqual([{ reason: '出国交流超过六个月', approvedBy: '学院党委' }]);
      // Written opinions belong to the branch general meeting's votes only.
      if (kind === 'member_acceptance' || kind === 'member_conversion') expect(bundle.writtenOpinions.length).toBeGreaterThan(0);
      else expect(bundle.writtenOpinions).toEqual([]);
      expect(JSON.stringify(bundle.writtenOpinions)).not.toMatch(/[\u4e00-\u9fff]{2}/); // no names
      for (const q of bundle.result.questions) expect(q.explanation?.zh).toBeTruthy();
      // A changed verdict, even re-signed with the installation's own key, is caught.
      const secret = fromBase64(JSON.parse(readFileSync(join(dir, 'data', 'installation-key.json'), 'utf8')).secretKey);
      const { signature: _s, ...unsigned } = structuredClone(bundle) as BundleV2;
      const first = unsigned.result.questions[0]!;
      first.verdict = first.verdict === 'passed' ? 'failed' : 'passed';
      const forged = await verifyBundle(signBundle(unsigned, secret), { verifyPss: nodePssVerifier });
      expect(forged.firstFailure).toMatchObject({ id: 'verdicts', code: 'verdict_mismatch' });
    }
  });
});

describe('meeting facts', () => {
  let t: TestServer;
  beforeAll(() => {
    t = startTestApp();
    seedUser(t);
  });
  afterAll(() => t.close());

  async function meetingWith(kind: string) {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: 'Branch meeting' })).body;
    const created = await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: 'Acceptance', kind, candidates: [{ id: 'c1', name: '张三' }] });
    expect(created.status).toBe(201);
    const voters = (
      await org.call('POST', `/api/meetings/${meeting.id}/voters`, {
        voters: [
          { name: 'Full A', number: '1' },
          { name: 'Full B', number: '2' },
          { name: 'Full C', number: '3' },
          { name: 'Probationary D', number: '4', status: 'probationary' },
        ],
      })
    ).body.voters as { id: string; name: string }[];
    return { org, meetingId: meeting.id as string, pollId: created.body.id as string, voters };
  }

  /** Checks in and reports the polls the device is now waiting in (none: the code gives no vote). */
  const checkIn = async (meetingId: string, slip: { link: string }) => {
    const org = await organizerClient(t);
    const device = await checkInSlip(t, slip, await roomCodeOf(org, meetingId));
    return { device, waiting: (await collect(device)).waiting };
  };

  it('refuses an acceptance or conversion poll whose rule is looser than the Working Rules, citing them, and creates nothing; a stricter one is created', async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: 'Branch meeting' })).body;
    for (const kind of ['member_acceptance', 'member_conversion'])
      for (const settings of [{ pass: { base: 'present' } }, { quorum: { comparison: 'at_least' } }]) {
        const refused = await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: 'Loose', kind, candidates: [{ id: 'c1', name: '张三' }], settings });
        expect(refused.status).toBe(400);
        expect(refused.body.error).toMatchObject({ code: 'invalid_body', message: expect.stringContaining('《中国共产党发展党员工作细则》') });
      }
    expect((await org.call('GET', `/api/meetings/${meeting.id}`)).body.polls).toEqual([]);
    const strict = await org.call('POST', `/api/meetings/${meeting.id}/polls`, {
      title: 'Strict',
      kind: 'member_acceptance',
      candidates: [{ id: 'c1', name: '张三' }],
      settings: { quorum: { fraction: '4/5', comparison: 'at_least' } },
    });
    expect(strict.status).toBe(201);
    expect(strict.body.rule.quorum).toEqual({ fraction: '4/5', comparison: 'at_least' });
  });

  it('without quorum voting does not open: the head count is refused with the rule, nothing is signed, 会议改期 is recorded, and the next meeting’s count opens it', async () => {
    const { org, meetingId, pollId, voters } = await meetingWith('member_acceptance');
    // 2 full members expected (one of three away with approval): 2 are more than half, 1 is not.
    expect((await org.call('PUT', `/api/meetings/${meetingId}/exclusions/${voters[2]!.id}`, { reason: 'long illness', approvedBy: '学院党委' })).status).toBe(200);
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { voterId: string; link: string }[];
    const slipOf = (i: number) => slips.find((s) => s.voterId === voters[i]!.id)!;
    const first = await checkIn(meetingId, slipOf(0));
    const refused = await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting', headCount: 1 });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'no_quorum', message: expect.stringContaining('不能开会') });
    expect(refused.body.error.message).toMatch(/1 voting member present, not more than half of the 2 expected \(2 needed\)/);
    const poll = (await org.call('GET', `/api/meetings/${meetingId}`)).body.polls.find((p: { id: string }) => p.id === pollId);
    expect(poll.phase).toBe('checkin');
    expect((await collect(first.device)).waiting).toEqual([pollId]);
    expect(tokensOf(first.device, pollId)).toHaveLength(0);
    // The expected count was fixed when check-in opened: no exclusion can lower it to meet the quorum now.
    const shrink = await org.call('PUT', `/api/meetings/${meetingId}/exclusions/${voters[1]!.id}`, { reason: '外出', approvedBy: '书记' });
    expect([shrink.status, shrink.body.error.message]).toEqual([409, expect.stringContaining('the expected count was fixed when check-in opened')]);
    // 会议改期 goes into the record with the count, once; a count below the check-ins, or one that reaches the quorum, is refused.
    const roomCode = await roomCodeOf(org, meetingId);
    const miscount = await org.call('POST', `/api/polls/${pollId}/reschedule`, { headCount: 0 });
    expect([miscount.status, miscount.body.error.message]).toEqual([409, '1 have checked in but 0 were counted in the room: count again']);
    const held = await org.call('POST', `/api/polls/${pollId}/reschedule`, { headCount: 2 });
    expect([held.status, held.body.error.message]).toEqual([409, expect.stringContaining('the meeting can be held')]);
    expect((await org.call('POST', `/api/polls/${pollId}/reschedule`, { headCount: 1 })).body).toEqual({ headCount: 1, checkedIn: 1, expected: 2, needed: 2 });
    expect((await org.call('POST', `/api/polls/${pollId}/reschedule`, { headCount: 1 })).body.error.message).toMatch(/already recorded today/);
    const record = (await org.call('GET', `/api/meetings/${meetingId}/audit`)).body.entries.filter((e: { action: string }) => e.action === 'meeting_rescheduled');
    expect(record.map((e: { details: string }) => JSON.parse(e.details))).toEqual([{ checkedIn: 1, expected: 2, headCount: 1, needed: 2 }]);
    // Today's room code no longer checks anyone in: the next meeting shows a new one.
    expect(await roomCodeOf(org, meetingId)).not.toBe(roomCode);
    // The rescheduled meeting: the first member's check-in was kept, the second checks in, and the count opens voting.
    await checkIn(meetingId, slipOf(1));
    await openVoting(org, pollId, 2);
    await collect(first.device);
    expect(tokensOf(first.device, pollId)).toHaveLength(1);
  });

  it('an activist poll opens below its attendance indicator: the indicator is reported with the result, it does not stop the appraisal', async () => {
    const { org, meetingId, pollId } = await meetingWith('activist_confirmation');
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    expect((await org.call('POST', `/api/polls/${pollId}/reschedule`, { headCount: 0 })).status).toBe(409);
    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting', headCount: 0 })).status).toBe(200);
  });

  it('probationary members attend but get no token at a branch general meeting; exclusions lower the expected count', async () => {
    const { org, meetingId, pollId, voters } = await meetingWith('member_acceptance');
    const exclude = await org.call('PUT', `/api/meetings/${meetingId}/exclusions/${voters[2]!.id}`, { reason: 'long illness', approvedBy: '学院党委' });
    expect(exclude.status).toBe(200);
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { voterId: string; link: string }[];
    const slipOf = (i: number) => slips.find((s) => s.voterId === voters[i]!.id)!;
    const full = await checkIn(meetingId, slipOf(0));
    expect(full.waiting).toEqual([pollId]);
    expect((await checkIn(meetingId, slipOf(1))).waiting).toEqual([pollId]);
    expect((await checkIn(meetingId, slipOf(3))).waiting).toEqual([]); // probationary
    expect((await checkIn(meetingId, slipOf(2))).waiting).toEqual([]); // excluded
    const turnout = (await (await t.app.request(`/api/public/polls/${pollId}/turnout`)).json()) as any;
    expect(turnout).toMatchObject({ expected: 2, checkedIn: 2 });
    const record = await org.call('GET', `/api/polls/${pollId}/record`);
    expect(record.body.exclusions).toEqual([expect.objectContaining({ name: 'Full C', reason: 'long illness', approvedBy: '学院党委' })]);
    // Excluding a member who has checked in is refused.
    const late = await org.call('PUT', `/api/meetings/${meetingId}/exclusions/${voters[0]!.id}`, { reason: 'left early', approvedBy: 'x' });
    expect(late.status).toBe(409);
    await openVoting(org, pollId, 2);
    await collect(full.device);
    expect(tokensOf(full.device, pollId)).toHaveLength(1);
  });

  it('a written opinion stands in for an absent member: entered before voting, counted, and that member cannot also check in', async () => {
    const { org, meetingId, pollId, voters } = await meetingWith('member_acceptance');
    const bad = await org.call('PUT', `/api/polls/${pollId}/written-opinions/${voters[1]!.id}`, { choices: { c1: 'maybe' } });
    expect(bad.status).toBe(400);
    const probationary = await org.call('PUT', `/api/polls/${pollId}/written-opinions/${voters[3]!.id}`, { choices: { c1: 'agree' } });
    expect(probationary.status).toBe(403);
    expect((await org.call('PUT', `/api/polls/${pollId}/written-opinions/${voters[1]!.id}`, { choices: { c1: 'agree' } })).status).toBe(200);
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { voterId: string; link: string }[];
    expect((await checkIn(meetingId, slips.find((s) => s.voterId === voters[1]!.id)!)).waiting).toEqual([]);
    // 3 expected, nobody present: the meeting cannot be held, whatever the written opinions say.
    const noQuorum = await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting', headCount: 0 });
    expect(noQuorum.body.error).toMatchObject({ code: 'no_quorum' });
    // A written opinion counts as a vote, not as attendance: two of the other three must be present.
    for (const i of [0, 2]) expect((await checkIn(meetingId, slips.find((s) => s.voterId === voters[i]!.id)!)).waiting).toEqual([pollId]);
    await openVoting(org, pollId, 2);
    const tooLate = await org.call('PUT', `/api/polls/${pollId}/written-opinions/${voters[2]!.id}`, { choices: { c1: 'agree' } });
    expect(tooLate.status).toBe(409);
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as BundleV2;
    expect(bundle.writtenOpinions).toEqual([{ questionId: 'c1', choice: 'agree' }]);
    // Nobody cast a ballot: the written opinion alone is 1 of the 2 votes needed.
    expect(bundle.result.questions[0]).toMatchObject({ counts: { agree: 1, disagree: 0, abstain: 0 }, verdict: 'failed', threshold: 2, writtenOpinions: 1 });
  });

  it.each(['league_recommendation', 'activist_confirmation', 'democratic_appraisal', 'three_evaluations'])(
    'a %s poll takes no written opinion: they belong to the branch general meeting',
    async (kind) => {
      const org = await organizerClient(t);
      const meeting = (await org.call('POST', '/api/meetings', { title: 'Not a branch general meeting' })).body;
      const created = await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: 'Poll', kind, candidates: [{ id: 'c1', name: '张三', number: '9' }] });
      expect(created.status).toBe(201);
      const voters = (await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: [{ name: 'A', number: '1', groups: created.body.groups }] })).body.voters as { id: string }[];
      const question = created.body.questions[0];
      const answer = question.type === 'approval' ? ['c1'] : question.type === 'single' ? question.options[0] : 'abstain';
      const refused = await org.call('PUT', `/api/polls/${created.body.id}/written-opinions/${voters[0]!.id}`, { choices: { [question.id]: answer } });
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(/written opinions belong to the branch general meeting's votes/);
      expect((await org.call('GET', `/api/polls/${created.body.id}/record`)).body.writtenOpinions).toEqual([]);
    },
  );

  it('a conversion poll drops "extend" for a candidate already extended once, and warns', async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: 'Conversion' })).body;
    const created = await org.call('POST', `/api/meetings/${meeting.id}/polls`, {
      title: 'Conversion',
      kind: 'member_conversion',
      candidates: [
        { id: 'c1', name: 'A' },
        { id: 'c2', name: 'B' },
      ],
      settings: { extendedBefore: ['c2'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.questions[0].options).toEqual(['convert', 'extend', 'cancel', 'abstain']);
    expect(created.body.questions[1].options).toEqual(['convert', 'cancel', 'abstain']);
    expect(created.body.warnings).toEqual([expect.objectContaining({ candidate: 'c2', zh: expect.stringMatching(/只能一次/) })]);
    const unknown = await org.call('POST', `/api/meetings/${meeting.id}/polls`, {
      title: 'Conversion',
      kind: 'member_conversion',
      candidates: [{ id: 'c1', name: 'A' }],
      settings: { extendedBefore: ['c9'] },
    });
    expect(unknown.status).toBe(400);
    const badSetting = await org.call('POST', `/api/meetings/${meeting.id}/polls`, {
      title: 'X',
      kind: 'member_acceptance',
      candidates: [{ id: 'c1', name: 'A' }],
      settings: { pass: { base: 'everyone' } },
    });
    expect(badSetting.status).toBe(400);
    expect(badSetting.body.error.message).toMatch(/settings/);
  });

  it("records the committee's decision and a pre-examination beside an advisory result, after close only", async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: 'Development objects' })).body;
    const poll = (
      await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: '确定发展对象', kind: 'development_object_confirmation', candidates: [{ id: 'c1', name: '张三' }] })
    ).body;
    expect(poll.questions[0].options).toEqual(['good', 'fairly_good', 'average', 'poor', 'abstain']);
    expect(poll.questions[0].optionLabels.abstain).toBe('不了解');
    const decision = { step: 'committee_decision', outcome: 'confirmed', decidedBy: '支部委员会', date: '2026-11-20', note: '经支委会研究' };
    expect((await org.call('PUT', `/api/polls/${poll.id}/decisions/c1`, decision)).status).toBe(409);
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: [{ name: 'A', number: '1' }] });
    await org.call('POST', `/api/polls/${poll.id}/transition`, { to: 'checkin' });
    await openVoting(org, poll.id, 0);
    await org.call('POST', `/api/polls/${poll.id}/transition`, { to: 'closed' });
    expect((await org.call('PUT', `/api/polls/${poll.id}/decisions/c1`, { ...decision, outcome: 'approved' })).status).toBe(400);
    expect((await org.call('PUT', `/api/polls/${poll.id}/decisions/c1`, { ...decision, date: '20 Nov' })).status).toBe(400);
    expect((await org.call('PUT', `/api/polls/${poll.id}/decisions/c9`, decision)).status).toBe(404);
    expect((await org.call('PUT', `/api/polls/${poll.id}/decisions/c1`, decision)).status).toBe(200);
    const pre = { step: 'pre_examination', outcome: 'approved', decidedBy: '学院党委', date: '2026-11-25' };
    expect((await org.call('PUT', `/api/polls/${poll.id}/decisions/c1`, pre)).status).toBe(200);
    const record = await org.call('GET', `/api/polls/${poll.id}/record`);
    expect(record.body.decisions).toEqual([
      { questionId: 'c1', ...decision },
      { questionId: 'c1', ...pre, note: '' },
    ]);
    await org.call('POST', `/api/polls/${poll.id}/transition`, { to: 'published' });
    const board = (await (await t.app.request(`/api/public/polls/${poll.id}/decisions`)).json()) as any;
    expect(board.decisions).toHaveLength(2);
    const audit = await org.call('GET', `/api/meetings/${meeting.id}/audit`);
    expect(audit.body.entries.filter((e: any) => e.action === 'record_decision')).toHaveLength(2);
    // 团委审核 belongs to a league recommendation, not to a development object.
    const review = { step: 'league_review', outcome: 'agreed', decidedBy: '校团委', date: '2026-11-26' };
    expect((await org.call('PUT', `/api/polls/${poll.id}/decisions/c1`, review)).body.error.message).toMatch(/团委审核/);
  });

  it('records the league committee’s review (团委审核) of a league recommendation after close', async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: '推优' })).body;
    const poll = (await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: '推荐优秀团员', kind: 'league_recommendation', candidates: [{ id: 'w', name: '王五' }] })).body;
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: [{ name: 'A', number: '1' }] });
    await org.call('POST', `/api/polls/${poll.id}/transition`, { to: 'checkin' });
    await openVoting(org, poll.id, 1, { headCountNote: 'A 到会，未用手机签到' });
    await org.call('POST', `/api/polls/${poll.id}/transition`, { to: 'closed' });
    const review = { step: 'league_review', outcome: 'agreed', decidedBy: '校团委', date: '2026-11-26' };
    expect((await org.call('PUT', `/api/polls/${poll.id}/decisions/recommend`, { ...review, outcome: 'approved' })).status).toBe(400);
    expect((await org.call('PUT', `/api/polls/${poll.id}/decisions/recommend`, review)).status).toBe(200);
    expect((await org.call('GET', `/api/polls/${poll.id}/record`)).body.decisions).toEqual([{ questionId: 'recommend', ...review, note: '' }]);
  });
});
