/**
 * Late check-in (docs/protocol.md §5): a meeting may allow check-in after voting opened, with a
 * confirmation that names the timing exposure; each late check-in waits until a scrutineer named
 * for the poll approves it with their own account, is signed then (the keys live on until close),
 * and the bundle counts it. The approval names the device's check-in by the confirmation code its
 * phone shows, so that a device which checked in again with the voter's code (the organizer holds
 * every slip) does not receive the ballots of the voter the scrutineer sees; every replacement of
 * a waiting check-in is in the meeting's record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import type { BundleV2 } from '../../shared/protocol/bundle.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { createUnit } from '../../server/services/users.ts';
import { castAll, checkInSlip, collect, createMeeting, openVoting, tokensOf, type Device, type OrganizerClient } from '../helpers/meeting.ts';
import { pendingCheckinCode } from '../../shared/protocol/voter-flow.ts';
import { issuedPerKey } from '../../server/db/queries.ts';

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
    expect(await collect(late)).toEqual({ ready: [], waiting: [pollId], lost: [], struck: [] });
    const sheet = await org.call('GET', `/api/polls/${pollId}/checkins`);
    expect(sheet.body.voters.map((v: { state: string; late: boolean }) => [v.state, v.late])).toEqual([
      ['issued', false],
      ['awaiting_approval', true],
      ['none', false],
    ]);
    const voterId = slips[1]!.voterId;
    const confirmationCode = pendingCheckinCode(late.store, late.voter)!;
    const approval = { confirmationCode };
    // Not the organizer, not a scrutineer of the unit who is not named for the poll.
    expect((await org.call('POST', `/api/cosign/${pollId}/late-checkins/${voterId}/approve`, approval)).status).toBe(403);
    expect((await org.call('GET', `/api/cosign/${pollId}/late-checkins`)).status).toBe(403);
    const qian = await organizerClient(t, 'qian');
    expect((await qian.call('POST', `/api/cosign/${pollId}/late-checkins/${voterId}/approve`, approval)).status).toBe(403);
    expect((await qian.call('GET', `/api/cosign/${pollId}/late-checkins`)).status).toBe(403);
    const zhao = await organizerClient(t, 'zhao');
    expect((await zhao.call('GET', `/api/cosign/${pollId}/late-checkins`)).body).toEqual({
      pollId,
      waiting: [{ voterId, name: 'Voter 2', number: 'N0001', confirmationCode }],
    });
    expect((await zhao.call('POST', `/api/cosign/${pollId}/late-checkins/${slips[2]!.voterId}/approve`, approval)).status).toBe(404);
    expect((await zhao.call('POST', `/api/cosign/${pollId}/late-checkins/${voterId}/approve`, approval)).status).toBe(200);
    expect((await zhao.call('POST', `/api/cosign/${pollId}/late-checkins/${voterId}/approve`, approval)).status).toBe(404);
    expect((await zhao.call('GET', `/api/cosign/${pollId}/late-checkins`)).body.waiting).toEqual([]);

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
    const approvalEntry = audit.body.entries.find((e: { action: string }) => e.action === 'approve_late_checkin');
    expect(JSON.parse(approvalEntry.details)).toMatchObject({ voter: 'Voter 2', scrutineer: '赵监票', confirmationCode });
    expect(audit.body.entries.find((e: { action: string }) => e.action === 'allow_late_checkin')).toBeDefined();
    expect(audit.body.entries.filter((e: { action: string }) => e.action === 'replace_checkin')).toEqual([]);
  });
});

interface AuditEntry {
  action: string;
  actor: string;
  subject: string;
  details: string;
}

const replacements = async (org: OrganizerClient, meetingId: string) =>
  ((await org.call('GET', `/api/meetings/${meetingId}/audit`)).body.entries as AuditEntry[])
    .filter((e) => e.action === 'replace_checkin')
    .map((e) => ({ actor: e.actor, subject: e.subject, details: JSON.parse(e.details) }));

/** A meeting allowing late check-in, voting open with voter 1 in; voter 2 (N0001) arrives late and waits. */
async function lateVoterWaiting(tag: string) {
  const branch = createUnit(t.deps.db, { name: `支部 ${tag}` }, 'test', new Date());
  seedUser(t, `sec-${tag}`, 'organizer', branch.id);
  seedUser(t, `zhao-${tag}`, 'scrutineer', branch.id);
  const { org, meetingId, pollId, slips, roomCode } = await createMeeting(t, { voters: 3, open: 'checkin', organizer: `sec-${tag}` });
  expect((await org.call('PUT', `/api/meetings/${meetingId}/late-check-in`, { allowed: true, exposureAccepted: true })).status).toBe(200);
  expect((await org.call('PUT', `/api/polls/${pollId}/scrutineers`, { scrutineers: [{ name: '赵监票', role: 'supervisor', account: `zhao-${tag}` }] })).status).toBe(200);
  const onTime = await checkInSlip(t, slips[0]!, roomCode);
  await openVoting(org, pollId, 1);
  await collect(onTime);
  const phone = await checkInSlip(t, slips[1]!, roomCode);
  expect(await collect(phone)).toEqual({ ready: [], waiting: [pollId], lost: [], struck: [] });
  const zhao = await organizerClient(t, `zhao-${tag}`);
  const approve = (confirmationCode: unknown) => zhao.call('POST', `/api/cosign/${pollId}/late-checkins/${slips[1]!.voterId}/approve`, { confirmationCode });
  const listed = async () => (await zhao.call('GET', `/api/cosign/${pollId}/late-checkins`)).body.waiting as { number: string; confirmationCode: string }[];
  const issued = async () => ((await org.call('GET', `/api/polls/${pollId}/checkins`)).body.voters as { number: string; state: string }[]).find((v) => v.number === 'N0001')!.state;
  return { org, meetingId, pollId, slips, roomCode, phone, approve, listed, issued };
}

