/**
 * Opening voting (protocol v2), in one act:
 *  1. the head count (清点人数) of the voting members in the room is recorded; the scrutineers may
 *     strike a check-in whose voter is not in the room. More checked in than counted is refused
 *     (someone checked in who is not here); more counted than checked in needs a note;
 *  2. check-in closes, and every pending request is signed, in worker threads;
 *  3. in one transaction: the signatures are stored, the check-ins become `issued` (or `struck`),
 *     the poll moves to `voting`, the issuing private keys are destroyed (unless the meeting
 *     allows late check-in: then at close), and the opening statement is written to the audit
 *     log, whose head at that moment is anchored in the bundle;
 *  4. the WAL is checkpointed and truncated, so that no copy of a destroyed key stays in the
 *     database's files.
 * The waiting devices then fetch their signatures (services/checkin.ts `checkinStatus`) and
 * everybody votes from the same moment on.
 */
import { fail } from '../../shared/errors.ts';
import { equalBytes, fromHex, toHex, utf8 } from '../../shared/encoding.ts';
import { lateCheckInCode } from '../../shared/protocol/late-checkin-code.ts';
import { keySetDigest } from '../../shared/crypto/key-set.ts';
import type { Cosignature, OpeningStatement } from '../../shared/protocol/bundle.ts';
import { blindSignInWorkers, forgetIssuingKey } from '../crypto/blind-signer.ts';
import type { AppDeps } from '../context.ts';
import { checkpointDatabase } from '../db/open.ts';
import * as q from '../db/queries.ts';
import { appendAudit, meetingRecordAnchor } from './audit.ts';
import { drawRoomCode, namedScrutineer } from './checkin.ts';
import { localDate } from '../../shared/publicity.ts';
import { eligibleVoters } from './polls.ts';
import { isBranchMeetingKind, ruleSchema, votesNeeded } from '../../shared/tally/rules.ts';
import { bindingViolations } from '../../shared/tally/binding.ts';
import { fractionEn } from '../../shared/tally/wording.ts';

export interface OpeningFacts {
  /** Voting members in the room (不含列席、预备党员、候选人、书面意见人). */
  headCount: number;
  /** Why more were counted than checked in. */
  headCountNote?: string | undefined;
  /** Voters whose check-in the scrutineers strike: not in the room. */
  strike?: string[] | undefined;
}

/** The key set digest of a meeting, hex: what the slips and the projector show (first 16 digits). */
export const meetingKeySetDigest = (deps: AppDeps, meetingId: string) => toHex(keySetDigest(q.listMeetingKeyIds(deps.db, meetingId).map((id) => fromHex(id))));

/**
 * The opening statement of a poll whose voting has opened, as the bundle carries it and the
 * scrutineers co-sign it (shared/crypto/opening-statement.ts); undefined before the opening.
 */
export function openingStatement(deps: AppDeps, poll: q.PollRow): OpeningStatement | undefined {
  const opening = poll.opening;
  if (opening?.state !== 'open') return undefined;
  const keyIds = q.listPollKeys(deps.db, poll.id).map((k) => k.keyId).sort();
  return {
    pollId: poll.id,
    meetingId: poll.meetingId,
    headCount: opening.headCount,
    headCountNote: opening.headCountNote,
    checkedIn: opening.checkedIn,
    struck: opening.struck,
    issued: keyIds.map((keyId) => ({ keyId, issued: opening.issued[keyId] ?? 0 })),
    keySetDigest: opening.keySetDigest,
    record: opening.anchor,
  };
}

/**
 * The scrutineers' co-signatures of the opening statement as the bundle carries them: by name,
 * role and key, only those made with the key the scrutineer has registered now (a scrutineer who
 * registered a new key since signs the statement again), in canonical order.
 */
export function openingCosignatures(poll: q.PollRow): Cosignature[] {
  if (poll.opening?.state !== 'open') return [];
  return (poll.opening.cosignatures ?? [])
    .flatMap(({ account, publicKey, signature }) => {
      const named = poll.scrutineers.find((s) => s.account === account && s.publicKey === publicKey);
      return named ? [{ name: named.name, role: named.role, publicKey, signature }] : [];
    })
    .sort((a, b) => (a.publicKey < b.publicKey ? -1 : a.publicKey > b.publicKey ? 1 : 0));
}

/**
 * Everything the opening checks before it signs, in the order a scrutineer would: the facts
 * against the sign-in sheet, then the rules (assertOpeningRules). Changes nothing; a meeting
 * opening several polls runs it for every poll before any opens.
 */
