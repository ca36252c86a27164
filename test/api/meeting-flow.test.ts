import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { castWithToken, checkInVoter, memoryStore, parseVotingFragment } from '../../shared/protocol/voter-flow.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import { inProcessFetch, organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';

const agreeQuestion = (id: string, title: string) => ({ id, type: 'single', title, options: ['agree', 'disagree', 'abstain'] });

let t: TestServer;
beforeEach(() => {
  t = startTestApp();
  seedUser(t);
});
afterEach(() => t.close());

async function setUpMeeting(voterCount: number) {
  const org = await organizerClient(t);
  const meeting = await org.call('POST', '/api/meetings', { title: '第一党支部党员大会' });
  expect(meeting.status).toBe(201);
  const id = meeting.body.id as string;
  const poll = await org.call('POST', `/api/meetings/${id}/polls`, {
    title: '接收预备党员',
    questions: [agreeQuestion('c1', '张三'), agreeQuestion('c2', '李四')],
  });
  expect(poll.status).toBe(201);
  const voters = Array.from({ length: voterCount }, (_, i) => ({ name: `党员${i + 1}`, number: `2024${String(i).padStart(4, '0')}` }));
  expect((await org.call('POST', `/api/meetings/${id}/voters`, { voters })).status).toBe(201);
  expect((await org.call('POST', `/api/meetings/${id}/transition`, { to: 'checkin' })).status).toBe(200);
  const slips = await org.call('POST', `/api/meetings/${id}/slips`, {});
  expect(slips.status).toBe(200);
  return { org, meetingId: id, pollId: poll.body.id as string, slips: slips.body.slips as { code: string; link: string }[] };
}

describe('a whole meeting through the HTTP API', () => {
  it('checks in, votes, closes, publishes, and the bundle verifies', async () => {
    const { org, meetingId, pollId, slips } = await setUpMeeting(5);
    const api = createVoterApi('', inProcessFetch(t));
    const devices = await Promise.all(
      slips.slice(0, 4).map(async (slip) => {
        const store = memoryStore();
        const link = parseVotingFragment(new URL(slip.link).hash);
        expect(link.meetingId).toBe(meetingId);
        const result = await checkInVoter(api, store, link.code!, link.fingerprints);
        expect(result.tokens).toHaveLength(1);
        return { store, token: result.tokens[0]! };
      }),
    );
    const turnoutBefore = await api.turnout(pollId);
    expect(turnoutBefore).toMatchObject({ phase: 'checkin', expected: 5, checkedIn: 4, ballotsCast: 0 });
    // Voting has not opened: the cast is refused and the token stays on the device.
    await expect(castWithToken(api, devices[0]!.store, devices[0]!.token, { c1: 'agree', c2: 'agree' })).rejects.toMatchObject({
      code: 'wrong_phase',
    });
    expect((await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'voting' })).status).toBe(200);
    const votes = [
      { c1: 'agree', c2: 'agree' },
      { c1: 'agree', c2: 'disagree' },
      { c1: 'disagree', c2: 'abstain' },
      { c1: 'agree', c2: 'agree' },
    ];
    const receipts = await Promise.all(devices.map((d, i) => castWithToken(api, d.store, d.token, votes[i]!)));
    expect(new Set(receipts.map((r) => r.receipt)).size).toBe(4);
    // No choice counts before close: the organizer's view has turnout only.
    const during = await org.call('GET', `/api/polls/${pollId}`);
    expect(during.body.turnout).toMatchObject({ checkedIn: 4, ballotsCast: 4 });
    expect(JSON.stringify(during.body)).not.toContain('counts');
    expect((await org.call('GET', `/api/polls/${pollId}/bundle`)).status).toBe(409);

    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
    const publicBefore = await t.app.request(`/api/public/polls/${pollId}/bundle`);
    expect(publicBefore.status).toBe(404);
    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'published' })).status).toBe(200);

    const bundle = await api.bundle(pollId);
    expect(bundle.result.questions).toEqual([
      { id: 'c1', counts: { agree: 3, disagree: 1, abstain: 0 } },
      { id: 'c2', counts: { agree: 2, disagree: 1, abstain: 1 } },
    ]);
    expect(bundle.electorate).toEqual({ expected: 5, checkedIn: 4, issued: { members: 4 } });
    const report = await verifyBundle(bundle, { verifyPss: nodePssVerifier, expectedSignerPublicKey: t.deps.installationKey.publicKeyBase64 });
    expect(report.firstFailure).toBeUndefined();
    expect(report.ok).toBe(true);
    // Every receipt is the hash of one published token.
    const { sha256 } = await import('@noble/hashes/sha2.js');
    const { fromBase64Url, toHex } = await import('../../shared/encoding.ts');
    const published = new Set(bundle.ballots.map((b) => toHex(sha256(fromBase64Url(b.token)))));
    for (const r of receipts) expect(published.has(r.receipt)).toBe(true);
    // The issuing private keys are gone.
    const keys = t.deps.db.$client.prepare('SELECT private_key FROM poll_keys').all() as { private_key: unknown }[];
    expect(keys.every((k) => k.private_key === null)).toBe(true);
  });
});
