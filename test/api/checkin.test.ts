/**
 * Check-in in protocol v2: deferred issuance (nothing signed until voting opens), the room code,
 * a check-in from another device replacing the pending one, the opening's head count and strikes,
 * and the refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blind, parseRsaSpki, randomNonce } from '../../shared/crypto/blind-rsa.ts';
import { encodeTokenInput, tokenContext } from '../../shared/crypto/token.ts';
import { fromBase64, fromHex, toBase64 } from '../../shared/encoding.ts';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { checkInVoter, memoryStore, parseVotingFragment, prepareCheckIn } from '../../shared/protocol/voter-flow.ts';
import { ROOM_CODE_TRIES } from '../../server/services/checkin.ts';
import { inProcessFetch, listen, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { agreeQuestion, castAll, checkInSlip, collect, createMeeting, openVoting, tokensOf } from '../helpers/meeting.ts';

let t: TestServer;
beforeAll(() => {
  t = startTestApp();
});
afterAll(() => t.close());

/** Fresh blinded requests for every key of the poll the voter holds a vote under, built as the client does. */
async function blindedRequests(meetingId: string, pollId: string, only?: string[]) {
  const meeting = (await (await t.app.request(`/api/public/meetings/${meetingId}`)).json()) as any;
  return meeting.polls
    .find((p: any) => p.id === pollId)
    .keys.filter((key: any) => !only || only.includes(key.questionId))
    .map((key: any) => {
      const pk = parseRsaSpki(fromBase64(key.spki));
      const input = encodeTokenInput({ nonce: randomNonce(), context: tokenContext(pollId, key.group, key.questionId), keyId: fromHex(key.keyId) });
      return { pollId, group: key.group as string, questionId: key.questionId as string, blindedMessage: toBase64(blind(pk, input).blindedMessage) };
    });
}