export function assertOpeningFacts(deps: AppDeps, poll: q.PollRow, facts: OpeningFacts) {
  if (poll.phase !== 'checkin') fail('wrong_phase', `the poll is in ${poll.phase}; voting opens from check-in`);
  const strike = new Set(facts.strike ?? []);
  const note = (facts.headCountNote ?? '').trim();
  const pending = q.listCheckins(deps.db, poll.id).filter((c) => c.state === 'pending');
  for (const voterId of strike)
    if (!pending.some((c) => c.voterId === voterId)) fail('invalid_body', `strike: voter ${voterId} has no pending check-in in this poll`);
  const checkedIn = pending.length - strike.size;
  const expected = eligibleVoters(deps, poll).length;
  if (facts.headCount > expected) fail('head_count', `the head count ${facts.headCount} is more than the ${expected} voting members expected`);
  if (checkedIn > facts.headCount)
    fail('head_count', `${checkedIn} have checked in but ${facts.headCount} were counted in the room: strike the check-ins of those who are not here, or count again`);
  if (facts.headCount > checkedIn && note === '')
    fail('head_count', `${facts.headCount} were counted but only ${checkedIn} have checked in: say why in a note`);
  assertOpeningRules(deps, poll, facts.headCount, expected);
  return { pending, checkedIn, expected };
}

/**
 * What the rules require of a poll about to open, beyond the sign-in sheet: a rule no looser than
 * the Working Rules (a poll created before the refusal existed is caught here), written opinions
 * only where the rules have them and only from members absent (so those present and those who
 * wrote never exceed the expected count), and the quorum. Checked for every poll before a
 * meeting's polls open, and again in the act that opens each.
 */
export function assertOpeningRules(deps: AppDeps, poll: q.PollRow, headCount: number, expected = eligibleVoters(deps, poll).length): void {
  const loosened = bindingViolations(ruleSchema.parse(poll.rule));
  if (loosened.length) fail('conflict', `poll "${poll.title}": ${loosened.map((v) => `${v.en} ${v.zh}`).join(' ')} Delete the draft and create it again.`);
  const written = q.listWrittenOpinions(deps.db, poll.id).length;
  if (written && !isBranchMeetingKind(poll.kind))
    fail('conflict', `poll "${poll.title}" holds ${written} written opinion(s), which belong to the branch general meeting's votes only: remove them first`);
  if (headCount + written > expected)
    fail('head_count', `poll "${poll.title}": ${headCount} counted in the room and ${written} written opinion(s) of absent members are more than the ${expected} expected`);
  assertQuorum(poll, headCount, expected);
}

/** The quorum of a poll's rule over `expected` voting members; undefined for the kinds without one. */
function quorumNeeded(poll: q.PollRow, expected: number) {
  const rule = ruleSchema.parse(poll.rule);
  if (!('quorum' in rule)) return undefined;
  return { rule: rule.quorum, needed: votesNeeded(expected, rule.quorum.fraction, rule.quorum.comparison) };
}

/**
 * 到会有表决权的正式党员超过应到会人数的半数，才能开会 (DOMAIN §1): a rule with a quorum (the
 * branch general meeting's, a league branch's, the democratic appraisal's) does not open voting
 * when the head count does not reach it. The meeting is rescheduled; no vote is taken, so no
 * count can be published. The kinds whose attendance is an advisory indicator open regardless.
 */
function assertQuorum(poll: q.PollRow, headCount: number, expected: number): void {
  const quorum = quorumNeeded(poll, expected);
  if (!quorum || headCount >= quorum.needed) return;
  const { rule, needed } = quorum;
  const share = `${rule.comparison === 'more_than' ? 'more than' : 'at least'} ${fractionEn(rule.fraction)} of the ${expected} expected`;
  fail(
    'no_quorum',
    `${headCount} voting member${headCount === 1 ? '' : 's'} present, not ${share} (${needed} needed): the meeting cannot be held and voting does not open. ` +
      `到会人数未达到规定（应到会 ${expected} 人，需 ${needed} 人，实到 ${headCount} 人），不能开会：会议改期。`,
  );
}

/**
 * 会议改期: the voting members counted in the room do not reach the quorum, so the meeting is not
 * held. The count goes into the meeting's record (who, when, counted, expected, needed) and the
 * console shows it, once a day. No vote was taken, nothing is signed or published, and the poll
 * keeps its keys, slips and check-ins for the rescheduled meeting, where voting opens on that
 * day's head count; the room code is drawn anew, so today's does not check anyone in from
 * elsewhere meanwhile. Refused when the count does reach the quorum (then the meeting is held),
 * or is below the check-ins (count again).
 */