const codeOf = (device: Device) => pendingCheckinCode(device.store, device.voter)!;

describe('late check-in replaced by another device (the organizer holds every slip)', () => {
  it('does not give the voter’s ballots to the organizer’s device when the scrutineer approves the code on the voter’s phone', async () => {
    const { org, meetingId, pollId, slips, roomCode, phone, approve, listed, issued } = await lateVoterWaiting('r1');
    const shownOnPhone = codeOf(phone);
    expect(shownOnPhone).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
    expect(await listed()).toEqual([expect.objectContaining({ number: 'N0001', confirmationCode: shownOnPhone })]);

    // The organizer checks in again with voter 2's code while voter 2 waits for approval.
    const organizerDevice = await checkInSlip(t, slips[1]!, roomCode);
    expect(await collect(phone)).toEqual({ ready: [], waiting: [], lost: [pollId], struck: [] });
    expect(codeOf(organizerDevice)).not.toBe(shownOnPhone);
    expect(await listed()).toEqual([expect.objectContaining({ number: 'N0001', confirmationCode: codeOf(organizerDevice) })]);

    // The scrutineer sees voter 2 in the room and approves the code on voter 2's phone: refused.
    const issuedBefore = issuedPerKey(t.deps.db, pollId);
    const refused = await approve(shownOnPhone);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
    expect(refused.body.error.message).toMatch(/confirmation code/);
    expect(await issued()).toBe('awaiting_approval');
    expect(issuedPerKey(t.deps.db, pollId)).toEqual(issuedBefore);
    expect(await collect(organizerDevice)).toEqual({ ready: [], waiting: [pollId], lost: [], struck: [] });
    expect(tokensOf(organizerDevice, pollId)).toEqual([]);

    // The replacement is in the record, named.
    expect(await replacements(org, meetingId)).toEqual([
      { actor: 'voting code N0001', subject: pollId, details: { voter: 'Voter 2', number: 'N0001', replaced: 'awaiting_approval', by: 'another device' } },
    ]);

    // Voter 2 checks in again on their phone (the organizer's check-in is replaced in turn, and
    // recorded), shows the new code, and the scrutineer approves it: the ballots go to voter 2.
    const again = await checkInSlip(t, slips[1]!, roomCode, phone.store);
    expect(codeOf(again)).not.toBe(codeOf(organizerDevice));
    expect((await approve(codeOf(organizerDevice))).status).toBe(409);
    expect((await approve(codeOf(again))).status).toBe(200);
    expect((await collect(again)).ready).toEqual([pollId]);
    expect(tokensOf(again, pollId)).toHaveLength(2);
    expect(await collect(organizerDevice)).toEqual({ ready: [], waiting: [], lost: [pollId], struck: [] });
    expect(tokensOf(organizerDevice, pollId)).toEqual([]);
    expect((await replacements(org, meetingId)).map((r) => r.details.replaced)).toEqual(['awaiting_approval', 'awaiting_approval']);
  });

  it('refuses an approval with a wrong, old or malformed code and issues nothing', async () => {
    const { pollId, phone, approve, issued } = await lateVoterWaiting('r2');
    const issuedBefore = issuedPerKey(t.deps.db, pollId);
    const right = codeOf(phone);
    const wrong = right === '222222' ? '333333' : '222222';
    expect((await approve(wrong)).status).toBe(409);
    expect((await approve(right.toLowerCase())).status).toBe(400);
    expect((await approve('12345')).status).toBe(400);
    expect((await approve(undefined)).status).toBe(400);
    expect(await issued()).toBe('awaiting_approval');
    expect(await collect(phone)).toEqual({ ready: [], waiting: [pollId], lost: [], struck: [] });
    expect(issuedPerKey(t.deps.db, pollId)).toEqual(issuedBefore);
    expect((await approve(right)).status).toBe(200);
    expect((await collect(phone)).ready).toEqual([pollId]);
  });
});

describe('a pending check-in replaced before the opening', () => {
  it('is written to the audit log with name and number; the same device retrying its own requests is not', async () => {
    const { org, meetingId, pollId, slips, roomCode } = await createMeeting(t, { voters: 2, open: 'checkin', organizer: 'sec-before' });
    const first = await checkInSlip(t, slips[0]!, roomCode);
    // The same device again (an answer it never got): the very same requests, no replacement.
    await checkInSlip(t, slips[0]!, roomCode, first.store);
    expect(await replacements(org, meetingId)).toEqual([]);
    const other = await checkInSlip(t, slips[0]!, roomCode);
    expect(await collect(first)).toEqual({ ready: [], waiting: [], lost: [pollId], struck: [] });
    expect(await replacements(org, meetingId)).toEqual([
      { actor: 'voting code N0000', subject: pollId, details: { voter: 'Voter 1', number: 'N0000', replaced: 'pending', by: 'another device' } },
    ]);
    await openVoting(org, pollId, 1);
    expect((await collect(other)).ready).toEqual([pollId]);
  });
});
