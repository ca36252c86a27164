/**
 * Check-in, protocol v2 (deferred issuance). The voting code identifies the voter; the room code
 * (six digits on the projector) shows they are in the room. Checking in records one blinded
 * request per key the voter holds a vote under — one per (poll, group, question), never for their
 * own candidacy — and signs nothing. Until voting opens the voter may check in again from another
 * device: the new requests replace the pending ones under a new check-in id, and the first device,
 * asking with its old id, learns that it was replaced. Opening voting (services/opening.ts) signs
 * every pending request at once, so each ballot hides among all who checked in.
 *
 * With late check-in allowed for the meeting, a check-in after the opening waits for a
 * scrutineer's approval (`awaiting_approval`) and is signed then. The waiting phone shows a
 * confirmation code derived from its own check-in id (shared/protocol/late-checkin-code.ts); the
 * scrutineers' list shows the same code beside the name, and the approval must carry it.
 *
 * Who checked in is the sign-in sheet (`checkins`): a check-in writes no log line and no audit
 * entry. One thing is audited: a check-in that replaces a pending one (or a late one awaiting
 * approval), since whoever holds a voting code (the organizer printed them all) could otherwise
 * take a voter's place without a trace.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { parseRsaSpki } from '../../shared/crypto/blind-rsa.ts';
import { bigIntToBytes, compareBytes, equalBytes, fromBase64, toBase64, toHex, utf8 } from '../../shared/encoding.ts';
import { fail } from '../../shared/errors.ts';
import type { CandidateKeyApproval, CandidateKeyRegistration, CandidateKeyRequests, CheckinResponse, CheckinState, CheckinStatusResponse, EntitledKey, LateCheckInsAwaiting, LookupResponse } from '../../shared/protocol/api.ts';
import { lateCheckInCode } from '../../shared/protocol/late-checkin-code.ts';
import { normalizeVotingCode } from '../../shared/protocol/voting-code.ts';
import type { AppDeps } from '../context.ts';
import type { Db } from '../db/open.ts';
import * as q from '../db/queries.ts';
import { mayVote, pollQuestions } from './polls.ts';
import { appendAudit } from './audit.ts';
import { candidateKeyFingerprint, checkCandidateKeys, type CandidatePublicKeys } from '../../shared/crypto/candidate-key.ts';

export const hashVotingCode = (normalizedCode: string) => toHex(sha256(utf8(`voting-code|${normalizedCode}`)));

export function voterByCode(deps: AppDeps, code: string): q.VoterRow {
  const voter = q.findVoterByCodeHash(deps.db, hashVotingCode(normalizeVotingCode(code)));
  if (!voter) fail('unknown_code', 'this voting code is not valid: check the slip, or ask the organizer for a new one');
  return voter;
}

/** Wrong room codes a voting code may try from one network before it must wait for a new room code. */
export const ROOM_CODE_TRIES = 10;
/** Wrong room codes a voting code may try from all networks together (bounds guessing from many networks). */
export const ROOM_CODE_TRIES_IN_ALL = 10 * ROOM_CODE_TRIES;
/**
 * Per database, per voter: wrong room codes since the room code was last drawn, in all and per
 * network (server/limits.ts), in memory only. Counted per network so that someone holding a
 * voter's code elsewhere cannot lock the voter in the room out; in all so that guessing from many
 * networks stays bounded.
 */
const wrongRoomCodes = new WeakMap<Db, Map<string, { roomCode: string; wrong: number; byNetwork: Map<string, number> }>>();

function checkRoomCode(deps: AppDeps, voter: q.VoterRow, meeting: q.MeetingRow, given: string, network: string) {
  if (!meeting.roomCode) fail('wrong_phase', 'check-in has not opened yet');
  let tries = wrongRoomCodes.get(deps.db);
  if (!tries) wrongRoomCodes.set(deps.db, (tries = new Map()));
  const seen = tries.get(voter.id);
  const current = seen && seen.roomCode === meeting.roomCode ? seen : { roomCode: meeting.roomCode, wrong: 0, byNetwork: new Map<string, number>() };
  const fromHere = current.byNetwork.get(network) ?? 0;
  if (fromHere >= ROOM_CODE_TRIES || current.wrong >= ROOM_CODE_TRIES_IN_ALL)
    fail('room_code_locked', 'too many wrong room codes with this voting code: ask the organizer to show a new room code');
  if (!equalBytes(utf8(given), utf8(meeting.roomCode))) {
    current.wrong++;
    current.byNetwork.set(network, fromHere + 1);
    tries.set(voter.id, current);
    fail('room_code', 'this is not the room code shown on the projector');
  }
}