export function recordRescheduled(deps: AppDeps, pollId: string, headCount: number, actor: string) {
  return q.runInTransaction(deps.db, () => {
    const poll = q.getPoll(deps.db, pollId);
    if (!poll) fail('not_found', 'no such poll');
    if (poll.phase !== 'checkin' || poll.opening !== null) fail('wrong_phase', `the poll is in ${poll.phase}: a meeting is rescheduled before voting opens`);
    const expected = eligibleVoters(deps, poll).length;
    const quorum = quorumNeeded(poll, expected);
    if (!quorum) fail('conflict', `a ${poll.kind} poll has no quorum: its attendance is reported with the result`);
    if (headCount > expected) fail('head_count', `the head count ${headCount} is more than the ${expected} voting members expected`);
    if (headCount >= quorum.needed) fail('conflict', `${headCount} present reach the ${quorum.needed} needed: the meeting can be held, so open voting instead`);
    const checkedIn = q.listCheckins(deps.db, pollId).filter((c) => c.state === 'pending').length;
    if (checkedIn > headCount) fail('head_count', `${checkedIn} have checked in but ${headCount} were counted in the room: count again`);
    const at = deps.now();
    const today = localDate(at);
    if (q.listAuditEntriesOf(deps.db, poll.id, 'meeting_rescheduled').some((e) => localDate(new Date(e.at)) === today))
      fail('conflict', `the rescheduling of poll "${poll.title}" is already recorded today`);
    const fact = { headCount, checkedIn, expected, needed: quorum.needed };
    appendAudit(deps.db, { actor, action: 'meeting_rescheduled', subject: poll.id, details: fact }, at.toISOString());
    // The room code shown today must not check anyone in from elsewhere before the next meeting.
    q.setRoomCode(deps.db, poll.meetingId, drawRoomCode(deps));
    return fact;
  });
}

export async function openVoting(deps: AppDeps, pollId: string, facts: OpeningFacts, actor: string): Promise<q.PollRow> {
  const strike = new Set(facts.strike ?? []);
  const note = (facts.headCountNote ?? '').trim();
  // 1. Check the facts against the sign-in sheet and close check-in, in one transaction.
  const signing = q.runInTransaction(deps.db, () => {
    const poll = q.getPoll(deps.db, pollId);
    if (!poll) fail('not_found', 'no such poll');
    const { pending, checkedIn } = assertOpeningFacts(deps, poll, facts);
    q.setPollOpening(deps.db, pollId, { state: 'signing' });
    return { poll, signed: pending.filter((c) => !strike.has(c.voterId)), checkedIn };
  });
  try {
    // 2. Sign every pending request of the voters not struck, off the event loop.
    const signedVoters = new Set(signing.signed.map((c) => c.voterId));
    const requests = q.listRequestsInState(deps.db, pollId, 'pending').filter((r) => signedVoters.has(r.voterId));
    const keys = q.listPollKeys(deps.db, pollId);
    const batches = keys
      .map((key) => ({ key, requests: requests.filter((r) => r.keyId === key.keyId) }))
      .filter((b) => b.requests.length > 0);
    for (const { key } of batches) if (!key.privateKey) fail('wrong_phase', 'the issuing keys of this poll are gone');
    const signatures = await blindSignInWorkers(
      batches.map(({ key, requests }) => ({ privateKeyPkcs8: key.privateKey!, spki: key.spki, blindedMessages: requests.map((r) => r.blindedMessage) })),
    );
    // 3. Store, destroy, record: one transaction.
    const meeting = q.getMeeting(deps.db, signing.poll.meetingId)!;
    const at = deps.now().toISOString();
    q.runInTransaction(deps.db, () => {
      const poll = q.getPoll(deps.db, pollId)!;
      if (poll.phase !== 'checkin' || poll.opening?.state !== 'signing') fail('wrong_phase', 'the poll changed while voting was opening');
      // Nothing the rules depend on may have moved while signing (meeting facts are frozen meanwhile; this is the proof).
      assertOpeningRules(deps, poll, facts.headCount);
      batches.forEach(({ key, requests }, i) => {
        requests.forEach((r, j) => q.setBlindSignature(deps.db, key.keyId, r.voterId, Buffer.from(signatures[i]![j]!)));
        q.addKeyIssued(deps.db, key.keyId, requests.length);
      });
      for (const c of signing.signed) q.setCheckinState(deps.db, pollId, c.voterId, 'issued');
      for (const voterId of strike) q.setCheckinState(deps.db, pollId, voterId, 'struck');
      if (!meeting.lateCheckIn) q.destroyPrivateKeys(deps.db, pollId);
      q.setPollPhase(deps.db, pollId, 'voting');
      const issued = q.issuedPerKey(deps.db, pollId);
      const keySet = meetingKeySetDigest(deps, meeting.id);
      const statement = {
        headCount: facts.headCount,
        headCountNote: note,
        checkedIn: signing.checkedIn,
        struck: strike.size,
        issued,
        keySetDigest: keySet,
      };
      const struckNames = q.listVoters(deps.db, meeting.id).filter((v) => strike.has(v.id)).map((v) => ({ name: v.name, number: v.number }));
      appendAudit(
        deps.db,
        { actor, action: 'open_voting', subject: pollId, details: { ...statement, struckVoters: struckNames, issuingKeysDestroyed: !meeting.lateCheckIn } },
        at,
      );
      q.setPollOpening(deps.db, pollId, { state: 'open', ...statement, anchor: meetingRecordAnchor(deps.db, meeting.id) });
    });
    if (!meeting.lateCheckIn) for (const key of keys) forgetIssuingKey(key.spki);
  } catch (error) {
    // Nothing was opened: check-in opens again, and the organizer may retry.
    q.runInTransaction(deps.db, () => {
      const poll = q.getPoll(deps.db, pollId);
      if (poll?.phase === 'checkin' && poll.opening?.state === 'signing') q.setPollOpening(deps.db, pollId, null);
    });
    throw error;
  }
  // 4. No old page of the WAL keeps a destroyed key.
  checkpointDatabase(deps.db);
  return q.getPoll(deps.db, pollId)!;
}

