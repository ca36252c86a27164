/**
 * The tally bundle of a poll, protocol v2 (docs/bundle-format.md), built and signed at close:
 * every ballot with its receipt (and salt and answer unless withheld under the anonymity floor),
 * the keys with the tokens issued under each, the meeting's key set, the electorate with the head
 * count taken at the opening, the audit log's head at the opening and at close, and the result
 * counted from the real ballots before any is withheld.
 */
import { AppError, fail } from '../../shared/errors.ts';
import { toBase64, toBase64Url, toHex } from '../../shared/encoding.ts';
import { signBundle } from '../../shared/crypto/bundle-signature.ts';
import { canonicalJson } from '../../shared/crypto/jcs.ts';
import { ballotReceipt } from '../../shared/crypto/receipt.ts';
import { BUNDLE_FORMAT, resultOfBundle, type BallotV2, type Bundle, type BundleV2, type UnsignedBundle } from '../../shared/protocol/bundle.ts';
import { anonymityFloorOf, mustWithhold, publishedAnswer } from '../../shared/protocol/anonymity.ts';
import type { Choice } from '../../shared/protocol/poll.ts';
import { ruleSchema } from '../../shared/tally/rules.ts';
import type { WrittenOpinion } from '../../shared/tally/result.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { meetingRecordAnchor } from './audit.ts';
import { votingGroup } from './checkin.ts';
import { meetingKeySetDigest, openingCosignatures, openingStatement } from './opening.ts';
import { eligibleVoters, mayVote, pollQuestions, submittedOf } from './polls.ts';

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Written opinions as published: one anonymous entry per (question, opinion), in canonical order. */
function publishedWrittenOpinions(deps: AppDeps, poll: q.PollRow): WrittenOpinion[] {
  return q
    .listWrittenOpinions(deps.db, poll.id)
    .flatMap((row) => Object.entries(JSON.parse(row.choices) as Record<string, string | string[]>).map(([questionId, choice]) => ({ questionId, choice })))
    .map((entry) => ({ entry, key: canonicalJson(entry) }))
    .sort((a, b) => byCodeUnits(a.key, b.key))
    .map(({ entry }) => entry);
}

/** Expected voters per group (three evaluations: the roster of the participation rule), each in the one group they vote in. */
function expectedByGroup(deps: AppDeps, poll: q.PollRow): Record<string, number> {
  const eligible = eligibleVoters(deps, poll);
  return Object.fromEntries(poll.groups.map((g) => [g, eligible.filter((v) => votingGroup(poll, v) === g).length]));
}