/** Draws a new six-digit room code (uniform: bytes above the largest multiple of 10^6 are drawn again). */
export function drawRoomCode(deps: AppDeps): string {
  for (;;) {
    const bytes = deps.randomBytes(4);
    const value = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
    if (value < 4_294_000_000) return String(value % 1_000_000).padStart(6, '0');
  }
}

/**
 * The one group a voter votes in, in a poll: the first of the poll's groups they belong to. A
 * voter in two groups (a student representative who is also a class member) votes once per
 * candidate: two ballots on one candidate — likely the same scores — would single them out.
 */
export const votingGroup = (poll: q.PollRow, voter: q.VoterRow): string | undefined => poll.groups.find((g) => voter.groups.includes(g));

/** A poll a voter may check in for now, and the keys they would hold a token under. */
interface Entitlement {
  poll: q.PollRow;
  keys: q.PollKeyRow[];
  late: boolean;
}

/** The questions of a poll that are this voter's own candidacy (matched by roster number). */
export const ownQuestions = (poll: q.PollRow, voter: q.VoterRow) =>
  new Set(Object.entries(poll.candidateNumbers).filter(([, number]) => number === voter.number).map(([questionId]) => questionId));

/**
 * The polls the voter holds a vote in at this phase of the meeting: check-in open (and not being
 * signed for the opening), or voting open with late check-in allowed; the voter may vote in the
 * poll, is not excluded and submitted no written opinion instead. A key of the voter's own
 * candidacy is left out: a candidate gets no token for themself.
 */
function entitlements(deps: AppDeps, voter: q.VoterRow, meeting: q.MeetingRow): Entitlement[] {
  if (q.listExclusions(deps.db, voter.meetingId).some((e) => e.voterId === voter.id)) return [];
  const wrote = new Set(q.listWrittenOpinionsOfVoter(deps.db, voter.id).map((w) => w.pollId));
  return q.listPollsOfMeeting(deps.db, voter.meetingId).flatMap((poll) => {
    const checkinOpen = poll.phase === 'checkin' && poll.opening === null;
    const late = poll.phase === 'voting' && meeting.lateCheckIn;
    if (!(checkinOpen || late) || !mayVote(poll, voter) || wrote.has(poll.id)) return [];
    const own = ownQuestions(poll, voter);
    const group = votingGroup(poll, voter);
    const keys = q.listPollKeys(deps.db, poll.id).filter((k) => k.group === group && !own.has(k.questionId));
    return keys.length ? [{ poll, keys, late }] : [];
  });
}

const keyView = (k: q.PollKeyRow): EntitledKey => ({ group: k.group, questionId: k.questionId, keyId: k.keyId });

export function lookupVoter(deps: AppDeps, code: string): LookupResponse {
  const voter = voterByCode(deps, code);
  const meeting = q.getMeeting(deps.db, voter.meetingId)!;
  const states = new Map(q.listCheckinsOfVoter(deps.db, voter.id).map((c) => [c.pollId, c.state]));
  const ownCandidacies = q
    .listPollsOfMeeting(deps.db, voter.meetingId)
    .flatMap((p) => [...ownQuestions(p, voter)].map((questionId) => ({ pollId: p.id, questionId })));
  const open = entitlements(deps, voter, meeting);
  // Polls whose check-in was signed (or struck) at the opening are listed too, though no longer
  // open to check-in: a device that was replaced can then say where the ballots went.
  const settled = q
    .listPollsOfMeeting(deps.db, voter.meetingId)
    .filter((p) => !open.some((e) => e.poll.id === p.id) && (states.get(p.id) === 'issued' || states.get(p.id) === 'struck'));
  return {
    meetingId: voter.meetingId,
    voter: { name: voter.name },
    ownCandidacies,
    polls: [
      ...open.map(({ poll, keys, late }) => ({ pollId: poll.id, phase: poll.phase, keys: keys.map(keyView), checkin: states.get(poll.id) ?? ('none' as const), late })),
      ...settled.map((poll) => ({ pollId: poll.id, phase: poll.phase, keys: [], checkin: states.get(poll.id)!, late: false })),
    ],
  };
}