const checkin = (code: string, roomCode: string, requests: unknown[]) =>
  t.app.request('/api/checkin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, roomCode, requests }) });

const count = (sql: string, ...args: unknown[]) => (t.deps.db.$client.prepare(sql).get(...args) as { n: number }).n;
const requestsOf = (pollId: string) =>
  count('SELECT count(*) AS n FROM issuance_requests r JOIN poll_keys k ON k.key_id = r.key_id WHERE k.poll_id = ?', pollId);
const signaturesOf = (pollId: string) =>
  count('SELECT count(*) AS n FROM issuance_requests r JOIN poll_keys k ON k.key_id = r.key_id WHERE k.poll_id = ? AND r.blind_signature IS NOT NULL', pollId);

describe('check-in (protocol v2: deferred issuance)', () => {
  it('records one blinded request per key and signs nothing until voting opens; then signs them all at once', async () => {
    const { org, meetingId, pollId, slips, roomCode } = await createMeeting(t, { voters: 3, open: 'checkin' });
    const answer = await checkin(slips[0]!.code, roomCode, await blindedRequests(meetingId, pollId));
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as any;
    expect(body).toEqual({ checkinId: expect.stringMatching(/^[a-z2-7]{26}$/), polls: [{ pollId, state: 'pending' }] });
    expect(requestsOf(pollId)).toBe(2);
    expect(signaturesOf(pollId)).toBe(0);
    const status = await t.app.request('/api/checkin/status', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ checkinId: body.checkinId }) });
    expect(await status.json()).toEqual({ polls: [{ pollId, phase: 'checkin', state: 'pending' }] });
    await openVoting(org, pollId, 1);
    expect(signaturesOf(pollId)).toBe(2);
    const after = await t.app.request('/api/checkin/status', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ checkinId: body.checkinId }) });
    const signed = (await after.json()) as any;
    expect(signed.polls[0]).toMatchObject({ pollId, phase: 'voting', state: 'issued' });
    expect(signed.polls[0].signatures.map((s: any) => s.questionId).sort()).toEqual(['c1', 'c2']);
    expect(meetingId).toBeTruthy();
  });

  it('a check-in from another device replaces the pending one; the first device learns it was replaced', async () => {
    const { org, pollId, slips, roomCode } = await createMeeting(t, { voters: 2, open: 'checkin' });
    const first = await checkInSlip(t, slips[0]!, roomCode);
    const second = await checkInSlip(t, slips[0]!, roomCode); // the same code, a new phone
    expect(requestsOf(pollId)).toBe(2); // two keys, once: the second device's requests
    expect(await collect(first)).toEqual({ ready: [], waiting: [], lost: [pollId], struck: [] });
    expect(await collect(second)).toEqual({ ready: [], waiting: [pollId], lost: [], struck: [] });
    await openVoting(org, pollId, 1);
    expect((await collect(second)).ready).toEqual([pollId]);
    expect(tokensOf(first, pollId)).toEqual([]);
    expect(tokensOf(second, pollId)).toHaveLength(2);
    // Once signed at the opening, no device can check in again with that code: a third one is told where the ballots went.
    await expect(checkInSlip(t, slips[0]!, roomCode)).rejects.toMatchObject({ code: 'already_issued', message: expect.stringMatching(/issued there when voting opened/) });
    const direct = await checkin(slips[0]!.code, roomCode, await blindedRequests(first.meeting.id, pollId));
    expect(((await direct.json()) as any).error.code).toBe('wrong_phase');
  });

  it('refuses a wrong room code, and after ten wrong ones refuses that voting code until a new room code is drawn', async () => {
    const { org, meetingId, pollId, slips, roomCode } = await createMeeting(t, { voters: 2, open: 'checkin' });
    const wrong = roomCode === '000000' ? '111111' : '000000';
    const requests = await blindedRequests(meetingId, pollId);
    const refused = await checkin(slips[0]!.code, wrong, requests);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).error).toMatchObject({ code: 'room_code', message: expect.stringMatching(/projector/) });
    for (let i = 1; i < ROOM_CODE_TRIES; i++) expect((await checkin(slips[0]!.code, wrong, requests)).status).toBe(403);
    const locked = await checkin(slips[0]!.code, roomCode, requests);
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as any).error.code).toBe('room_code_locked');
    // Another voter is not affected.
    expect((await checkin(slips[1]!.code, roomCode, await blindedRequests(meetingId, pollId))).status).toBe(200);
    const drawn = await org.call('POST', `/api/meetings/${meetingId}/room-code`);
    expect(drawn.body.roomCode).toMatch(/^[0-9]{6}$/);
    expect((await checkin(slips[0]!.code, drawn.body.roomCode, requests)).status).toBe(200);
    expect(requestsOf(pollId)).toBe(4);
  });

  it('asks for every key of a poll at once: a check-in for some candidates only is refused', async () => {
    const { meetingId, pollId, slips, roomCode } = await createMeeting(t, { voters: 1, open: 'checkin' });
    const partial = await checkin(slips[0]!.code, roomCode, await blindedRequests(meetingId, pollId, ['c1']));
    expect(partial.status).toBe(400);
    expect(((await partial.json()) as any).error.message).toMatch(/every key/);
    const twice = await blindedRequests(meetingId, pollId);
    const doubled = await checkin(slips[0]!.code, roomCode, [...twice, twice[0]]);
    expect(doubled.status).toBe(403);
    expect(requestsOf(pollId)).toBe(0);
  });

  it('gives a candidate no token for their own candidacy', async () => {
    const { org, pollId, slips, roomCode } = await (async () => {
      const setup = await createMeeting(t, { voters: 0, open: 'draft' });
      const meeting = (await setup.org.call('POST', '/api/meetings', { title: '民主评议' })).body.id;
      const poll = await setup.org.call('POST', `/api/meetings/${meeting}/polls`, {
        title: '民主评议党员',
        kind: 'democratic_appraisal',
        candidates: [
          { id: 'm1', name: '甲', number: 'A1' },
          { id: 'm2', name: '乙', number: 'A2' },
        ],
      });
      await setup.org.call('POST', `/api/meetings/${meeting}/voters`, { voters: [{ name: '甲', number: 'A1' }, { name: '乙', number: 'A2' }, { name: '丙', number: 'A3' }] });
      await setup.org.call('POST', `/api/meetings/${meeting}/transition`, { to: 'checkin' });
      const slips = (await setup.org.call('POST', `/api/meetings/${meeting}/slips`, {})).body.slips;
      const roomCode = (await setup.org.call('GET', `/api/meetings/${meeting}/room-code`)).body.roomCode;
      return { org: setup.org, pollId: poll.body.id as string, slips, roomCode };
    })();
    const devices = [];
    for (const slip of slips) devices.push(await checkInSlip(t, slip, roomCode));
    await openVoting(org, pollId, 3);
    for (const d of devices) await collect(d);
    expect(devices.map((d) => tokensOf(d, pollId).map((x) => x.questionId).sort())).toEqual([['m2'], ['m1'], ['m1', 'm2']]);
  });

  it('a retry after a lost response sends the same requests and ends with one pending check-in', async () => {
    const { org, pollId, slips, roomCode } = await createMeeting(t, { voters: 1, open: 'checkin' });
    const link = parseVotingFragment(new URL(slips[0]!.link).hash);
    const store = memoryStore();
    let dropped = false;
    const sent: string[] = [];
    const flaky = async (input: string, init?: RequestInit) => {
      const response = await t.app.request(input, init);
      if (input.endsWith('/api/checkin')) {
        sent.push(String(init?.body));
        if (!dropped) {
          dropped = true; // the server recorded it, but the answer never reaches the device
          throw new TypeError('network down');
        }
      }
      return response;
    };
    await expect(checkInVoter(createVoterApi('', flaky), store, link.code!, roomCode, link.keySetFingerprint!)).rejects.toMatchObject({ code: 'network' });
    await checkInVoter(createVoterApi('', flaky), store, link.code!, roomCode, link.keySetFingerprint!);
    expect(JSON.parse(sent[1]!).requests).toEqual(JSON.parse(sent[0]!).requests);
    await openVoting(org, pollId, 1);
    const device = { api: createVoterApi('', inProcessFetch(t)), store, voter: (await import('../../shared/protocol/voter-flow.ts')).voterSlot(link.code!), code: link.code!, meeting: (await prepareCheckIn(createVoterApi('', inProcessFetch(t)), link.code!)).meeting };
    expect((await collect(device)).ready).toEqual([pollId]);
    expect(await castAll(device, pollId)).toHaveLength(2);
  });

  it('refuses a key set whose fingerprint is not the one in the voting link, before sending anything', async () => {
    const { slips, pollId, roomCode } = await createMeeting(t, { voters: 1, open: 'checkin' });
    const link = parseVotingFragment(new URL(slips[0]!.link).hash);
    const store = memoryStore();
    await expect(checkInVoter(createVoterApi('', inProcessFetch(t)), store, link.code!, roomCode, '0123456789abcdef')).rejects.toMatchObject({
      code: 'key_mismatch',
    });
    expect(requestsOf(pollId)).toBe(0);
    expect(store.keys()).toEqual([]);
  });

  it('refuses check-in once voting opened (late check-in not allowed), after close, and a poll added once slips are printed', async () => {
    const { org, meetingId, pollId, slips, roomCode } = await createMeeting(t, { voters: 2, open: 'checkin' });
    const added = await org.call('POST', `/api/meetings/${meetingId}/polls`, { title: 'Later', questions: [agreeQuestion('x')] });
    expect(added.status).toBe(409);
    expect(added.body.error.message).toMatch(/slips are already printed/);
    const requests = await blindedRequests(meetingId, pollId);
    await openVoting(org, pollId, 0);
    const late = await checkin(slips[1]!.code, roomCode, requests);
    expect(late.status).toBe(409);
    expect(((await late.json()) as any).error).toMatchObject({ code: 'wrong_phase', message: expect.stringMatching(/voting has opened/) });
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const closed = await checkin(slips[1]!.code, roomCode, requests);
    expect(((await closed.json()) as any).error.code).toBe('wrong_phase');
    expect(requestsOf(pollId)).toBe(0);
  });

  it('refuses a request for a poll the code gives no vote in', async () => {
    const a = await createMeeting(t, { voters: 1, open: 'checkin' });
    const b = await createMeeting(t, { voters: 1, open: 'checkin' });
    const other = await checkin(a.slips[0]!.code, a.roomCode, await blindedRequests(b.meetingId, b.pollId));
    expect(other.status).toBe(403);
    expect(((await other.json()) as any).error.code).toBe('not_eligible');
    expect(requestsOf(b.pollId)).toBe(0);
  });

  it('explains an unknown code, a malformed code, a bad room code field and a blinded message of the wrong size or out of range', async () => {
    const { meetingId, pollId, slips, roomCode } = await createMeeting(t, { voters: 1, open: 'checkin' });
    const requests = await blindedRequests(meetingId, pollId);
    const unknown = await checkin('ABCD-EFGH-JKLM-NPQR', roomCode, requests);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.message).toMatch(/ask the organizer/);
    const malformed = await checkin('O0O0-1111', roomCode, requests);
    expect(((await malformed.json()) as any).error.code).toBe('bad_code');
    const noRoom = await checkin(slips[0]!.code, '12345', requests);
    expect(noRoom.status).toBe(400);
    expect(((await noRoom.json()) as any).error.code).toBe('invalid_body');
    const short = await checkin(slips[0]!.code, roomCode, [{ ...requests[0], blindedMessage: toBase64(new Uint8Array(255)) }, requests[1]]);
    expect(short.status).toBe(400);
    expect(((await short.json()) as any).error.code).toBe('bad_length');
    const high = await checkin(slips[0]!.code, roomCode, [{ ...requests[0], blindedMessage: toBase64(new Uint8Array(256).fill(0xff)) }, requests[1]]);
    expect(((await high.json()) as any).error.code).toBe('blinded_message_out_of_range');
    expect(requestsOf(pollId)).toBe(0);
  });

  it('revokes an unused code when its slip is reprinted, but never a code already checked in', async () => {
    const { org, meetingId, pollId, slips, roomCode } = await createMeeting(t, { voters: 2, open: 'checkin' });
    const [used, unused] = slips;
    expect((await checkin(used!.code, roomCode, await blindedRequests(meetingId, pollId))).status).toBe(200);
    const reprint = await org.call('POST', `/api/meetings/${meetingId}/slips`, { voterIds: [used!.voterId, unused!.voterId] });
    expect(reprint.body.slips).toHaveLength(1);
    expect(reprint.body.skippedCheckedIn).toBe(1);
    const old = await checkin(unused!.code, roomCode, await blindedRequests(meetingId, pollId));
    expect(old.status).toBe(404);
    expect((await checkin(reprint.body.slips[0].code, roomCode, await blindedRequests(meetingId, pollId))).status).toBe(200);
  });

  it('parallel check-ins of one voter leave exactly one pending check-in with one request per key', async () => {
    const { meetingId, pollId, slips, roomCode } = await createMeeting(t, { voters: 1, open: 'checkin' });
    const server = await listen(t.app);
    try {
      const bodies = await Promise.all(Array.from({ length: 20 }, () => blindedRequests(meetingId, pollId)));
      const responses = await Promise.all(
        bodies.map((requests) =>
          fetch(`${server.url}/api/checkin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: slips[0]!.code, roomCode, requests }) }),
        ),
      );
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(requestsOf(pollId)).toBe(2);
      expect(count('SELECT count(*) AS n FROM checkins WHERE poll_id = ?', pollId)).toBe(1);
    } finally {
      await server.stop();
    }
  });
});

describe('opening voting: head count and strikes', () => {
  it('refuses more checked in than counted, needs a note for more counted than checked in, and strikes check-ins of those not in the room', async () => {
    const { org, pollId, slips, roomCode } = await createMeeting(t, { voters: 5, open: 'checkin' });
    const devices = [];
    for (const slip of slips.slice(0, 3)) devices.push(await checkInSlip(t, slip, roomCode));
    const tooFew = await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting', headCount: 2 });
    expect(tooFew.status).toBe(409);
    expect(tooFew.body.error).toMatchObject({ code: 'head_count', message: expect.stringMatching(/3 have checked in but 2 were counted/) });
    const noNote = await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting', headCount: 4 });
    expect(noNote.body.error).toMatchObject({ code: 'head_count', message: expect.stringMatching(/say why in a note/) });
    const tooMany = await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting', headCount: 6, headCountNote: 'x' });
    expect(tooMany.body.error.message).toMatch(/more than the 5 voting members expected/);
    const missing = await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting' });
    expect(missing.status).toBe(400);
    // Nothing opened, nothing signed, and check-in still works.
    expect(signaturesOf(pollId)).toBe(0);
    devices.push(await checkInSlip(t, slips[3]!, roomCode));
    // The scrutineers strike one check-in (that voter is not in the room): 3 remain, 3 counted.
    await openVoting(org, pollId, 3, { strike: [slips[3]!.voterId] });
    const collected = await Promise.all(devices.map((d) => collect(d)));
    expect(collected.map((c) => c.ready.length)).toEqual([1, 1, 1, 0]);
    expect(collected[3]).toEqual({ ready: [], waiting: [], lost: [pollId], struck: [pollId] });
    expect(signaturesOf(pollId)).toBe(6);
    const sheet = await org.call('GET', `/api/polls/${pollId}/checkins`);
    expect(sheet.body.voters.map((v: any) => v.state)).toEqual(['issued', 'issued', 'issued', 'struck', 'none']);
    const audit = await org.call('GET', `/api/meetings/${devices[0]!.meeting.id}/audit`);
    const opening = audit.body.entries.find((e: any) => e.action === 'open_voting');
    expect(JSON.parse(opening.details)).toMatchObject({ headCount: 3, checkedIn: 3, struck: 1, struckVoters: [{ name: 'Voter 4' }] });
  });
});