export function buildBundle(deps: AppDeps, poll: q.PollRow, closedAt: string): BundleV2 {
  const opening = poll.opening;
  if (opening?.state !== 'open') fail('wrong_phase', 'voting never opened in this poll');
  const voters = new Map(q.listVoters(deps.db, poll.meetingId).map((v) => [v.id, v]));
  // Only members who would have a vote in this poll: the others are not part of its electorate.
  const exclusions = q
    .listExclusions(deps.db, poll.meetingId)
    .filter((e) => voters.has(e.voterId) && mayVote(poll, voters.get(e.voterId)!))
    .map(({ reason, approvedBy }) => ({ reason, approvedBy }))
    .sort((a, b) => byCodeUnits(canonicalJson(a), canonicalJson(b)));
  const rule = ruleSchema.parse(poll.rule);
  const questions = pollQuestions(poll);
  const floor = anonymityFloorOf(rule);
  const keys = q.listPollKeys(deps.db, poll.id);
  const issued = q.issuedPerKey(deps.db, poll.id);
  const signed = q.listCheckins(deps.db, poll.id).filter((c) => c.state === 'issued');
  const lateCheckIns = signed.filter((c) => c.late).length;
  const rows = q.listBallots(deps.db, poll.id).map((r) => ({ ...r, answerValue: JSON.parse(r.answer) as Choice }));
  const ballots: BallotV2[] = rows.map((r) => ({
    token: toBase64Url(r.token),
    receipt: toHex(ballotReceipt(r.token, r.salt, r.answerValue)),
    salt: toBase64(r.salt),
    answer: r.answerValue,
  }));
  const evaluation = rule.kind === 'three_evaluations';
  const parts = {
    poll: { id: poll.id, meetingId: poll.meetingId, title: poll.title, kind: poll.kind, questions, rule, anonymityFloor: floor },
    electorate: {
      expected: eligibleVoters(deps, poll).length,
      headCount: opening.headCount,
      headCountNote: opening.headCountNote,
      checkedIn: signed.length,
      struck: opening.struck,
      lateCheckIns,
      present: opening.headCount + lateCheckIns,
      submitted: submittedOf(keys),
      declaredNotVoted: poll.declaredNotVoted,
      refusedOverIssued: poll.refusedOverIssued,
      ...(evaluation ? { expectedByGroup: expectedByGroup(deps, poll) } : {}),
    },
    keySet: { digest: meetingKeySetDigest(deps, poll.meetingId), keyIds: [...q.listMeetingKeyIds(deps.db, poll.meetingId)].sort() },
    tokenKeys: keys.map((k) => ({ group: k.group, questionId: k.questionId, keyId: k.keyId, spki: toBase64(k.spki), issued: issued[k.keyId] ?? 0 })),
    ballots,
    writtenOpinions: publishedWrittenOpinions(deps, poll),
    exclusions,
    ...(evaluation
      ? {
          candidateKeys: q.listCandidateKeys(deps.db, poll.id).map(({ questionId, signingKey, boxKey }) => ({ questionId, signingKey, boxKey })),
          // Only statements signed with the candidate's key (every one since protocol v2).
          selfEvaluations: q
            .listSelfEvaluations(deps.db, poll.id)
            .flatMap((s) => (s.signature ? [{ questionId: s.questionId, scores: JSON.parse(s.scores) as Record<string, number>, signature: s.signature }] : [])),
        }
      : {}),
  };
  // Counted from the real ballots, before any is withheld.
  const result = resultOfBundle(parts);
  const withheldKeys = new Set(
    keys
      .filter((k) => {
        const question = questions.find((x) => x.id === k.questionId);
        return question && mustWithhold(question, rows.filter((r) => r.keyId === k.keyId).map((r) => r.answerValue), floor);
      })
      .map((k) => k.keyId),
  );
  const unsigned: UnsignedBundle = {
    format: BUNDLE_FORMAT,
    ...parts,
    ballots: ballots.map((ballot, i) => {
      const withheld = withheldKeys.has(rows[i]!.keyId);
      const answer = publishedAnswer(ballot.answer, withheld);
      return answer === ballot.answer ? ballot : { token: ballot.token, receipt: ballot.receipt, answer };
    }),
    // Name, role and co-signing key; never the account they sign in with.
    scrutineers: poll.scrutineers.map(({ name, role, publicKey }) => ({ name, role, ...(publicKey ? { publicKey } : {}) })),
    opening: { statement: openingStatement(deps, poll)!, cosignatures: openingCosignatures(poll) },
    record: { opening: opening.anchor, close: meetingRecordAnchor(deps.db, poll.meetingId) },
    result,
    closedAt,
    signer: { alg: 'Ed25519', publicKey: deps.installationKey.publicKeyBase64 },
  };
  return signBundle(unsigned, deps.installationKey.secretKey);
}

/** The signed bundle of a closed poll, with the scrutineers' co-signatures gathered so far. */
export function pollBundle(deps: AppDeps, poll: q.PollRow): Bundle {
  if (!poll.bundle) throw new AppError('wrong_phase', 'the poll is not closed yet; there is no result before close');
  const bundle = JSON.parse(poll.bundle) as Bundle;
  const cosignatures = q.listCosignatures(deps.db, poll.id).flatMap(({ account, signature }) => {
    const named = poll.scrutineers.find((s) => s.account === account && s.publicKey);
    return named ? [{ name: named.name, role: named.role, publicKey: named.publicKey!, signature }] : [];
  });
  return cosignatures.length ? { ...bundle, cosignatures } : bundle;
}
