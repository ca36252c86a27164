/**
 * The life of a poll: draft → checkin → voting → closed → published.
 *  - Leaving draft creates one RSA issuing key per (voter group, question), generated off the
 *    event loop; keys never change after that. The meeting gets its room code.
 *  - Opening voting is its own act (services/opening.ts): head count, signing, keys destroyed.
 *  - Closing counts the ballots, destroys any issuing key still held, builds and signs the tally
 *    bundle (services/bundle.ts), all in one transaction, and folds the WAL back so the file
 *    keeps no trace of the order in which ballots were written.
 * Every transition is an audit-log entry.
 */
import { fail } from '../../shared/errors.ts';
import { CANDIDATES_ON_ROSTER_KINDS } from '../../shared/protocol/api.ts';
import { isBranchMeetingKind } from '../../shared/tally/rules.ts';
import { toBase64, toHex } from '../../shared/encoding.ts';
import { tokenKeyId } from '../../shared/crypto/token.ts';
import { candidateKeyFingerprint } from '../../shared/crypto/candidate-key.ts';
import type { Phase, Question } from '../../shared/protocol/poll.ts';
import type { PublicPollView, TurnoutView } from '../../shared/protocol/api.ts';
import { forgetIssuingKey, generateIssuingKeyAsync } from '../crypto/blind-signer.ts';
import { compactDatabase } from '../db/open.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from './audit.ts';
import { publicityOf } from './calendar.ts';
import { DEFAULT_PUBLICITY_CUTOFF } from '../../shared/publicity.ts';
import { buildBundle } from './bundle.ts';
import { drawRoomCode } from './checkin.ts';
import { openVoting, type OpeningFacts } from './opening.ts';

export const NEXT_PHASE: Record<Phase, Phase | undefined> = {
  draft: 'checkin',
  checkin: 'voting',
  voting: 'closed',
  closed: 'published',
  published: undefined,
};

export const pollQuestions = (poll: q.PollRow) => poll.questions as Question[];


/**
 * May this roster entry vote in this poll at all? In one of the poll's groups, and for the
 * branch-meeting kinds a full member (probationary members attend but do not vote).
 * Exclusions are applied separately (`eligibleVoters`).
 */
export function mayVote(poll: q.PollRow, voter: q.VoterRow): boolean {
  if (!voter.groups.some((g) => poll.groups.includes(g))) return false;
  return !isBranchMeetingKind(poll.kind) || voter.status === 'full';
}

/** The expected voters of a poll: those who may vote, less the members excluded with a reason. */
export function eligibleVoters(deps: AppDeps, poll: q.PollRow): q.VoterRow[] {
  const excluded = new Set(q.listExclusions(deps.db, poll.meetingId).map((e) => e.voterId));
  return q.listVoters(deps.db, poll.meetingId).filter((v) => mayVote(poll, v) && !excluded.has(v.id));
}

/**
 * Voters whose ballots the ballot box took, as the ballots themselves show it: for each voter
 * group, the most ballots cast under any one of its keys, summed over the groups. A device casts
 * all of a voter's ballots of a poll in one request, but the server cannot tell whose requests
 * belong together (it must not): counting requests would let one voter who sends their ballots
 * one by one make the count exceed the check-ins. This count never does, and anyone can recompute
 * it from the bundle's ballots per key.
 */
export function submittedOf(keys: readonly Pick<q.PollKeyRow, 'group' | 'castCount'>[]): number {
  const most = new Map<string, number>();
  for (const key of keys) most.set(key.group, Math.max(most.get(key.group) ?? 0, key.castCount));
  return [...most.values()].reduce((sum, n) => sum + n, 0);
}

export function turnout(deps: AppDeps, poll: q.PollRow): TurnoutView {
  return {
    pollId: poll.id,
    phase: poll.phase,
    expected: eligibleVoters(deps, poll).length,
    checkedIn: q.countCheckedIn(deps.db, poll.id),
    submitted: submittedOf(q.listPollKeys(deps.db, poll.id)),
    headCount: poll.opening?.state === 'open' ? poll.opening.headCount : null,
    refusedOverIssued: poll.refusedOverIssued,
    declaredNotVoted: poll.declaredNotVoted,
  };
}

