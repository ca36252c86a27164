/**
 * A candidate's own keys in the three evaluations (protocol §5a): the first keys registered for a
 * candidacy hold. Keys registered later with the same printed code — by the organizer who printed
 * it, or from the candidate's new phone — only wait until a scrutineer named for the poll, looking
 * at the candidate's own phone in the room, approves the fingerprint it shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateKeyFingerprint, generateCandidateKeys } from '../../shared/crypto/candidate-key.ts';
import { heldCandidateFingerprint, submitSelfEvaluation } from '../../shared/protocol/voter-flow.ts';
import { checkInSlip, openVoting, roomCodeOf, voterApi } from '../helpers/meeting.ts';
import { ORGANIZER_PASSWORD, organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';

let t: TestServer;
beforeAll(() => {
  t = startTestApp();
  seedUser(t, 'orgdept', 'admin');
});
afterAll(() => t.close());

const CRITERIA = ['political', 'daily_conduct', 'key_moments', 'study', 'social_practice'];
const flat = (score: number) => Object.fromEntries(CRITERIA.map((c) => [c, score]));
/** Keys someone else makes for the candidacy: the organizer with the printed code. */
function strangerKeys() {
  const { signingKey, boxKey } = generateCandidateKeys();
  return { signingKey, boxKey };
}