/** n of each key as big-endian bytes, to refuse a blinded message out of range at check-in rather than at the opening. */
const moduli = new Map<string, Uint8Array>();
function modulusOf(key: q.PollKeyRow): Uint8Array {
  let modulus = moduli.get(key.keyId);
  if (!modulus) {
    const pk = parseRsaSpki(key.spki);
    modulus = bigIntToBytes(pk.n, pk.modulusLength);
    if (moduli.size > 4096) moduli.clear();
    moduli.set(key.keyId, modulus);
  }
  return modulus;
}

const CHECKIN_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** 26 characters from 32: 130 bits. */
function newCheckinId(deps: AppDeps): string {
  let id = '';
  for (const b of deps.randomBytes(26)) id += CHECKIN_ID_ALPHABET[b & 31];
  return id;
}

/**
 * Records the voter's blinded requests for every poll they name: each poll's keys all at once,
 * exactly the keys the voter holds a vote under. Replaces a pending check-in of the same polls
 * (another device); refuses once a poll's check-in was signed (`already_issued`).
 */
export function checkIn(
  deps: AppDeps,
  code: string,
  roomCode: string,
  requests: { pollId: string; group: string; questionId: string; blindedMessage: string }[],
  network = 'unknown',
): CheckinResponse {
  const voter = voterByCode(deps, code);
  const meeting = q.getMeeting(deps.db, voter.meetingId)!;
  checkRoomCode(deps, voter, meeting, roomCode, network);
  const byPoll = new Map<string, typeof requests>();
  for (const request of requests) {
    const list = byPoll.get(request.pollId);
    if (list) list.push(request);
    else byPoll.set(request.pollId, [request]);
  }
  const checkinId = newCheckinId(deps);
  return q.runInTransaction(deps.db, () => {
    const allowed = new Map(entitlements(deps, voter, meeting).map((e) => [e.poll.id, e]));
    const polls = [...byPoll].map(([pollId, asked]) => {
      const entitlement = allowed.get(pollId);
      if (!entitlement) {
        const poll = q.getPoll(deps.db, pollId);
        if (poll && poll.meetingId === voter.meetingId && mayVote(poll, voter)) {
          if (poll.phase === 'draft') fail('wrong_phase', 'check-in has not opened yet');
          if (poll.phase === 'checkin') fail('wrong_phase', 'voting is opening: check-in has closed');
          if (poll.phase === 'voting') fail('wrong_phase', 'voting has opened: check-in has closed');
          if (poll.phase === 'closed' || poll.phase === 'published') fail('wrong_phase', 'this poll is closed');
        }
        fail('not_eligible', `this code gives no vote in poll ${pollId}`);
      }
      const keys = new Map(entitlement.keys.map((k) => [`${k.group}|${k.questionId}`, k]));
      const rows = asked.map((request) => {
        const key = keys.get(`${request.group}|${request.questionId}`);
        if (!key) fail('not_eligible', `this code gives no vote in poll ${pollId} on ${request.questionId} for group ${request.group}`);
        keys.delete(`${request.group}|${request.questionId}`);
        const blinded = fromBase64(request.blindedMessage, 'blindedMessage');
        const modulus = modulusOf(key);
        if (blinded.length !== modulus.length) fail('bad_length', `blindedMessage: expected ${modulus.length} bytes, got ${blinded.length}`);
        if (compareBytes(blinded, modulus) >= 0) fail('blinded_message_out_of_range', 'blindedMessage is not below the key modulus');
        return { keyId: key.keyId, voterId: voter.id, blindedMessage: Buffer.from(blinded), blindSignature: null };
      });
      if (keys.size > 0) fail('invalid_body', `poll ${pollId}: a check-in asks for every key of the poll at once (${keys.size} missing)`);
      const previous = q.getCheckin(deps.db, pollId, voter.id);
      if (previous?.state === 'issued') fail('already_issued', 'your ballots for this poll were already issued when voting opened');
      if (previous?.state === 'struck' && !entitlement.late) fail('wrong_phase', 'voting has opened: check-in has closed');
      if ((previous?.state === 'pending' || previous?.state === 'awaiting_approval') && !isRetry(deps, previous, rows))
        auditReplacement(deps, pollId, voter, previous);
      q.deleteRequestsOfVoter(deps.db, pollId, voter.id);
      q.insertIssuanceRequests(deps.db, rows);
      const state: CheckinState = entitlement.late ? 'awaiting_approval' : 'pending';
      q.upsertCheckin(deps.db, { pollId, voterId: voter.id, checkinId, state, late: entitlement.late, approvedBy: null });
      return { pollId, state };
    });
    return { checkinId, polls };
  });
}