export function publicPollView(deps: AppDeps, poll: q.PollRow): PublicPollView {
  return {
    id: poll.id,
    title: poll.title,
    kind: poll.kind,
    phase: poll.phase,
    groups: poll.groups,
    questions: pollQuestions(poll),
    keys: q.listPollKeys(deps.db, poll.id).map((k) => ({ group: k.group, questionId: k.questionId, keyId: k.keyId, spki: toBase64(k.spki) })),
    ...(poll.kind === 'three_evaluations'
      ? {
          candidateKeys: q.listCandidateKeys(deps.db, poll.id).map(({ questionId, signingKey, boxKey }) => ({
            questionId,
            signingKey,
            boxKey,
            fingerprint: candidateKeyFingerprint({ signingKey, boxKey }),
          })),
        }
      : {}),
  };
}

/**
 * The projector's list of a three-evaluations poll: each candidate's registered key fingerprint
 * by question id, in question order, null until registered. The fingerprints only: the keys
 * themselves are in the public meeting view and the bundle.
 */
export function candidateKeyFingerprints(deps: AppDeps, poll: q.PollRow): Record<string, string | null> {
  const keys = q.listCandidateKeys(deps.db, poll.id);
  return Object.fromEntries(
    pollQuestions(poll).map((question) => {
      const key = keys.find((k) => k.questionId === question.id);
      return [question.id, key ? candidateKeyFingerprint({ signingKey: key.signingKey, boxKey: key.boxKey }) : null];
    }),
  );
}

/**
 * Moves a poll one phase forward. Throws `wrong_phase` if `to` is not the next phase. Opening
 * voting needs the head count (`opening`); see services/opening.ts.
 */
export async function advancePoll(deps: AppDeps, pollId: string, to: Phase, actor: string, opening?: OpeningFacts): Promise<q.PollRow> {
  const before = q.getPoll(deps.db, pollId);
  if (!before) fail('not_found', 'no such poll');
  if (NEXT_PHASE[before.phase] !== to)
    fail('wrong_phase', `the poll is in ${before.phase}; it can only move to ${NEXT_PHASE[before.phase] ?? 'nothing'}`);
  if (to === 'voting') {
    if (!opening) fail('invalid_body', 'opening voting needs the head count (headCount)');
    return openVoting(deps, pollId, opening, actor);
  }
  if (to === 'checkin') return openCheckin(deps, before, actor);
  const at = deps.now().toISOString();
  q.runInTransaction(deps.db, () => {
    const poll = q.getPoll(deps.db, pollId)!;
    if (poll.phase !== before.phase) fail('wrong_phase', `the poll moved to ${poll.phase} meanwhile`);
    if (to === 'closed') {
      const bundle = buildBundle(deps, poll, at);
      q.destroyPrivateKeys(deps.db, pollId);
      q.setPollClosed(deps.db, pollId, at, JSON.stringify(bundle));
      appendAudit(
        deps.db,
        { actor, action: 'close', subject: pollId, details: { ballots: bundle.result.ballotsCast, issuingKeysDestroyed: true } },
        at,
      );
    } else {
      // The period as announced now goes into the poll and the record: it can only grow later.
      const period = publicityOf(deps, { ...poll, publishedAt: at, publicityFirstDay: null, publicityLastDay: null });
      q.setPollPublished(deps.db, pollId, at, period);
      appendAudit(
        deps.db,
        { actor, action: 'publish', subject: pollId, details: { publicityWorkingDays: poll.publicityWorkingDays, firstDay: period.firstDay, lastDay: period.lastDay, cutoff: deps.publicityCutoff ?? DEFAULT_PUBLICITY_CUTOFF } },
        at,
      );
    }
  });
  if (to === 'closed') {
    for (const key of q.listPollKeys(deps.db, pollId)) forgetIssuingKey(key.spki);
    compactDatabase(deps.db);
  }
  return q.getPoll(deps.db, pollId)!;
}

