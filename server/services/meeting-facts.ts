/**
 * Facts of the meeting that the rules need, entered by the organizer and recorded in the
 * audit log (DOMAIN §1, §6):
 *  - exclusions: a member left out of the expected count, with the reason and who approved it;
 *  - written opinions of absent voting members: named, entered before voting opens, counted in
 *    the tally and kept apart from the anonymous ballots;
 *  - scrutineers (监票人, 计票人) named for a poll.
 * Names stay in the unit's own record; the public bundle carries only reasons, approvers,
 * the opinions' choices and the scrutineers.
 */
import { fail } from '../../shared/errors.ts';
import { canonicalJson } from '../../shared/crypto/jcs.ts';
import { validateChoices, type Choices } from '../../shared/protocol/poll.ts';
import { isBranchMeetingKind } from '../../shared/tally/rules.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from './audit.ts';
import { maySeeMeeting } from './meetings.ts';
import { mayVote, pollQuestions } from './polls.ts';

function voterOfMeeting(deps: AppDeps, meetingId: string, voterId: string): q.VoterRow {
  const voter = q.listVoters(deps.db, meetingId).find((v) => v.id === voterId);
  if (!voter) fail('not_found', 'no such voter on this meeting’s roster');
  return voter;
}

function hasCheckedIn(deps: AppDeps, meetingId: string, voterId: string) {
  return q.listPollsOfMeeting(deps.db, meetingId).some((p) => q.listCheckedInVoterIds(deps.db, p.id).includes(voterId));
}

/**
 * The expected count is fixed once check-in opens: the sign-in sheet is read against it and the
 * quorum judged on it, so no exclusion may lower it after a head count fell short (or while the
 * opening signs). Members away with approval are left out before the meeting.
 */
function assertExpectedCountOpen(deps: AppDeps, meetingId: string) {
  const started = q.listPollsOfMeeting(deps.db, meetingId).find((p) => p.phase !== 'draft');
  if (started) fail('wrong_phase', `poll "${started.title}" is already ${started.phase}: the expected count was fixed when check-in opened`);
}

/** Written opinions stay open until voting opens, but not while an opening of the meeting signs. */
function assertNotSigning(deps: AppDeps, meetingId: string) {
  const signing = q.listPollsOfMeeting(deps.db, meetingId).find((p) => p.opening?.state === 'signing');
  if (signing) fail('wrong_phase', `poll "${signing.title}" is opening voting right now: try again in a moment`);
}

export function setExclusion(deps: AppDeps, meetingId: string, voterId: string, fact: { reason: string; approvedBy: string }, actor: string) {
  const voter = voterOfMeeting(deps, meetingId, voterId);
  assertExpectedCountOpen(deps, meetingId);
  if (hasCheckedIn(deps, meetingId, voterId)) fail('conflict', `${voter.name} has checked in and holds a token: they are present, not excluded`);
  if (q.listWrittenOpinionsOfVoter(deps.db, voterId).length)
    fail('conflict', `${voter.name} submitted a written opinion: remove it before excluding them`);
  q.runInTransaction(deps.db, () => {
    q.upsertExclusion(deps.db, { voterId, meetingId, ...fact });
    appendAudit(deps.db, { actor, action: 'exclude_voter', subject: meetingId, details: { voter: voter.name, number: voter.number, ...fact } }, deps.now().toISOString());
  });
}

export function removeExclusion(deps: AppDeps, meetingId: string, voterId: string, actor: string) {
  const voter = voterOfMeeting(deps, meetingId, voterId);
  assertExpectedCountOpen(deps, meetingId);
  q.runInTransaction(deps.db, () => {
    if (q.deleteExclusion(deps.db, voterId) === 0) fail('not_found', `${voter.name} is not excluded`);
    appendAudit(deps.db, { actor, action: 'include_voter', subject: meetingId, details: { voter: voter.name, number: voter.number } }, deps.now().toISOString());
  });
}

export function setWrittenOpinion(deps: AppDeps, poll: q.PollRow, voterId: string, choices: Choices, actor: string) {
  if (poll.phase !== 'draft' && poll.phase !== 'checkin') fail('wrong_phase', 'written opinions are entered before voting opens');
  assertNotSigning(deps, poll.meetingId);
  const voter = voterOfMeeting(deps, poll.meetingId, voterId);
  // 因故不能到会的有表决权的正式党员 send written opinions to a branch general meeting only.
  if (!isBranchMeetingKind(poll.kind))
    fail('conflict', `written opinions belong to the branch general meeting's votes (accepting and converting members); a ${poll.kind} poll takes none`);
  if (!mayVote(poll, voter)) fail('not_eligible', `${voter.name} has no vote in this poll`);
  if (q.listExclusions(deps.db, poll.meetingId).some((e) => e.voterId === voterId))
    fail('conflict', `${voter.name} is excluded from the expected count`);
  if (q.listCheckedInVoterIds(deps.db, poll.id).includes(voterId))
    fail('conflict', `${voter.name} has checked in: a member present votes by secret ballot`);
  const canonical = validateChoices(pollQuestions(poll), choices);
  q.runInTransaction(deps.db, () => {
    q.upsertWrittenOpinion(deps.db, { pollId: poll.id, voterId, choices: canonicalJson(canonical) });
    appendAudit(deps.db, { actor, action: 'enter_written_opinion', subject: poll.id, details: { voter: voter.name, number: voter.number, choices: canonical } }, deps.now().toISOString());
  });
}