/** The very requests already recorded: the same device again, after an answer it never got. */
function isRetry(deps: AppDeps, previous: q.CheckinRow, rows: { keyId: string; blindedMessage: Buffer }[]): boolean {
  const recorded = q.listRequestsOfVoter(deps.db, previous.pollId, previous.voterId);
  return recorded.length === rows.length && rows.every((row) => recorded.some(({ request }) => request.keyId === row.keyId && request.blindedMessage.equals(row.blindedMessage)));
}

/**
 * A pending check-in (before the opening) or a late one awaiting approval is replaced by another
 * device. This is kept as a feature (a lost phone, a switch out of WeChat's browser) rather than
 * refused for a late check-in too: refusing would let whoever checks in first with a code keep it
 * (the organizer, who holds every slip, could occupy a late voter's check-in before they arrive),
 * and a voter whose phone died while waiting could not move. The replacement cannot take the
 * voter's ballots any more, since the approval names the check-in by its confirmation code, and
 * it is written down here, with name and number.
 *
 * This links no ballot: that this voter checked in is already on the sign-in sheet by name, and
 * nothing is signed at a replacement. Before the opening, issuance happens for everyone at once;
 * a late check-in's own moment is exposed by its approval, audit-logged anyway.
 */
function auditReplacement(deps: AppDeps, pollId: string, voter: q.VoterRow, previous: q.CheckinRow) {
  appendAudit(
    deps.db,
    {
      actor: `voting code ${voter.number}`,
      action: 'replace_checkin',
      subject: pollId,
      details: { voter: voter.name, number: voter.number, replaced: previous.state, by: 'another device' },
    },
    deps.now().toISOString(),
  );
}

/** The scrutineer named for the poll whom `user` signs in as: only they see and approve late check-ins and candidates' new keys. */
export function namedScrutineer(poll: q.PollRow, user: q.UserRow) {
  const scrutineer = poll.scrutineers.find((s) => s.account === user.username);
  if (user.role !== 'scrutineer' || !scrutineer) fail('forbidden', 'only a scrutineer named for this poll, signed in with their own account, may do this');
  return scrutineer;
}

/**
 * The late check-ins of a poll waiting for approval, in roster order, with the confirmation code
 * each waiting phone shows. For the scrutineers named for the poll only: the organizer's sign-in
 * sheet says who waits, not the code, which would tell someone searching for a replacement with
 * the same code what to search for.
 */
export function lateCheckInsAwaiting(deps: AppDeps, pollId: string, user: q.UserRow): LateCheckInsAwaiting {
  const poll = q.getPoll(deps.db, pollId);
  if (!poll) fail('not_found', 'no such poll');
  namedScrutineer(poll, user);
  const waiting = new Map(q.listCheckins(deps.db, pollId).filter((c) => c.state === 'awaiting_approval').map((c) => [c.voterId, c]));
  return {
    pollId,
    waiting: q.listVoters(deps.db, poll.meetingId).flatMap((v) => {
      const checkin = waiting.get(v.id);
      return checkin ? [{ voterId: v.id, name: v.name, number: v.number, confirmationCode: lateCheckInCode(checkin.checkinId) }] : [];
    }),
  };
}

/** Requests to replace a candidacy's keys kept at most (the oldest go first). */
export const MAX_CANDIDATE_KEY_REQUESTS = 8;

/**
 * A candidate registers their own public keys (made in their browser) for their candidacy in a
 * three-evaluations poll: in the room (the room code), before voting opens. The first keys
 * registered hold. Other keys for the same candidacy — from a new phone, or from whoever else
 * holds the printed code — only wait (`awaiting_approval`) until a scrutineer named for the poll,
 * looking at the candidate's own phone in the room, approves the fingerprint it shows
 * (`approveCandidateKey`). Otherwise the organizer, who printed the code, could register keys of
 * his own a moment before the opening, sign the self-evaluation and open every comment.
 * Audit-logged: registrations, requests and approvals, with fingerprints.
 */
