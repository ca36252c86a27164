import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import { signBundle } from '../../shared/crypto/bundle-signature.ts';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import type { Bundle } from '../../shared/protocol/bundle.ts';
import { castWithToken, checkInVoter, memoryStore, parseVotingFragment } from '../../shared/protocol/voter-flow.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { inProcessFetch, organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';

let t: TestServer;
beforeAll(() => {
  t = startTestApp();
  seedUser(t);
});
afterAll(() => t.close());

const CRITERIA = ['political', 'daily_conduct', 'key_moments', 'study', 'social_practice'];
const flat = (score: number) => Object.fromEntries(CRITERIA.map((c) => [c, score]));

describe('the three evaluations through the HTTP API', () => {
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
    const api = createVoterApi('', inProcessFetch(t));

    // Self-evaluations: named, by the candidate's own code; nobody else can submit one.
    await api.selfEvaluate(slipOf('M1').code, created.body.id, flat(90));
    await expect(api.selfEvaluate(slipOf('M3').code, created.body.id, flat(90))).rejects.toMatchObject({ code: 'not_eligible' });
    await expect(api.selfEvaluate(slipOf('M2').code, created.body.id, { ...flat(90), study: 101 })).rejects.toMatchObject({ code: 'invalid_choices' });

    const devices = await Promise.all(
      slips.map(async (slip) => {
        const link = parseVotingFragment(new URL(slip.link).hash);
        const store = memoryStore();
        const result = await checkInVoter(api, store, link.code!, link.fingerprints);
        return { slip, store, ...result };
      }),
    );
    expect(devices.find((d) => d.slip.name === 'M1')!.ownCandidacies).toEqual([{ pollId: created.body.id, questionId: 'c1' }]);
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'voting' });
    // Representatives give 50 everywhere; members give 80 and leave out their own candidacy.
    for (const device of devices)
      for (const token of device.tokens) {
        const own = new Set(device.ownCandidacies.map((c) => c.questionId));
        const score = token.group === 'representatives' ? 50 : 80;
        const choices = Object.fromEntries(['c1', 'c2'].filter((c) => token.group !== 'members' || !own.has(c)).map((c) => [c, flat(score)]));
        await castWithToken(api, device.store, token, choices);
      }
    await org.call('POST', `/api/polls/${created.body.id}/transition`, { to: 'closed' });
    const bundle = (await org.call('GET', `/api/polls/${created.body.id}/bundle`)).body as Bundle;

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
    // c2 has no self-evaluation: members only, 80.
    expect(c2).toMatchObject({ composite: 80, groups: { self: { raters: 0, average: null } } });
    expect(c1!.explanation.zh).toMatch(/平均分不公布/);
    expect(JSON.stringify(bundle.ballots)).not.toMatch(/:50\b/);
    expect(bundle.ballots.filter((b) => Object.values(b.choices).includes('withheld'))).toHaveLength(2);
    expect(bundle.selfEvaluations).toEqual([{ questionId: 'c1', scores: flat(90) }]);
    expect(bundle.electorate.expectedByGroup).toEqual({ representatives: 2, members: 5 });
    const report = await verifyBundle(bundle, { verifyPss: nodePssVerifier, expectedSignerPublicKey: t.deps.installationKey.publicKeyBase64 });
    expect(report.firstFailure).toBeUndefined();

    // A server that hid the scores of a group that is shown would be caught, even re-signed.
    const { signature: _s, ...unsigned } = structuredClone(bundle);
    const memberBallot = unsigned.ballots.find((b) => JSON.stringify(b.choices).includes(':80'))!;
    memberBallot.choices[Object.keys(memberBallot.choices)[0]!] = 'withheld';
    const forged = await verifyBundle(signBundle(unsigned, t.deps.installationKey.secretKey), { verifyPss: nodePssVerifier });
    expect(forged.ok).toBe(false);
    expect(['recount', 'verdicts']).toContain(forged.firstFailure!.id);

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
    const api = createVoterApi('', inProcessFetch(t));
    const devices = await Promise.all(
      slips.map(async (slip) => {
        const link = parseVotingFragment(new URL(slip.link).hash);
        const store = memoryStore();
        return { slip, store, ...(await checkInVoter(api, store, link.code!, link.fingerprints)) };
      }),
    );
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'voting' });

    // The representative and M3 score c2 (one rater in each group, under the floor of 3); the members M2–M4 score c1.
    const written: Record<string, string> = { M2: '组织能力强', M3: 'Needs to speak up more', M4: '' };
    for (const device of devices) {
      const token = device.tokens[0]!;
      const name = device.slip.name;
      const choices: Record<string, Record<string, number>> = {};
      if (name !== 'M1' && name !== 'R1') choices.c1 = flat(85);
      if (name === 'R1' || name === 'M3') choices.c2 = flat(70);
      if (Object.keys(choices).length === 0) continue;
      const comments = { ...(choices.c1 ? { c1: written[name] ?? '' } : {}), ...(choices.c2 ? { c2: `评语 ${name}` } : {}) };
      if (name === 'M4') {
        // A comment on a candidate the ballot did not score is refused, and the ballot with it.
        await expect(api.cast(token.token, choices, { c2: '没打分却写评语' })).rejects.toMatchObject({ code: 'invalid_choices' });
      }
      await castWithToken(api, device.store, token, choices, comments);
    }

    // Nothing before close, and only the candidate: another member's code is not_eligible.
    expect(await api.candidateComments(codeOf('M1'))).toEqual({ candidacies: [] });
    await org.call('POST', `/api/polls/${poll.id}/transition`, { to: 'closed' });
    expect(await api.candidateComments(codeOf('M3'))).toEqual({ candidacies: [] });

    const forC1 = await api.candidateComments(codeOf('M1'));
    // Empty comments are dropped; the rest come sorted by their text, not by who wrote them or when.
    expect(forC1).toEqual({
      candidacies: [{ pollId: poll.id, pollTitle: '发展对象三评', questionId: 'c1', comments: ['Needs to speak up more', '组织能力强'].sort() }],
    });
    // c2 was scored by one representative and one member: each comment could be told apart, so none is shown.
    expect((await api.candidateComments(codeOf('M2'))).candidacies).toEqual([expect.objectContaining({ questionId: 'c2', comments: null })]);
    await expect(api.candidateComments('AAAA-BBBB-CCCC-DDDD')).rejects.toMatchObject({ code: 'unknown_code' });
    // Nor can the organizer issue M1 a fresh code after close to read them.
    const reissue = await org.call('POST', `/api/meetings/${meeting.id}/slips`, {});
    expect([reissue.status, reissue.body.error.code]).toEqual([409, 'wrong_phase']);

    // Comments are not in the bundle (they belong to the candidate alone), and their table holds nothing of a ballot.
    const bundle = (await org.call('GET', `/api/polls/${poll.id}/bundle`)).body;
    expect(JSON.stringify(bundle)).not.toMatch(/组织能力强/);
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
    const api = createVoterApi('', inProcessFetch(t));
    const link = parseVotingFragment(new URL(slip.link).hash);
    const device = await checkInVoter(api, memoryStore(), link.code!, link.fingerprints);
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'voting' });
    await expect(api.cast(device.tokens[0]!.token, { c1: 'agree' }, { c1: '同意' })).rejects.toMatchObject({ code: 'invalid_choices' });
    expect((await org.call('GET', `/api/polls/${poll.id}`)).body.turnout.ballotsCast).toBe(0);
  });
});