export function removeWrittenOpinion(deps: AppDeps, poll: q.PollRow, voterId: string, actor: string) {
  if (poll.phase !== 'draft' && poll.phase !== 'checkin') fail('wrong_phase', 'written opinions are fixed once voting opens');
  assertNotSigning(deps, poll.meetingId);
  const voter = voterOfMeeting(deps, poll.meetingId, voterId);
  q.runInTransaction(deps.db, () => {
    if (q.deleteWrittenOpinion(deps.db, poll.id, voterId) === 0) fail('not_found', `${voter.name} has no written opinion in this poll`);
    appendAudit(deps.db, { actor, action: 'remove_written_opinion', subject: poll.id, details: { voter: voter.name, number: voter.number } }, deps.now().toISOString());
  });
}

/**
 * Names the scrutineers, before voting opens. One who will co-sign is named with their scrutineer
 * account, which must be able to see the meeting; a key they already registered is kept when they
 * are named again.
 */
export function setScrutineers(deps: AppDeps, poll: q.PollRow, named: { name: string; role: 'supervisor' | 'counter'; account?: string | undefined }[], actor: string) {
  // Fixed once voting opens: they co-sign the opening statement and the result, and an organizer
  // must not be able to rename or drop a scrutineer who would not co-sign.
  if ((poll.phase !== 'draft' && poll.phase !== 'checkin') || poll.opening !== null)
    fail('wrong_phase', 'the scrutineers are fixed once voting opens: they co-sign what the opening and the result say');
  const meeting = q.getMeeting(deps.db, poll.meetingId)!;
  const accounts = named.flatMap((s) => (s.account ? [s.account] : []));
  if (new Set(accounts).size !== accounts.length) fail('invalid_body', 'one account is named twice');
  const scrutineers = named.map(({ name, role, account }) => {
    if (!account) return { name, role };
    const user = q.findUserByUsername(deps.db, account);
    // One answer for every refusal, so that naming accounts cannot probe other units' accounts.
    if (!user || user.role !== 'scrutineer' || !maySeeMeeting(user, meeting)) fail('invalid_body', `${account} is not a scrutineer account of this unit`);
    const publicKey = poll.scrutineers.find((s) => s.account === account)?.publicKey;
    return { name, role, account, ...(publicKey ? { publicKey } : {}) };
  });
  q.runInTransaction(deps.db, () => {
    q.setPollScrutineers(deps.db, poll.id, scrutineers);
    appendAudit(deps.db, { actor, action: 'name_scrutineers', subject: poll.id, details: { scrutineers: named } }, deps.now().toISOString());
  });
}

/**
 * Records the branch committee's decision beside an advisory result, or the higher committee's
 * pre-examination of a development object. Only after close, when the result is known.
 */
export function recordDecision(deps: AppDeps, poll: q.PollRow, questionId: string, decision: Omit<q.DecisionRow, 'pollId' | 'questionId'>, actor: string) {
  if (poll.phase !== 'closed' && poll.phase !== 'published') fail('wrong_phase', 'decisions are recorded once the poll is closed');
  if (!pollQuestions(poll).some((question) => question.id === questionId)) fail('not_found', `no candidate ${questionId} in this poll`);
  if (decision.step === 'pre_examination' && poll.kind !== 'development_object_confirmation')
    fail('invalid_body', 'pre-examination is a step for development objects');
  if (decision.step === 'league_review' && poll.kind !== 'league_recommendation')
    fail('invalid_body', 'the league committee’s review (团委审核) is a step for league recommendations');
  q.runInTransaction(deps.db, () => {
    q.upsertDecision(deps.db, { pollId: poll.id, questionId, ...decision });
    appendAudit(deps.db, { actor, action: 'record_decision', subject: poll.id, details: { questionId, ...decision } }, deps.now().toISOString());
  });
}

/** The unit's own record of the meeting facts of a poll, with names (never published). */
export function meetingRecord(deps: AppDeps, poll: q.PollRow) {
  const voters = new Map(q.listVoters(deps.db, poll.meetingId).map((v) => [v.id, v]));
  return {
    exclusions: q.listExclusions(deps.db, poll.meetingId).map((e) => ({
      voterId: e.voterId,
      name: voters.get(e.voterId)?.name,
      number: voters.get(e.voterId)?.number,
      reason: e.reason,
      approvedBy: e.approvedBy,
    })),
    writtenOpinions: q.listWrittenOpinions(deps.db, poll.id).map((w) => ({
      voterId: w.voterId,
      name: voters.get(w.voterId)?.name,
      number: voters.get(w.voterId)?.number,
      choices: JSON.parse(w.choices) as Choices,
    })),
    scrutineers: poll.scrutineers,
    decisions: q.listDecisions(deps.db, poll.id).map(({ pollId: _p, ...d }) => d),
  };
}