/** A candidate's name as the ballot shows it: their question's title, or their option's label. */
function candidateName(poll: q.PollRow, candidateId: string): string {
  for (const question of pollQuestions(poll)) {
    if (question.id === candidateId) return question.title;
    if (question.type === 'approval' && question.optionLabels?.[candidateId]) return question.optionLabels[candidateId];
  }
  return candidateId;
}

/**
 * Before check-in opens, every candidate's roster number names someone on the roster (and, in
 * the kinds whose candidates vote, every candidate has one; in the democratic appraisal, a full
 * member): a number that matches nobody would
 * leave the candidate a token for their own candidacy, and in the three evaluations without a
 * self-evaluation. Throws `candidate_number` (400) and changes nothing; the roster can still be
 * completed, or the draft poll deleted and created again with the right numbers.
 */
export function assertCandidatesOnRoster(deps: AppDeps, poll: q.PollRow): void {
  const roster = new Map(q.listVoters(deps.db, poll.meetingId).map((v) => [v.number, v]));
  const problems: string[] = [];
  if (CANDIDATES_ON_ROSTER_KINDS.includes(poll.kind))
    for (const question of pollQuestions(poll))
      if (poll.candidateNumbers[question.id] === undefined) problems.push(`candidate ${question.title} has no roster number`);
  for (const [candidateId, number] of Object.entries(poll.candidateNumbers)) {
    const member = roster.get(number);
    if (!member) problems.push(`candidate ${candidateName(poll, candidateId)}: no one on the roster has number ${number}`);
    // 民主评议: probationary members take part but are not graded (DOMAIN §5).
    else if (poll.kind === 'democratic_appraisal' && member.status !== 'full')
      problems.push(`${member.name} (${number}) is a probationary member on the roster: the democratic appraisal grades full members only`);
  }
  if (problems.length)
    fail(
      'candidate_number',
      `poll "${poll.title}": ${problems.slice(0, 10).join('; ')}. Add the candidates to the roster with these numbers, or delete the draft poll and create it again with their roster numbers`,
    );
}

/**
 * Leaving draft: one issuing key per (group, question), generated on the thread pool before the
 * transaction (it is slow and touches nothing shared), and the meeting's room code.
 */
async function openCheckin(deps: AppDeps, before: q.PollRow, actor: string): Promise<q.PollRow> {
  assertCandidatesOnRoster(deps, before);
  const slots = before.groups.flatMap((group) => pollQuestions(before).map((question) => ({ group, questionId: question.id })));
  const generated = await Promise.all(slots.map(async (slot) => ({ ...slot, ...(await generateIssuingKeyAsync()) })));
  const at = deps.now().toISOString();
  q.runInTransaction(deps.db, () => {
    const poll = q.getPoll(deps.db, before.id)!;
    if (poll.phase !== 'draft') fail('wrong_phase', `the poll moved to ${poll.phase} meanwhile`);
    const keys = generated.map(({ group, questionId, spki, privateKeyPkcs8 }) => {
      const keyId = toHex(tokenKeyId(spki));
      q.insertPollKey(deps.db, { keyId, pollId: poll.id, group, questionId, spki: Buffer.from(spki), privateKey: Buffer.from(privateKeyPkcs8) });
      return { group, questionId, keyId };
    });
    const meeting = q.getMeeting(deps.db, poll.meetingId)!;
    if (!meeting.roomCode) q.setRoomCode(deps.db, meeting.id, drawRoomCode(deps));
    q.setPollPhase(deps.db, poll.id, 'checkin');
    appendAudit(deps.db, { actor, action: 'open_checkin', subject: poll.id, details: { keys } }, at);
  });
  return q.getPoll(deps.db, before.id)!;
}

export { pollBundle } from './bundle.ts';
