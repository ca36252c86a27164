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
      expect(bundle.writtenOpinions.length).toBeGreaterThan(0);
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

  it('probationary members attend but get no token at a branch general meeting; exclusions lower the expected count', async () => {
    const { org, meetingId, pollId, voters } = await meetingWith('member_acceptance');
    const exclude = await org.call('PUT', `/api/meetings/${meetingId}/exclusions/${voters[2]!.id}`, { reason: 'long illness', approvedBy: '学院党委' });
    expect(exclude.status).toBe(200);
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { voterId: string; link: string }[];
    const slipOf = (i: number) => slips.find((s) => s.voterId === voters[i]!.id)!;
    const full = await checkIn(meetingId, slipOf(0));
    expect(full.waiting).toEqual([pollId]);
    expect((await checkIn(meetingId, slipOf(3))).waiting).toEqual([]); // probationary
    expect((await checkIn(meetingId, slipOf(2))).waiting).toEqual([]); // excluded
    const turnout = (await (await t.app.request(`/api/public/polls/${pollId}/turnout`)).json()) as any;
    expect(turnout).toMatchObject({ expected: 2, checkedIn: 1 });
    const record = await org.call('GET', `/api/polls/${pollId}/record`);
    expect(record.body.exclusions).toEqual([expect.objectContaining({ name: 'Full C', reason: 'long illness', approvedBy: '学院党委' })]);
    // Excluding a member who has checked in is refused.
    const late = await org.call('PUT', `/api/meetings/${meetingId}/exclusions/${voters[0]!.id}`, { reason: 'left early', approvedBy: 'x' });
    expect(late.status).toBe(409);
    await openVoting(org, pollId, 1);
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
    await openVoting(org, pollId, 0);
    const tooLate = await org.call('PUT', `/api/polls/${pollId}/written-opinions/${voters[2]!.id}`, { choices: { c1: 'agree' } });
    expect(tooLate.status).toBe(409);
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as BundleV2;
    expect(bundle.writtenOpinions).toEqual([{ questionId: 'c1', choice: 'agree' }]);
    // 3 expected, nobody present: no quorum, whatever the written opinions say.
    expect(bundle.result.questions[0]).toMatchObject({ counts: { agree: 1, disagree: 0, abstain: 0 }, verdict: 'no_quorum', writtenOpinions: 1 });
  });

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
  });
});