/**
 * A late check-in (the meeting allows check-in after voting opened): a scrutineer named for the
 * poll, signed in with their own account, approves it once they see the voter in the room and the
 * confirmation code on the voter's phone matches the one their page lists; it is signed then,
 * with the keys kept alive until close for this purpose. Audit-logged, and counted in the bundle
 * (`lateCheckIns`): such a voter who votes at once is exposed to timing, which the meeting
 * accepted when it allowed late check-in.
 *
 * The approval names the device's check-in, not only the voter: `confirmationCode` must be the
 * current check-in's (shared/protocol/late-checkin-code.ts). Someone who checked in again with the
 * voter's code in the meantime (the organizer holds every slip) holds another check-in id, so
 * another code, and the scrutineer's approval of the voter they saw is refused (409) instead of
 * handing that device the voter's ballots.
 */
export async function approveLateCheckIn(deps: AppDeps, pollId: string, voterId: string, confirmationCode: string, approver: q.UserRow): Promise<void> {
  const poll = q.getPoll(deps.db, pollId);
  if (!poll) fail('not_found', 'no such poll');
  const scrutineer = namedScrutineer(poll, approver);
  if (poll.phase !== 'voting') fail('wrong_phase', 'late check-ins are approved while voting is open');
  const checkin = q.getCheckin(deps.db, pollId, voterId);
  if (checkin?.state !== 'awaiting_approval') fail('not_found', 'this voter has no late check-in waiting for approval');
  const codeMismatch = () =>
    fail('conflict', 'this is not the confirmation code of the late check-in waiting now (it was checked in again from another device, or the code was misread): compare the code on the voter’s phone again');
  if (!equalBytes(utf8(lateCheckInCode(checkin.checkinId)), utf8(confirmationCode))) codeMismatch();
  const requests = q.listRequestsOfVoter(deps.db, pollId, voterId);
  const keys = new Map(q.listPollKeys(deps.db, pollId).map((k) => [k.keyId, k]));
  const batches = requests.map(({ request }) => {
    const key = keys.get(request.keyId)!;
    if (!key.privateKey) fail('wrong_phase', 'the issuing keys of this poll are gone');
    return { privateKeyPkcs8: key.privateKey, spki: key.spki, blindedMessages: [request.blindedMessage] };
  });
  const signatures = await blindSignInWorkers(batches);
  const voter = q.listVoters(deps.db, poll.meetingId).find((v) => v.id === voterId)!;
  q.runInTransaction(deps.db, () => {
    const now = q.getCheckin(deps.db, pollId, voterId);
    // Replaced while signing: the new check-in has another code, which the scrutineer has not compared.
    if (now?.state === 'awaiting_approval' && now.checkinId !== checkin.checkinId) codeMismatch();
    if (now?.state !== 'awaiting_approval') fail('conflict', 'the late check-in changed meanwhile: look again');
    requests.forEach(({ request }, i) => {
      q.setBlindSignature(deps.db, request.keyId, voterId, Buffer.from(signatures[i]![0]!));
      q.addKeyIssued(deps.db, request.keyId, 1);
    });
    q.setCheckinState(deps.db, pollId, voterId, 'issued', scrutineer.name);
    appendAudit(
      deps.db,
      {
        actor: approver.username,
        action: 'approve_late_checkin',
        subject: pollId,
        details: { voter: voter.name, number: voter.number, scrutineer: scrutineer.name, confirmationCode },
      },
      deps.now().toISOString(),
    );
  });
}
