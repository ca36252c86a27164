import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blind, parseRsaSpki, randomNonce } from '../../shared/crypto/blind-rsa.ts';
import { encodeTokenInput, tokenContext } from '../../shared/crypto/token.ts';
import { fromBase64, fromHex, toBase64 } from '../../shared/encoding.ts';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { checkInVoter, memoryStore, parseVotingFragment } from '../../shared/protocol/voter-flow.ts';
import { inProcessFetch, listen, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { createMeeting } from '../helpers/meeting.ts';

let t: TestServer;
beforeAll(() => {
  t = startTestApp();
});
afterAll(() => t.close());

/** A fresh blinded request for the voter's (poll, group), built the way the client does. */
async function blindedRequest(meetingId: string, pollId: string) {
  const meeting = (await (await t.app.request(`/api/public/meetings/${meetingId}`)).json()) as any;
  const key = meeting.polls.find((p: any) => p.id === pollId).keys[0];
  const pk = parseRsaSpki(fromBase64(key.spki));
  const input = encodeTokenInput({ nonce: randomNonce(), context: tokenContext(pollId, key.group), keyId: fromHex(key.keyId) });
  return { pollId, group: key.group as string, blindedMessage: toBase64(blind(pk, input).blindedMessage) };
}

const checkin = (code: string, requests: unknown[]) =>
  t.app.request('/api/checkin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, requests }) });

const issuanceCount = (pollId: string) =>
  (t.deps.db.$client.prepare('SELECT count(*) AS n FROM issuances WHERE poll_id = ?').get(pollId) as { n: number }).n;

describe('check-in and issuance', () => {
  it('is idempotent for the same blinded message and refuses a different one', async () => {
    const { meetingId, pollId, slips } = await createMeeting(t, { voters: 2 });
    const code = slips[0]!.code;
    const request = await blindedRequest(meetingId, pollId);
    const first = await checkin(code, [request]);
    expect(first.status).toBe(200);
    const again = await checkin(code, [request]);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    const other = await checkin(code, [await blindedRequest(meetingId, pollId)]);
    expect(other.status).toBe(409);
    expect(((await other.json()) as any).error.code).toBe('already_issued');
    expect(issuanceCount(pollId)).toBe(1);
  });

  it('parallel check-ins of one voter with different blinded messages yield exactly one signature', async () => {
    const { meetingId, pollId, slips } = await createMeeting(t, { voters: 1 });
    const server = await listen(t.app);
    try {
      const requests = await Promise.all(Array.from({ length: 20 }, () => blindedRequest(meetingId, pollId)));
      const responses = await Promise.all(
        requests.map((r) =>
          fetch(`${server.url}/api/checkin`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ code: slips[0]!.code, requests: [r] }),
          }),
        ),
      );
      expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
      expect(responses.filter((r) => r.status === 409)).toHaveLength(19);
      expect(issuanceCount(pollId)).toBe(1);
    } finally {
      await server.stop();
    }
  });

  it('a retry after a lost response reuses the stored blinded message and gets a valid token', async () => {
    const { slips } = await createMeeting(t, { voters: 1 });
    const link = parseVotingFragment(new URL(slips[0]!.link).hash);
    const store = memoryStore();
    let dropped = false;
    const flaky = async (input: string, init?: RequestInit) => {
      const response = await t.app.request(input, init);
      if (input.endsWith('/api/checkin') && !dropped) {
        dropped = true; // the server signed, but the answer never reaches the voter
        throw new TypeError('network down');
      }
      return response;
    };
    await expect(checkInVoter(createVoterApi('', flaky), store, link.code!, link.fingerprints)).rejects.toMatchObject({ code: 'network' });
    const retry = await checkInVoter(createVoterApi('', inProcessFetch(t)), store, link.code!, link.fingerprints);
    expect(retry.tokens).toHaveLength(1);
  });

  it('refuses a key whose fingerprint is not the one in the voting link, before sending anything', async () => {
    const { slips, pollId } = await createMeeting(t, { voters: 1 });
    const link = parseVotingFragment(new URL(slips[0]!.link).hash);
    const store = memoryStore();
    await expect(checkInVoter(createVoterApi('', inProcessFetch(t)), store, link.code!, ['0123456789abcdef'])).rejects.toMatchObject({
      code: 'key_mismatch',
    });
    expect(issuanceCount(pollId)).toBe(0);
    expect(store.keys()).toEqual([]);
  });

  it('refuses issuance after the poll closes, and a poll added once slips are printed', async () => {
    const { org, meetingId, pollId, slips } = await createMeeting(t, { voters: 2 });
    // Slips carry the fingerprints of every key of the meeting: no poll may join it afterwards.
    const added = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
      title: 'Later',
      questions: [{ id: 'x', type: 'single', title: 'X', options: ['agree', 'disagree', 'abstain'] }],
    });
    expect(added.status).toBe(409);
    expect(added.body.error.message).toMatch(/slips are already printed/);
    const request = await blindedRequest(meetingId, pollId);
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting' });
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const late = await checkin(slips[1]!.code, [request]);
    expect(late.status).toBe(409);
    expect(((await late.json()) as any).error.code).toBe('wrong_phase');
    expect(issuanceCount(pollId)).toBe(0);
  });

  it('refuses a request for a poll the code gives no vote in', async () => {
    const a = await createMeeting(t, { voters: 1 });
    const b = await createMeeting(t, { voters: 1 });
    const other = await checkin(a.slips[0]!.code, [await blindedRequest(b.meetingId, b.pollId)]);
    expect(other.status).toBe(403);
    expect(((await other.json()) as any).error.code).toBe('not_eligible');
    expect(issuanceCount(b.pollId)).toBe(0);
  });

  it('explains an unknown code, a malformed code and a blinded message of the wrong size', async () => {
    const { meetingId, pollId, slips } = await createMeeting(t, { voters: 1 });
    const unknown = await checkin('ABCD-EFGH-JKLM-NPQR', [await blindedRequest(meetingId, pollId)]);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.message).toMatch(/ask the organizer/);
    const malformed = await checkin('O0O0-1111', [await blindedRequest(meetingId, pollId)]);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as any).error.code).toBe('bad_code');
    const short = await checkin(slips[0]!.code, [{ pollId, group: 'members', blindedMessage: toBase64(new Uint8Array(255)) }]);
    expect(short.status).toBe(400);
    expect(((await short.json()) as any).error.code).toBe('bad_length');
    expect(issuanceCount(pollId)).toBe(0);
  });

  it('revokes an unused code when its slip is reprinted, but never a code already used', async () => {
    const { org, meetingId, pollId, slips } = await createMeeting(t, { voters: 2 });
    const [used, unused] = slips;
    expect((await checkin(used!.code, [await blindedRequest(meetingId, pollId)])).status).toBe(200);
    const reprint = await org.call('POST', `/api/meetings/${meetingId}/slips`, { voterIds: [used!.voterId, unused!.voterId] });
    expect(reprint.body.slips).toHaveLength(1);
    expect(reprint.body.skippedCheckedIn).toBe(1);
    const old = await checkin(unused!.code, [await blindedRequest(meetingId, pollId)]);
    expect(old.status).toBe(404);
    expect((await checkin(reprint.body.slips[0].code, [await blindedRequest(meetingId, pollId)])).status).toBe(200);
  });
});