describe("replacing a candidate's keys", () => {
  it('needs a scrutineer who approves the fingerprint on the candidate’s phone; the organizer’s keys only wait', async () => {
    const admin = await organizerClient(t, 'orgdept');
    const unitId = (await admin.call('POST', '/api/units', { name: '计算机学院学生党支部' })).body.id;
    for (const [username, role] of [['secretary', 'organizer'], ['zhao', 'scrutineer']] as const)
      expect((await admin.call('POST', '/api/users', { username, password: ORGANIZER_PASSWORD, role, unitId })).status).toBe(201);
    const [org, zhao] = await Promise.all([organizerClient(t, 'secretary'), organizerClient(t, 'zhao')]);
    const meetingId = (await org.call('POST', '/api/meetings', { title: '三评' })).body.id as string;
    const pollId = (
      await org.call('POST', `/api/meetings/${meetingId}/polls`, {
        title: '发展对象三评',
        kind: 'three_evaluations',
        candidates: [
          { id: 'c1', name: '李明', number: 'm1' },
          { id: 'c2', name: '王芳', number: 'm2' },
        ],
      })
    ).body.id as string;
    const roster = [
      ...['m1', 'm2', 'm3'].map((n, i) => ({ name: ['李明', '王芳', '张伟'][i]!, number: n, groups: ['members'] })),
      { name: '老师', number: 't1', groups: ['representatives'] },
    ];
    await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: roster });
    expect((await org.call('PUT', `/api/polls/${pollId}/scrutineers`, { scrutineers: [{ name: '赵监票', role: 'supervisor', account: 'zhao' }] })).status).toBe(200);
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { name: string; code: string; link: string }[];
    const slipOf = (name: string) => slips.find((s) => s.name === name)!;
    const roomCode = await roomCodeOf(org, meetingId);
    const api = voterApi(t);
    const registeredFingerprint = async () => (await api.meeting(meetingId)).polls[0]!.candidateKeys!.find((k) => k.questionId === 'c1')?.fingerprint;
    const requests = async () => (await zhao.call('GET', `/api/cosign/${pollId}/candidate-keys`)).body;
    const approve = (client: typeof zhao, fingerprint: string) => client.call('POST', `/api/cosign/${pollId}/candidate-keys/approve`, { questionId: 'c1', fingerprint });

    // 李明's phone checks in first: its keys are registered; he signs his self-evaluation.
    const phone = await checkInSlip(t, slipOf('李明'), roomCode);
    const own = heldCandidateFingerprint(phone.store, phone.voter, pollId)!;
    expect(await registeredFingerprint()).toBe(own);
    await submitSelfEvaluation(api, phone.store, slipOf('李明').code, pollId, flat(90));

    // The organizer, with the printed code and the room code, registers keys of his own: they wait.
    const forged = strangerKeys();
    const attempt = await api.registerCandidateKey(slipOf('李明').code, roomCode, pollId, forged);
    expect(attempt).toEqual({ questionId: 'c1', fingerprint: candidateKeyFingerprint(forged), state: 'awaiting_approval' });
    expect(await registeredFingerprint()).toBe(own);
    expect(t.deps.db.$client.prepare("SELECT count(*) AS n FROM self_evaluations WHERE question_id = 'c1'").get()).toEqual({ n: 1 });
    // The same request again is one request, not two.
    expect((await api.registerCandidateKey(slipOf('李明').code, roomCode, pollId, forged)).state).toBe('awaiting_approval');

    // Only the scrutineer named for the poll sees the requests and approves; the organizer cannot.
    expect((await org.call('GET', `/api/cosign/${pollId}/candidate-keys`)).status).toBe(403);
    expect((await approve(org, candidateKeyFingerprint(forged))).status).toBe(403);
    expect(await requests()).toEqual({ pollId, open: true, candidates: [{ questionId: 'c1', name: '李明', registered: own, requested: [candidateKeyFingerprint(forged)], approved: null }] });

    // 李明 loses his phone and checks in on a new one: its keys wait too.
    const newPhone = await checkInSlip(t, slipOf('李明'), roomCode);
    const renewed = heldCandidateFingerprint(newPhone.store, newPhone.voter, pollId)!;
    expect(await registeredFingerprint()).toBe(own);
    expect((await requests()).candidates[0].requested).toEqual([candidateKeyFingerprint(forged), renewed]);

    // The scrutineer compares with the new phone in 李明's hand and approves its fingerprint.
    const malformed = await approve(zhao, 'not-a-fingerprint');
    expect(malformed.status).toBe(400);
    expect((await approve(zhao, renewed)).body).toEqual({ questionId: 'c1', fingerprint: renewed, state: 'in_force' });
    // The new phone's keys hold; the organizer's request is gone; the statement signed with the old keys goes.
    expect(await registeredFingerprint()).toBe(renewed);
    expect(await requests()).toEqual({ pollId, open: true, candidates: [] });
    expect(t.deps.db.$client.prepare("SELECT count(*) AS n FROM self_evaluations WHERE question_id = 'c1'").get()).toEqual({ n: 0 });
    await submitSelfEvaluation(api, newPhone.store, slipOf('李明').code, pollId, flat(85));

    // The record says who asked and who approved, with the fingerprints.
    const record = (await org.call('GET', `/api/meetings/${meetingId}/audit`)).body.entries as { action: string; details: string }[];
    const actions = record.filter((e) => /candidate_key/.test(e.action)).map((e) => [e.action, JSON.parse(e.details).fingerprint]);
    expect(actions).toEqual([
      ['register_candidate_key', own],
      ['request_candidate_key', candidateKeyFingerprint(forged)],
      ['request_candidate_key', renewed],
      ['approve_candidate_key', renewed],
    ]);
    expect(record.some((e) => /candidate_key/.test(e.action) && JSON.parse(e.details).fingerprint === undefined)).toBe(false);

    // The organizer floods requests to push a new phone's keys out of the queue before a
    // scrutineer gets to them: the scrutineer approves the fingerprint the phone shows anyway,
    // and those keys take effect when the phone sends them again; the flood's never do.
    const thirdPhone = await checkInSlip(t, slipOf('李明'), roomCode);
    const third = heldCandidateFingerprint(thirdPhone.store, thirdPhone.voter, pollId)!;
    for (let i = 0; i < 12; i++) expect((await api.registerCandidateKey(slipOf('李明').code, roomCode, pollId, strangerKeys())).state).toBe('awaiting_approval');
    expect((await requests()).candidates[0].requested).toHaveLength(8);
    expect((await requests()).candidates[0].requested).not.toContain(third);
    expect((await approve(zhao, third)).body).toEqual({ questionId: 'c1', fingerprint: third, state: 'awaiting_keys' });
    expect((await requests()).candidates[0].approved).toBe(third);
    expect(await registeredFingerprint()).toBe(renewed);
    expect((await api.registerCandidateKey(slipOf('李明').code, roomCode, pollId, strangerKeys())).state).toBe('awaiting_approval');
    expect(await registeredFingerprint()).toBe(renewed);
    // 李明 checks in again on that phone: its keys are in force at once.
    await checkInSlip(t, slipOf('李明'), roomCode, thirdPhone.store);
    expect(await registeredFingerprint()).toBe(third);
    expect(await requests()).toEqual({ pollId, open: true, candidates: [] });

    // Once voting opens, keys are neither requested nor approved.
    const others = [await checkInSlip(t, slipOf('王芳'), roomCode), await checkInSlip(t, slipOf('张伟'), roomCode), await checkInSlip(t, slips.find((s) => s.name === '老师')!, roomCode)];
    expect(others).toHaveLength(3);
    await openVoting(org, pollId, 4);
    await expect(api.registerCandidateKey(slipOf('李明').code, roomCode, pollId, strangerKeys())).rejects.toMatchObject({ code: 'wrong_phase' });
    expect((await approve(zhao, third)).body.error.code).toBe('wrong_phase');
    expect((await requests()).open).toBe(false);
  });
});
