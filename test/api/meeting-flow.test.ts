import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { isV2, type BundleV2 } from '../../shared/protocol/bundle.ts';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import { seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { castAll, checkInSlip, collect, createMeeting, openVoting, tokensOf, voterApi } from '../helpers/meeting.ts';

let t: TestServer;
beforeEach(() => {
  t = startTestApp();
  seedUser(t);
});
afterEach(() => t.close());

describe('a whole meeting through the HTTP API (protocol v2)', () => {
  it('checks in (nothing signed), opens with the head count (everything signed at once), votes, closes, publishes, and the bundle verifies', async () => {
    const { org, meetingId, pollId, slips, roomCode } = await createMeeting(t, { voters: 5, open: 'checkin' });
    const api = voterApi(t);
    const devices = [];
    for (const slip of slips.slice(0, 4)) devices.push(await checkInSlip(t, slip, roomCode));
    expect(devices[0]!.meeting.id).toBe(meetingId);
    // Checked in, but nothing is signed before voting opens: no token on any device.
    for (const d of devices) {
      const collected = await collect(d);
      expect(collected).toEqual({ ready: [], waiting: [pollId], lost: [], struck: [] });
      expect(tokensOf(d, pollId)).toEqual([]);
    }
    expect(await api.turnout(pollId)).toMatchObject({ phase: 'checkin', expected: 5, checkedIn: 4, submitted: 0, headCount: null });
    expect(t.deps.db.$client.prepare('SELECT count(*) AS n FROM issuance_requests WHERE blind_signature IS NOT NULL').get()).toEqual({ n: 0 });

    await openVoting(org, pollId, 4);
    for (const d of devices) {
      expect((await collect(d)).ready).toEqual([pollId]);
      // One token per question (candidate), each under that question's own key.
      expect(tokensOf(d, pollId).map((x) => x.questionId).sort()).toEqual(['c1', 'c2']);
    }
    const votes = [
      { c1: 'agree', c2: 'agree' },
      { c1: 'agree', c2: 'disagree' },
      { c1: 'disagree', c2: 'abstain' },
      { c1: 'agree', c2: 'agree' },
    ];
    const receipts = await Promise.all(devices.map((d, i) => castAll(d, pollId, (q) => votes[i]![q as 'c1' | 'c2'])));
    expect(receipts.flat()).toHaveLength(8);
    expect(new Set(receipts.flat().map((r) => r.receipt)).size).toBe(8);
    // No choice counts before close: the organizer's view has turnout only.
    const during = await org.call('GET', `/api/polls/${pollId}`);
    expect(during.body.turnout).toMatchObject({ checkedIn: 4, submitted: 4, headCount: 4 });
    expect(JSON.stringify(during.body)).not.toContain('counts');
    expect((await org.call('GET', `/api/polls/${pollId}/bundle`)).status).toBe(409);

    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
    expect((await t.app.request(`/api/public/polls/${pollId}/bundle`)).status).toBe(404);
    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'published' })).status).toBe(200);

    const bundle = (await api.bundle(pollId)) as BundleV2;
    expect(isV2(bundle)).toBe(true);
    expect(bundle.result.questions).toEqual([
      { id: 'c1', counts: { agree: 3, disagree: 1, abstain: 0 } },
      { id: 'c2', counts: { agree: 2, disagree: 1, abstain: 1 } },
    ]);
    expect(bundle.electorate).toEqual({
      expected: 5,
      headCount: 4,
      headCountNote: '',
      checkedIn: 4,
      struck: 0,
      lateCheckIns: 0,
      present: 4,
      submitted: 4,
      declaredNotVoted: null,
      refusedOverIssued: 0,
    });
    expect(bundle.tokenKeys.map((k) => [k.questionId, k.issued])).toEqual([
      ['c1', 4],
      ['c2', 4],
    ]);
    const report = await verifyBundle(bundle, { verifyPss: nodePssVerifier, expectedSignerPublicKey: t.deps.installationKey.publicKeyBase64 });
    expect(report.firstFailure).toBeUndefined();
    expect(report.ok).toBe(true);
    // Every receipt the devices kept is published with its ballot.
    const published = new Set(bundle.ballots.map((b) => b.receipt));
    for (const r of receipts.flat()) expect(published.has(r.receipt)).toBe(true);
    // The issuing private keys are gone.
    const keys = t.deps.db.$client.prepare('SELECT private_key FROM poll_keys').all() as { private_key: unknown }[];
    expect(keys.every((k) => k.private_key === null)).toBe(true);
  });
});