export function registerCandidateKey(
  deps: AppDeps,
  code: string,
  roomCode: string,
  pollId: string,
  keys: CandidatePublicKeys,
  network = 'unknown',
): CandidateKeyRegistration {
  const voter = voterByCode(deps, code);
  const meeting = q.getMeeting(deps.db, voter.meetingId)!;
  checkRoomCode(deps, voter, meeting, roomCode, network);
  const poll = q.getPoll(deps.db, pollId);
  if (!poll || poll.meetingId !== voter.meetingId) fail('not_found', 'no such poll in your meeting');
  if (poll.kind !== 'three_evaluations') fail('not_eligible', 'only candidates in the three evaluations register a key');
  const questionId = [...ownQuestions(poll, voter)][0];
  if (!questionId) fail('not_eligible', 'you are not a candidate in this evaluation');
  if (poll.phase !== 'checkin' || poll.opening !== null) fail('wrong_phase', 'keys are registered in the room before voting opens');
  checkCandidateKeys(keys);
  const fingerprint = candidateKeyFingerprint(keys);
  const same = (k: CandidatePublicKeys) => k.signingKey === keys.signingKey && k.boxKey === keys.boxKey;
  return q.runInTransaction(deps.db, (): CandidateKeyRegistration => {
    const at = deps.now().toISOString();
    const actor = `candidate ${voter.number}`;
    const registered = q.listCandidateKeys(deps.db, pollId).find((k) => k.questionId === questionId);
    if (!registered) {
      q.upsertCandidateKey(deps.db, { pollId, questionId, signingKey: keys.signingKey, boxKey: keys.boxKey });
      appendAudit(deps.db, { actor, action: 'register_candidate_key', subject: pollId, details: { questionId, candidate: voter.name, fingerprint } }, at);
      return { questionId, fingerprint, state: 'registered' };
    }
    if (same(registered)) return { questionId, fingerprint, state: 'registered' };
    // A scrutineer approved this fingerprint already, read from the candidate's phone: in force now.
    if (registered.approvedFingerprint === fingerprint) {
      replaceCandidateKeys(deps, pollId, questionId, keys);
      appendAudit(deps.db, { actor, action: 'register_candidate_key', subject: pollId, details: { questionId, candidate: voter.name, fingerprint, approvedBefore: true } }, at);
      return { questionId, fingerprint, state: 'registered' };
    }
    const waiting = q.listCandidateKeyRequests(deps.db, pollId).filter((r) => r.questionId === questionId);
    if (waiting.some(same)) return { questionId, fingerprint, state: 'awaiting_approval' };
    for (const old of waiting.slice(0, Math.max(0, waiting.length - MAX_CANDIDATE_KEY_REQUESTS + 1))) q.deleteCandidateKeyRequest(deps.db, old.id);
    q.insertCandidateKeyRequest(deps.db, { pollId, questionId, signingKey: keys.signingKey, boxKey: keys.boxKey });
    appendAudit(
      deps.db,
      { actor, action: 'request_candidate_key', subject: pollId, details: { questionId, candidate: voter.name, fingerprint, registered: candidateKeyFingerprint(registered) } },
      at,
    );
    return { questionId, fingerprint, state: 'awaiting_approval' };
  });
}

/**
 * For the scrutineers named for a three-evaluations poll: each candidate's registered key
 * fingerprint and the fingerprints of the keys waiting to replace it, to compare with the
 * candidate's phone in the room.
 */
export function candidateKeyRequests(deps: AppDeps, pollId: string, user: q.UserRow): CandidateKeyRequests {
  const poll = q.getPoll(deps.db, pollId);
  if (!poll) fail('not_found', 'no such poll');
  namedScrutineer(poll, user);
  const keys = q.listCandidateKeys(deps.db, pollId);
  const registered = new Map(keys.map((k) => [k.questionId, candidateKeyFingerprint(k)]));
  const approved = new Map(keys.flatMap((k) => (k.approvedFingerprint ? [[k.questionId, k.approvedFingerprint] as const] : [])));
  const requests = q.listCandidateKeyRequests(deps.db, pollId);
  const open = poll.kind === 'three_evaluations' && poll.phase === 'checkin' && poll.opening === null;
  return {
    pollId,
    open,
    candidates: pollQuestions(poll)
      .filter((question) => requests.some((r) => r.questionId === question.id) || approved.has(question.id))
      .map((question) => ({
        questionId: question.id,
        name: question.title,
        registered: registered.get(question.id) ?? null,
        requested: requests.filter((r) => r.questionId === question.id).map((r) => candidateKeyFingerprint(r)),
        approved: approved.get(question.id) ?? null,
      })),
  };
}

