/**
 * Late check-in (docs/protocol.md §5): a meeting may allow check-in after voting opened, with a
 * confirmation that names the timing exposure; each late check-in waits until a scrutineer named
 * for the poll approves it with their own account, is signed then (the keys live on until close),
 * and the bundle counts it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import type { BundleV2 } from '../../shared/protocol/bundle.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { createUnit } from '../../server/services/users.ts';
import { castAll, checkInSlip, collect, createMeeting, openVoting } from '../helpers/meeting.ts';

let t: TestServer;
beforeAll(() => {
  t = startTestApp();
});
afterAll(() => t.close());

describe('late check-in', () => {
  it('waits for a named scrutineer’s approval, is signed then, votes, and is counted in the bundle', async () => {
    // A branch with its secretary and two scrutineer accounts.
    const branch = createUnit(t.deps.db, { name: '第一党支部' }, 'test', new Date());
    seedUser(t, 'branch-secretary', 'organizer', branch.id);
    seedUser(t, 'zhao', 'scrutineer', branch.id);
    seedUser(t, 'qian', 'scrutineer', branch.id);
    const { org, meetingId, pollId, slips, roomCode } = await createMeeting(t, { voters: 3, open: 'checkin', organizer: 'branch-secretary' });
    expect((await org.call('PUT', `/api/meetings/${meetingId}/late-check-in`, { allowed: true, exposureAccepted: true })).status).toBe(200);
    expect((await org.call('PUT', `/api/polls/${pollId}/scrutineers`, { scrutineers: [{ name: '赵监票', role: 'supervisor', account: 'zhao' }] })).status).toBe(200);
    const onTime = await checkInSlip(t, slips[0]!, roomCode);
    await openVoting(org, pollId, 1);
    await collect(onTime);

    const late = await checkInSlip(t, slips[1]!, roomCode);
    expect(await collect(late)).toEqual({ ready: [], waiting: [pollId], lost: [] });
    const sheet = await org.call('GET', `/api/polls/${pollId}/checkins`);
    expect(sheet.body.voters.map((v: { state: string; late: boolean }) => [v.state, v.late])).toEqual([
      ['issued', false],
      ['awaiting_approval', true],
      ['none', false],
    ]);
    const voterId = slips[1]!.voterId;
    // Not the organizer, not a scrutineer of the unit who is not named for the poll.
    expect((await org.call('POST', `/api/cosign/${pollId}/late-checkins/${voterId}/approve`)).status).toBe(403);
    const qian = await organizerClient(t, 'qian');
    expect((await qian.call('POST', `/api/cosign/${pollId}/late-checkins/${voterId}/approve`)).status).toBe(403);
    const zhao = await organizerClient(t, 'zhao');
    expect((await zhao.call('POST', `/api/cosign/${pollId}/late-checkins/${slips[2]!.voterId}/approve`)).status).toBe(404);
    expect((await zhao.call('POST', `/api/cosign/${pollId}/late-checkins/${voterId}/approve`)).status).toBe(200);
    expect((await zhao.call('POST', `/api/cosign/${pollId}/late-checkins/${voterId}/approve`)).status).toBe(404);

    expect((await collect(late)).ready).toEqual([pollId]);
    await castAll(onTime, pollId);
    await castAll(late, pollId, () => 'disagree');
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as BundleV2;
    expect(bundle.electorate).toMatchObject({ headCount: 1, checkedIn: 2, lateCheckIns: 1, present: 2, submitted: 2 });
    expect(bundle.tokenKeys.map((k) => k.issued)).toEqual([2, 2]);
    const report = await verifyBundle(bundle, { verifyPss: nodePssVerifier, expectedSignerPublicKey: t.deps.installationKey.publicKeyBase64 });
    expect(report.firstFailure).toBeUndefined();
    const audit = await org.call('GET', `/api/meetings/${meetingId}/audit`);
    const approval = audit.body.entries.find((e: { action: string }) => e.action === 'approve_late_checkin');
    expect(JSON.parse(approval.details)).toMatchObject({ voter: 'Voter 2', scrutineer: '赵监票' });
    expect(audit.body.entries.find((e: { action: string }) => e.action === 'allow_late_checkin')).toBeDefined();
  });
});
