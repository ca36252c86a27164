import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import { signBundle } from '../../shared/crypto/bundle-signature.ts';
import { ballotReceipt } from '../../shared/crypto/receipt.ts';
import { fromBase64, fromBase64Url, toHex } from '../../shared/encoding.ts';
import type { BundleV2 } from '../../shared/protocol/bundle.ts';
import { castPoll, ensureCandidateKeys, heldTokens, openCandidateComments, submitSelfEvaluation, voterSlot } from '../../shared/protocol/voter-flow.ts';
import { signSelfEvaluation } from '../../shared/crypto/candidate-key.ts';
import { ed25519 } from '@noble/curves/ed25519.js';
import { toBase64 } from '../../shared/encoding.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { checkInSlip, collect, openVoting, roomCodeOf, tokensOf, voterApi, type Device } from '../helpers/meeting.ts';

let t: TestServer;
beforeAll(() => {
  t = startTestApp();
  seedUser(t);
});
afterAll(() => t.close());

const CRITERIA = ['political', 'daily_conduct', 'key_moments', 'study', 'social_practice'];
const flat = (score: number) => Object.fromEntries(CRITERIA.map((c) => [c, score]));

describe('the three evaluations through the HTTP API', () => {
  it('a candidate who is also a representative gets no token for their own candidacy in any group: their view counts once, in their signed self-evaluation', async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: '三评（代表兼候选人）' })).body;
    const created = await org.call('POST', `/api/meetings/${meeting.id}/polls`, {
      title: '发展对象三评',
      kind: 'three_evaluations',
      candidates: [
        { id: 'c1', name: 'R1', number: 'r1' },
        { id: 'c2', name: 'M1', number: 'm1' },
      ],
    });
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, {
      voters: [
        { name: 'R1', number: 'r1', groups: ['representatives', 'members'] },
        { name: 'R2', number: 'r2', groups: ['representatives'] },
        { name: 'M1', number: 'm1', groups: ['members'] },
      ],
    });
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meeting.id}/slips`, {})).body.slips as { name: string; code: string }[];
    const keysOf = async (name: string) =>
      (await voterApi(t).lookup(slips.find((s) => s.name === name)!.code)).polls.flatMap((p) => p.keys.map((k) => `${k.group}:${k.questionId}`));
    expect(await keysOf('R1')).toEqual(['representatives:c2']);
    expect(await keysOf('R2')).toEqual(['representatives:c1', 'representatives:c2']);
    expect(await keysOf('M1')).toEqual(['members:c1']);
    expect(created.status).toBe(201);
  });

  it('scores anonymously by group, takes signed self-evaluations, withholds a group under the floor everywhere, and verifies', async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: '三评' })).body;
    const created = await org.call('POST', `/api/meetings/${meeting.id}/polls`, {
      title: '发展对象三评',
      kind: 'three_evaluations',
      candidates: [
        { id: 'c1', name: 'M1', number: 'm1' },
        { id: 'c2', name: 'M2', number: 'm2' },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body.groups).toEqual(['representatives', 'members']);
    expect(created.body.questions[0]).toMatchObject({ type: 'score', criteria: CRITERIA, min: 0, max: 100 });
    const roster = [
      { name: 'R1', number: 'r1', groups: ['representatives'] },
      { name: 'R2', number: 'r2', groups: ['representatives'] },
      ...['m1', 'm2', 'm3', 'm4', 'm5'].map((n) => ({ name: n.toUpperCase(), number: n, groups: ['members'] })),
    ];
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: roster });
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meeting.id}/slips`, {})).body.slips as { name: string; code: string; link: string }[];
    const slipOf = (name: string) => slips.find((s) => s.name === name)!;
    const api = voterApi(t);

    const roomCode = await roomCodeOf(org, meeting.id);
    const devices: (Device & { name: string })[] = [];
    for (const slip of slips) devices.push({ name: slip.name, ...(await checkInSlip(t, slip, roomCode)) });
    const deviceOf = (name: string) => devices.find((d) => d.name === name)!;

    // Self-evaluations: signed on the candidate's own device with the key it registered at check-in.
    const meetingView = await api.meeting(meeting.id);
    expect(meetingView.polls[0]!.candidateKeys!.map((k) => k.questionId)).toEqual(['c1', 'c2']);
    await submitSelfEvaluation(api, deviceOf('M1').store, slipOf('M1').code, created.body.id, flat(90));
    await expect(submitSelfEvaluation(api, deviceOf('M3').store, slipOf('M3').code, created.body.id, flat(90))).rejects.toMatchObject({ code: 'candidate_key_missing' });
    await expect(api.selfEvaluate(slipOf('M3').code, created.body.id, flat(90), toBase64(new Uint8Array(64)))).rejects.toMatchObject({ code: 'not_eligible' });
    await expect(submitSelfEvaluation(api, deviceOf('M2').store, slipOf('M2').code, created.body.id, { ...flat(90), study: 101 })).rejects.toMatchObject({ code: 'invalid_choices' });
    // The organizer, who printed the slips, holds M2's code but not M2's key: a statement in M2's name is refused.
    const forgedStatement = signSelfEvaluation(ed25519.utils.randomSecretKey(), created.body.id, 'c2', flat(100));
    await expect(api.selfEvaluate(slipOf('M2').code, created.body.id, flat(100), forgedStatement)).rejects.toMatchObject({ code: 'self_evaluation_signature' });
    // Other keys for M2 (in the room, with the printed code) do not replace M2's: they wait for a
    // scrutineer (candidate-key-approval.test.ts), and M2's signed statement stays.
    await submitSelfEvaluation(api, deviceOf('M2').store, slipOf('M2').code, created.body.id, flat(70));
    const before = (await api.meeting(meeting.id)).polls[0]!.candidateKeys!.find((k) => k.questionId === 'c2')!.fingerprint;
    const intruder = await api.registerCandidateKey(slipOf('M2').code, roomCode, created.body.id, { signingKey: toBase64(ed25519.getPublicKey(ed25519.utils.randomSecretKey())), boxKey: toBase64(new Uint8Array(32).fill(9)) });
    expect(intruder).toMatchObject({ questionId: 'c2', state: 'awaiting_approval' });
    expect(intruder.fingerprint).not.toBe(before);
    expect((await api.meeting(meeting.id)).polls[0]!.candidateKeys!.find((k) => k.questionId === 'c2')!.fingerprint).toBe(before);
    expect(t.deps.db.$client.prepare("SELECT count(*) AS n FROM self_evaluations WHERE question_id = 'c2'").get()).toEqual({ n: 1 });
    // M2's own device registering again changes nothing: its keys are the registered ones.
    await ensureCandidateKeys(api, deviceOf('M2').store, slipOf('M2').code, roomCode, await api.meeting(meeting.id), [{ pollId: created.body.id, questionId: 'c2' }]);
    expect((await api.meeting(meeting.id)).polls[0]!.candidateKeys!.find((k) => k.questionId === 'c2')!.fingerprint).toBe(before);

    await openVoting(org, created.body.id, devices.length);
    for (const device of devices) await collect(device);
    // A candidate holds no token for their own candidacy, in any group.
    expect(tokensOf(devices.find((d) => d.name === 'M1')!, created.body.id).map((x) => x.questionId)).toEqual(['c2']);
    // Representatives give 50 everywhere; members give 80, except M5 who cannot judge c2 (不了解).
    for (const device of devices) {
      const held = tokensOf(device, created.body.id);
      const score = held[0]!.group === 'representatives' ? 50 : 80;
      const answers = Object.fromEntries(held.map((h) => [h.questionId, device.name === 'M5' && h.questionId === 'c2' ? 'abstain' : flat(score)]));
      await castPoll(api, device.store, device.voter, device.meeting.polls[0]!, device.meeting.signer, answers);
    }
    await org.call('POST', `/api/polls/${created.body.id}/transition`, { to: 'closed' });
    const bundle = (await org.call('GET', `/api/polls/${created.body.id}/bundle`)).body as BundleV2;

    // Two representatives < k = 3: their average is withheld, and their sheets are redacted.
    const [c1, c2] = bundle.result.candidates!;
    expect(c1).toMatchObject({
      id: 'c1',
      groups: { representatives: { raters: 2, average: null }, members: { raters: 4, average: 80 }, self: { raters: 1, average: 90 } },
      // (40 × 80 + 30 × 90) / 70 = 5900 / 70 = 84.2857… → 84.29
      composite: 84.29,
      band: 'good',
      withheld: ['representatives'],
      valid: true,
    });
    // c2: members 80 (M5's 不了解 is a ballot but not a rater) and M2's own 70: (40 × 80 + 30 × 70) / 70 = 75.714… → 75.71.
    expect(c2).toMatchObject({ composite: 75.71, groups: { members: { raters: 3 }, self: { raters: 1, average: 70 } } });
    expect(c1!.explanation.zh).toMatch(/平均分不公布/);
    expect(JSON.stringify(bundle.ballots)).not.toMatch(/:50\b/);
    // The representatives' ballots are withheld (no salt, no scores), both keys; their receipts stay.
    const withheld = bundle.ballots.filter((b) => b.answer === 'withheld');
    expect(withheld).toHaveLength(4);
    expect(withheld.every((b) => b.salt === undefined && /^[0-9a-f]{64}$/.test(b.receipt))).toBe(true);
    expect(bundle.ballots.filter((b) => b.answer === 'abstain')).toHaveLength(1);
    expect(bundle.selfEvaluations).toEqual([
      { questionId: 'c1', scores: flat(90), signature: expect.any(String) },
      { questionId: 'c2', scores: flat(70), signature: expect.any(String) },
    ]);
    expect(bundle.candidateKeys!.map((k) => k.questionId)).toEqual(['c1', 'c2']);
    expect(bundle.electorate.expectedByGroup).toEqual({ representatives: 2, members: 5 });
    const report = await verifyBundle(bundle, { verifyPss: nodePssVerifier, expectedSignerPublicKey: t.deps.installationKey.publicKeyBase64 });
    expect(report.firstFailure).toBeUndefined();

    // A server that hid the scores of a group that is shown would be caught, even re-signed.
    const { signature: _s, ...unsigned } = structuredClone(bundle);
    const memberBallot = unsigned.ballots.find((b) => JSON.stringify(b.answer).includes(':80'))!;
    memberBallot.answer = 'withheld';
    delete memberBallot.salt;
    const forged = await verifyBundle(signBundle(unsigned, t.deps.installationKey.secretKey), { verifyPss: nodePssVerifier });
    expect(forged.firstFailure?.id).toBe('answers');
    expect(forged.firstFailure?.code).toBe('withheld_without_cause');
    // Every shown receipt binds its answer.
    for (const b of bundle.ballots.filter((x) => x.salt)) expect(toHex(ballotReceipt(fromBase64Url(b.token), fromBase64(b.salt!), b.answer))).toBe(b.receipt);

    // Nothing the organizer can read shows the withheld average either.
    const views = [await org.call('GET', `/api/polls/${created.body.id}`), await org.call('GET', `/api/polls/${created.body.id}/record`)];
    for (const view of views) expect(JSON.stringify(view.body)).not.toMatch(/"average":50/);
  });
});

