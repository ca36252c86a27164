/**
 * A meeting run against a real server over HTTP, as an organizer and voters would: the organizer
 * creates a meeting with one poll, imports a roster, opens check-in and prints slips; voters
 * check in with the room code (one blinded request per candidate), voting opens with the head
 * count, and each voter's device fetches its blind signatures and holds one verified token per
 * candidate. Used by the crash, privacy and fuzz tests.
 */
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { blind, finalize, parseRsaSpki, randomNonce } from '../../shared/crypto/blind-rsa.ts';
import { encodeToken, encodeTokenInput, tokenContext } from '../../shared/crypto/token.ts';
import { fromBase64, fromHex, toBase64, toBase64Url } from '../../shared/encoding.ts';
import { parseVotingFragment, servedKeySetFingerprint } from '../../shared/protocol/voter-flow.ts';
import type { Choice, Choices } from '../../shared/protocol/poll.ts';
import { signIn, type OrganizerSession } from './child-server.ts';

export const QUESTIONS = [
  { id: 'c1', type: 'single', title: 'Candidate one', options: ['agree', 'disagree', 'abstain'] },
  { id: 'c2', type: 'single', title: 'Candidate two', options: ['agree', 'disagree', 'abstain'] },
] as const;

/** The answers of voter number `i`: every combination of the two questions appears. */
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
  roomCode: string;
}

/** One token a voter holds: its question, the token and the salt its receipt will use. */
export interface HttpToken {
  questionId: string;
  token: string;
  salt: string;
}

/** Meeting, poll, roster of `voters`, check-in open, slips printed, the room code read. */
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
  let roomCode = '';
  if ((options.open ?? 'checkin') === 'checkin') {
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' });
    slips = (await org.call('POST', `/api/meetings/${meeting.id}/slips`, {})).slips;
    roomCode = (await org.call('GET', `/api/meetings/${meeting.id}/room-code`)).roomCode;
  }
  return { org, meetingId: meeting.id, pollId: poll.id, slips, roomCode };
}

/**
 * Checks in every slip (`concurrency` at once), opens voting with the head count, and returns one
 * list of tokens per voter, in slip order. The client's own steps (shared/protocol/voter-flow.ts)
 * minus its per-voter lookup and key download: the keys are fetched and checked against the
 * slips' key set fingerprint once; each voter blinds one request per key and checks in; after the
 * opening each fetches its signatures, finalizes and verifies.
 */
export async function checkInAll(baseUrl: string, meeting: HttpMeeting, concurrency = 4): Promise<HttpToken[][]> {
  const api = createVoterApi(baseUrl);
  const { slips, pollId } = meeting;
  const view = await api.meeting(meeting.meetingId);
  if (servedKeySetFingerprint(view) !== parseVotingFragment(new URL(slips[0]!.link).hash).keySetFingerprint) throw new Error('key set mismatch');
  const keys = view.polls.find((p) => p.id === pollId)!.keys.map((k) => ({ ...k, publicKey: parseRsaSpki(fromBase64(k.spki)) }));
  const pending: { checkinId: string; requests: { key: (typeof keys)[number]; nonce: Uint8Array; inverse: Uint8Array }[] }[] = new Array(slips.length);
  let next = 0;
  const checkIn = async () => {
    while (next < slips.length) {
      const index = next++;
      const code = parseVotingFragment(new URL(slips[index]!.link).hash).code!;
      const requests = keys.map((key) => {
        const nonce = randomNonce();
        const input = encodeTokenInput({ nonce, context: tokenContext(pollId, key.group, key.questionId), keyId: fromHex(key.keyId) });
        return { key, nonce, ...blind(key.publicKey, input) };
      });
      const answer = await api.checkin(
        code,
        meeting.roomCode,
        requests.map((r) => ({ pollId, group: r.key.group, questionId: r.key.questionId, blindedMessage: toBase64(r.blindedMessage) })),
      );
      pending[index] = { checkinId: answer.checkinId, requests };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, checkIn));
  await meeting.org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting', headCount: slips.length });
  const tokens: HttpToken[][] = new Array(slips.length);
  next = 0;
  const collect = async () => {
    while (next < slips.length) {
      const index = next++;
      const { checkinId, requests } = pending[index]!;
      const status = await api.checkinStatus(checkinId);
      const signatures = status.polls[0]!.signatures!;
      tokens[index] = requests.map(({ key, nonce, inverse }) => {
        const fields = { nonce, context: tokenContext(pollId, key.group, key.questionId), keyId: fromHex(key.keyId) };
        const blindSignature = fromBase64(signatures.find((s) => s.questionId === key.questionId)!.blindSignature);
        const authenticator = finalize(key.publicKey, encodeTokenInput(fields), blindSignature, inverse);
        return { questionId: key.questionId, token: toBase64Url(encodeToken({ ...fields, authenticator })), salt: toBase64(randomNonce()) };
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, collect));
  return tokens;
}

/** The ballots of one voter's submission: each token with its answer. */
export const ballotsOf = (tokens: readonly HttpToken[], choices: Choices) =>
  tokens.map((t) => ({ token: t.token, salt: t.salt, answer: choices[t.questionId] as Choice }));

/** POST /api/ballots exactly as the voter's client sends it (no cookie, JSON only). */
export function castOverHttp(baseUrl: string, ballots: { token: string; salt: string; answer: Choice }[], signal?: AbortSignal) {
  return fetch(`${baseUrl}/api/ballots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ballots }),
    ...(signal ? { signal } : {}),
  });
}