/**
 * A scrutineer approves the keys whose fingerprint the candidate's own phone shows, in the room:
 * they replace the registered keys (and a self-evaluation signed with those goes); the other
 * waiting requests of the candidacy are dropped. Before voting opens only.
 */
export function approveCandidateKey(deps: AppDeps, pollId: string, questionId: string, fingerprint: string, approver: q.UserRow): CandidateKeyApproval {
  const poll = q.getPoll(deps.db, pollId);
  if (!poll) fail('not_found', 'no such poll');
  const scrutineer = namedScrutineer(poll, approver);
  if (poll.kind !== 'three_evaluations') fail('not_eligible', 'only the three evaluations have candidate keys');
  if (poll.phase !== 'checkin' || poll.opening !== null) fail('wrong_phase', "a candidate's keys are replaced before voting opens");
  if (!pollQuestions(poll).some((x) => x.id === questionId)) fail('not_found', `no candidate ${questionId} in this poll`);
  const name = pollQuestions(poll).find((x) => x.id === questionId)!.title;
  return q.runInTransaction(deps.db, (): CandidateKeyApproval => {
    const registered = q.listCandidateKeys(deps.db, pollId).find((k) => k.questionId === questionId);
    if (!registered) fail('conflict', 'this candidate has registered no keys yet: their phone registers them when they check in');
    if (candidateKeyFingerprint(registered) === fingerprint) return { questionId, fingerprint, state: 'in_force' };
    const request = q
      .listCandidateKeyRequests(deps.db, pollId)
      .find((r) => r.questionId === questionId && candidateKeyFingerprint(r) === fingerprint);
    const at = deps.now().toISOString();
    const details = { questionId, candidate: name, fingerprint, scrutineer: scrutineer.name };
    if (request) {
      replaceCandidateKeys(deps, pollId, questionId, request);
      appendAudit(deps.db, { actor: approver.username, action: 'approve_candidate_key', subject: pollId, details }, at);
      return { questionId, fingerprint, state: 'in_force' };
    }
    // Not among the waiting keys (not sent yet, or pushed out by a flood of others): the keys with
    // this fingerprint take effect when the candidate's phone sends them, and no others can,
    // since nobody can make keys with a given 64-bit fingerprint.
    q.setApprovedCandidateFingerprint(deps.db, pollId, questionId, fingerprint);
    appendAudit(deps.db, { actor: approver.username, action: 'approve_candidate_key', subject: pollId, details: { ...details, awaitingKeys: true } }, at);
    return { questionId, fingerprint, state: 'awaiting_keys' };
  });
}

/** New keys in force for a candidacy: the self-evaluation signed with the old ones goes, and every waiting request. */
function replaceCandidateKeys(deps: AppDeps, pollId: string, questionId: string, keys: CandidatePublicKeys) {
  q.deleteSelfEvaluation(deps.db, pollId, questionId);
  q.upsertCandidateKey(deps.db, { pollId, questionId, signingKey: keys.signingKey, boxKey: keys.boxKey });
  q.deleteCandidateKeyRequests(deps.db, pollId, questionId);
}

/** A check-in's state per poll and, once signed, its blind signatures: what the device that holds `checkinId` may fetch. */
export function checkinStatus(deps: AppDeps, checkinId: string): CheckinStatusResponse {
  return {
    polls: q.listCheckinsById(deps.db, checkinId).map((row) => {
      const poll = q.getPoll(deps.db, row.pollId)!;
      const base = { pollId: row.pollId, phase: poll.phase, state: row.state };
      if (row.state !== 'issued') return base;
      const signatures = q.listRequestsOfVoter(deps.db, row.pollId, row.voterId).flatMap(({ request, key }) =>
        request.blindSignature ? [{ group: key.group, questionId: key.questionId, blindSignature: toBase64(request.blindSignature) }] : [],
      );
      return { ...base, signatures };
    }),
  };
}