describe('per-candidate comments', () => {
  it('reach the candidate after close, unattributed and in no order of arrival; never before, never anyone else', async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: '三评（评语）' })).body;
    const poll = (
      await org.call('POST', `/api/meetings/${meeting.id}/polls`, {
        title: '发展对象三评',
        kind: 'three_evaluations',
        candidates: [
          { id: 'c1', name: 'M1', number: 'm1' },
          { id: 'c2', name: 'M2', number: 'm2' },
        ],
      })
    ).body;
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, {
      voters: [{ name: 'R1', number: 'r1', groups: ['representatives'] }, ...['m1', 'm2', 'm3', 'm4'].map((n) => ({ name: n.toUpperCase(), number: n, groups: ['members'] }))],
    });
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meeting.id}/slips`, {})).body.slips as { name: string; code: string; link: string }[];
    const codeOf = (name: string) => slips.find((s) => s.name === name)!.code;
    const api = voterApi(t);
    const roomCode = await roomCodeOf(org, meeting.id);
    const devices: (Device & { name: string })[] = [];
    for (const slip of slips) devices.push({ name: slip.name, ...(await checkInSlip(t, slip, roomCode)) });
    await openVoting(org, poll.id, devices.length);
    for (const device of devices) await collect(device);

    // The representative and M3 score c2 (one rater in each group, under the floor of 3); the
    // members M2–M4 score c1; every other ballot says 不了解.
    const written: Record<string, string> = { M2: '组织能力强', M3: 'Needs to speak up more', M4: '' };
    for (const device of devices) {
      const held = heldTokens(device.store, device.voter, poll.id);
      const scores = (q: string) => (q === 'c1' ? ['M2', 'M3', 'M4'].includes(device.name) : ['R1', 'M3'].includes(device.name));
      const answers = Object.fromEntries(held.map((h) => [h.questionId, scores(h.questionId) ? flat(q(h.questionId)) : 'abstain']));
      const comments = Object.fromEntries(held.filter((h) => scores(h.questionId)).map((h) => [h.questionId, h.questionId === 'c1' ? (written[device.name] ?? '') : `评语 ${device.name}`]));
      if (device.name === 'M4') {
        // A comment on a candidate the rater did not score (不了解) is refused, with the whole submission.
        await expect(castPoll(api, device.store, device.voter, device.meeting.polls[0]!, device.meeting.signer, answers, { c2: '没打分却写评语' })).rejects.toMatchObject({
          code: 'invalid_choices',
        });
      }
      await castPoll(api, device.store, device.voter, device.meeting.polls[0]!, device.meeting.signer, answers, comments);
    }
    function q(id: string) {
      return id === 'c1' ? 85 : 70;
    }

    // Nothing before close, and only the candidate: another member's code is not_eligible.
    expect(await api.candidateComments(codeOf('M1'))).toEqual({ candidacies: [] });
    await org.call('POST', `/api/polls/${poll.id}/transition`, { to: 'closed' });
    expect(await api.candidateComments(codeOf('M3'))).toEqual({ candidacies: [] });

    const forC1 = await api.candidateComments(codeOf('M1'));
    expect(forC1.candidacies).toEqual([{ pollId: poll.id, pollTitle: '发展对象三评', questionId: 'c1', comments: [expect.any(String), expect.any(String)] }]);
    // Sealed to M1's key: the server hands out what it cannot read; M1's device opens them. Empty
    // comments were never sent; the rest come sorted by their text, not by who wrote them or when.
    const sealed = forC1.candidacies[0]!.comments!;
    expect(sealed.join()).not.toMatch(/组织能力强|speak/);
    const m1 = devices.find((d) => d.name === 'M1')!;
    expect(await openCandidateComments(m1.store, voterSlot(codeOf('M1')), poll.id, sealed)).toEqual(['Needs to speak up more', '组织能力强'].sort());
    // Another device (the organizer's, with the printed code) holds no key and opens nothing.
    const { memoryStore } = await import('../../shared/protocol/voter-flow.ts');
    expect(await openCandidateComments(memoryStore(), voterSlot(codeOf('M1')), poll.id, sealed)).toBeNull();
    const m2 = devices.find((d) => d.name === 'M2')!;
    await expect(openCandidateComments(m2.store, voterSlot(codeOf('M2')), poll.id, sealed)).rejects.toMatchObject({ code: 'comment_sealed' });
    // c2 was scored by one representative and one member: each comment could be told apart, so none is shown.
    expect((await api.candidateComments(codeOf('M2'))).candidacies).toEqual([expect.objectContaining({ questionId: 'c2', comments: null })]);
    await expect(api.candidateComments('AAAA-BBBB-CCCC-DDDD')).rejects.toMatchObject({ code: 'unknown_code' });
    // Nor can the organizer issue M1 a fresh code after close to read them.
    const reissue = await org.call('POST', `/api/meetings/${meeting.id}/slips`, {});
    expect([reissue.status, reissue.body.error.code]).toEqual([409, 'wrong_phase']);

    // Comments are not in the bundle (they belong to the candidate alone), the database never held
    // them readable, and their table holds nothing of a ballot.
    const bundle = (await org.call('GET', `/api/polls/${poll.id}/bundle`)).body;
    expect(JSON.stringify(bundle)).not.toMatch(/组织能力强/);
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    for (const file of readdirSync(t.dataDir)) expect(readFileSync(join(t.dataDir, file)).includes(Buffer.from('组织能力强'))).toBe(false);
    const columns = t.deps.db.$client.prepare(`SELECT name FROM pragma_table_xinfo('candidate_comments')`).all() as { name: string }[];
    expect(columns.map((c) => c.name)).toEqual(['id', 'poll_id', 'question_id', 'text']);
  });

  it('are refused on polls other than the three evaluations', async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: '接收' })).body;
    const poll = (await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: '接收', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '李四' }] })).body;
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: [{ name: 'A', number: 'a' }] });
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' });
    const [slip] = (await org.call('POST', `/api/meetings/${meeting.id}/slips`, {})).body.slips;
    const device = await checkInSlip(t, slip, await roomCodeOf(org, meeting.id));
    await openVoting(org, poll.id, 1);
    await collect(device);
    const [held] = tokensOf(device, poll.id);
    const sealedLooking = toBase64(new Uint8Array(80).fill(7));
    await expect(device.api.cast([{ token: held!.token, salt: held!.salt, answer: 'agree', comment: sealedLooking }])).rejects.toMatchObject({ code: 'invalid_choices' });
    await expect(device.api.cast([{ token: held!.token, salt: held!.salt, answer: 'agree', comment: '同意' }])).rejects.toMatchObject({ code: 'invalid_body' });
    expect((await org.call('GET', `/api/polls/${poll.id}`)).body.turnout.submitted).toBe(0);
  });
});
