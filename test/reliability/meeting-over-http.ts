/**
 * A meeting run against a real server over HTTP, as an organizer and voters would: the organizer
 * creates a meeting with one poll, imports a roster, opens check-in and prints slips; voters
 * check in with the client's own code (blind, finalize, verify) and hold their tokens; then
 * voting opens. Used by the crash, privacy and fuzz tests.
 */
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { blind, finalize, randomNonce } from '../../shared/crypto/blind-rsa.ts';
import { encodeToken, encodeTokenInput, tokenContext } from '../../shared/crypto/token.ts';
import { fromBase64, toBase64, toBase64Url } from '../../shared/encoding.ts';
import { checkServedKey, parseVotingFragment, voterSlot, type HeldToken } from '../../shared/protocol/voter-flow.ts';
import type { Choices } from '../../shared/protocol/poll.ts';
import { signIn, type OrganizerSession } from './child-server.ts';

export const QUESTIONS = [
  { id: 'c1', type: 'single', title: 'Candidate one', options: ['agree', 'disagree', 'abstain'] },
  { id: 'c2', type: 'single', title: 'Candidate two', options: ['agree', 'disagree', 'abstain'] },
] as const;

/** A ballot for token number `i`: every combination of the two questions appears. */
export function choicesFor(i: number): Choices {
  const options = QUESTIONS[0].options;
  return { c1: options[i % 3]!, c2: options[Math.floor(i / 3) % 3]! };
}

export interface Slip {
  voterId: string;
  code: string;
  link: string;
}

export interface HttpMeeting {
  org: OrganizerSession;
  meetingId: string;
  pollId: string;
  slips: Slip[];
}

/** Meeting, poll, roster of `voters`, check-in open, slips printed. */
export async function openMeetingForCheckin(
  baseUrl: string,
  voters: number,
  options: { open?: 'checkin' | 'draft'; questions?: readonly unknown[] } = {},
): Promise<HttpMeeting> {
  const org = await signIn(baseUrl);
  const meeting = await org.call('POST', '/api/meetings', { title: 'Branch meeting' });
  const poll = await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: 'Acceptance', questions: options.questions ?? QUESTIONS });
  const roster = Array.from({ length: voters }, (_, i) => ({ name: `Voter ${i + 1}`, number: `N${String(i).padStart(5, '0')}` }));
  await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: roster });
  let slips: Slip[] = [];
  if ((options.open ?? 'checkin') === 'checkin') {
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' });
    slips = (await org.call('POST', `/api/meetings/${meeting.id}/slips`, {})).slips;
  }
  return { org, meetingId: meeting.id, pollId: poll.id, slips };
}

/**
 * Checks in every slip (`concurrency` at once) and returns one token per voter, in slip order.
 * The client's own steps (shared/protocol/voter-flow.ts) minus its per-voter lookup and key
 * download: the poll's key is fetched and checked against the slips' fingerprint once, then each
 * voter blinds, sends one check-in request, finalizes and verifies. A third of the requests, so
 * hundreds of voters check in within seconds.
 */
export async function checkInAll(baseUrl: string, meeting: HttpMeeting, concurrency = 4): Promise<HeldToken[]> {
  const api = createVoterApi(baseUrl);
  const { slips, pollId } = meeting;
  const served = (await api.meeting(meeting.meetingId)).polls.find((p) => p.id === pollId)!.keys[0]!;
  const key = checkServedKey(served, parseVotingFragment(new URL(slips[0]!.link).hash).fingerprints);
  const context = tokenContext(pollId, served.group);
  const tokens: HeldToken[] = new Array(slips.length);
  let next = 0;
  const worker = async () => {
    while (next < slips.length) {
      const index = next++;
      const code = parseVotingFragment(new URL(slips[index]!.link).hash).code!;
      const nonce = randomNonce();
      const input = encodeTokenInput({ nonce, context, keyId: key.keyId });
      const blinded = blind(key.publicKey, input);
      const { signatures } = await api.checkin(code, [{ pollId, group: served.group, blindedMessage: toBase64(blinded.blindedMessage) }]);
      const signature = finalize(key.publicKey, input, fromBase64(signatures[0]!.blindSignature), blinded.inverse);
      const token = encodeToken({ nonce, context, keyId: key.keyId, authenticator: signature });
      tokens[index] = { voter: voterSlot(code), pollId, group: served.group, token: toBase64Url(token) };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tokens;
}

/** POST /api/ballots exactly as the voter's client sends it (no cookie, JSON only). */
export function castOverHttp(baseUrl: string, token: string, choices: Choices, signal?: AbortSignal) {
  return fetch(`${baseUrl}/api/ballots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, choices }),
    ...(signal ? { signal } : {}),
  });
}
