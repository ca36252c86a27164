/**
 * The life of a poll: draft → checkin → voting → closed → published.
 *  - Leaving draft creates one RSA issuing key per voter group; keys never change after that.
 *  - Closing counts the ballots, destroys the issuing private keys, builds and signs the tally
 *    bundle, all in one transaction, and folds the WAL back so the file keeps no trace of the
 *    order in which ballots were written.
 * Every transition is an audit-log entry.
 */
import { AppError, fail } from '../../shared/errors.ts';
import { toBase64, toBase64Url, toHex } from '../../shared/encoding.ts';
import { keyFingerprint, tokenKeyId } from '../../shared/crypto/token.ts';
import { signBundle } from '../../shared/crypto/bundle-signature.ts';
import { BUNDLE_FORMAT, ballotGroupsOf, resultOfBundle, type Bundle, type UnsignedBundle } from '../../shared/protocol/bundle.ts';
import { canonicalJson } from '../../shared/crypto/jcs.ts';
import { ruleSchema } from '../../shared/tally/rules.ts';
import type { PollResult, WrittenOpinion } from '../../shared/tally/result.ts';
import { WITHHELD, type Choices, type Phase, type Question } from '../../shared/protocol/poll.ts';
import type { PublicPollView, TurnoutView } from '../../shared/protocol/api.ts';
import { forgetIssuingKey, generateIssuingKey } from '../crypto/blind-signer.ts';
import { compactDatabase } from '../db/open.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from './audit.ts';

const NEXT_PHASE: Record<Phase, Phase | undefined> = {
  draft: 'checkin',
  checkin: 'voting',
  voting: 'closed',
  closed: 'published',
  published: undefined,
};

export const pollQuestions = (poll: q.PollRow) => poll.questions as Question[];

const FULL_MEMBERS_ONLY = new Set(['member_acceptance', 'member_conversion']);

/**
 * May this roster entry vote in this poll at all? In one of the poll's groups, and for the
 * branch-meeting kinds a full member (probationary members attend but do not vote).
 * Exclusions are applied separately (`eligibleVoters`).
 */
export function mayVote(poll: q.PollRow, voter: q.VoterRow): boolean {
  if (!voter.groups.some((g) => poll.groups.includes(g))) return false;
  return !FULL_MEMBERS_ONLY.has(poll.kind) || voter.status === 'full';
}

/** The expected voters of a poll: those who may vote, less the members excluded with a reason. */
export function eligibleVoters(deps: AppDeps, poll: q.PollRow): q.VoterRow[] {
  const excluded = new Set(q.listExclusions(deps.db, poll.meetingId).map((e) => e.voterId));
  return q.listVoters(deps.db, poll.meetingId).filter((v) => mayVote(poll, v) && !excluded.has(v.id));
}

export function turnout(deps: AppDeps, poll: q.PollRow): TurnoutView {
  return {
    pollId: poll.id,
    phase: poll.phase,
    expected: eligibleVoters(deps, poll).length,
    checkedIn: q.countCheckedIn(deps.db, poll.id),
    ballotsCast: q.countBallots(deps.db, poll.id),
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
    keys: q.listPollKeys(deps.db, poll.id).map((k) => ({
      group: k.group,
      keyId: k.keyId,
      spki: toBase64(k.spki),
      fingerprint: keyFingerprint(tokenKeyId(k.spki)),
    })),
  };
}

/**
 * Moves a poll one phase forward. Throws `wrong_phase` if `to` is not the next phase.
 * Key generation happens before the transaction (it is slow and touches nothing shared).
 */
export function advancePoll(deps: AppDeps, pollId: string, to: Phase, actor: string): q.PollRow {
  const before = q.getPoll(deps.db, pollId);
  if (!before) fail('not_found', 'no such poll');
  if (NEXT_PHASE[before.phase] !== to)
    fail('wrong_phase', `the poll is in ${before.phase}; it can only move to ${NEXT_PHASE[before.phase] ?? 'nothing'}`);
  const newKeys = to === 'checkin' ? before.groups.map((group) => ({ group, ...generateIssuingKey() })) : [];
  const at = deps.now().toISOString();
  q.runInTransaction(deps.db, () => {
    const poll = q.getPoll(deps.db, pollId)!;
    if (poll.phase !== before.phase) fail('wrong_phase', `the poll moved to ${poll.phase} meanwhile`);
    if (to === 'checkin') {
      const keyIds = newKeys.map(({ group, spki, privateKeyPkcs8 }) => {
        const keyId = toHex(tokenKeyId(spki));
        q.insertPollKey(deps.db, {
          keyId,
          pollId,
          group,
          spki: Buffer.from(spki),
          privateKey: Buffer.from(privateKeyPkcs8),
        });
        return { group, keyId };
      });
      q.setPollPhase(deps.db, pollId, 'checkin');
      appendAudit(deps.db, { actor, action: 'open_checkin', subject: pollId, details: { keys: keyIds } }, at);
    } else if (to === 'closed') {
      const bundle = buildBundle(deps, poll, at);
      q.destroyPrivateKeys(deps.db, pollId);
      q.setPollClosed(deps.db, pollId, at, JSON.stringify(bundle));
      appendAudit(
        deps.db,
        { actor, action: 'close', subject: pollId, details: { ballots: bundle.result.ballotsCast, issuingKeysDestroyed: true } },
        at,
      );
    } else if (to === 'published') {
      q.setPollPublished(deps.db, pollId, at);
      appendAudit(deps.db, { actor, action: 'publish', subject: pollId, details: { publicityWorkingDays: poll.publicityWorkingDays } }, at);
    } else {
      q.setPollPhase(deps.db, pollId, to);
      appendAudit(deps.db, { actor, action: 'open_voting', subject: pollId }, at);
    }
  });
  if (to === 'closed') {
    for (const key of q.listPollKeys(deps.db, pollId)) forgetIssuingKey(key.spki);
    compactDatabase(deps.db);
  }
  return q.getPoll(deps.db, pollId)!;
}

/** Written opinions as published: one anonymous entry per (question, opinion), in canonical order. */
function publishedWrittenOpinions(deps: AppDeps, poll: q.PollRow): WrittenOpinion[] {
  return q
    .listWrittenOpinions(deps.db, poll.id)
    .flatMap((row) => Object.entries(JSON.parse(row.choices) as Record<string, string | string[]>).map(([questionId, choice]) => ({ questionId, choice })))
    .map((entry) => ({ entry, key: canonicalJson(entry) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ entry }) => entry);
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Expected voters per group (three evaluations: the roster of the participation rule). */
function expectedByGroup(deps: AppDeps, poll: q.PollRow): Record<string, number> {
  const eligible = eligibleVoters(deps, poll);
  return Object.fromEntries(poll.groups.map((g) => [g, eligible.filter((v) => v.groups.includes(g)).length]));
}

/**
 * Ballots as published. For the three evaluations, the scores a ballot gave a candidate in a
 * group that stayed under the anonymity floor are replaced by the WITHHELD marker: with one or
 * two raters, publishing their sheets would reveal what the result withholds.
 */
function publishedBallots(ballots: Bundle['ballots'], groups: string[], result: PollResult): Bundle['ballots'] {
  const withheld = new Set((result.candidates ?? []).flatMap((c) => c.withheld.map((g) => `${c.id}|${g}`)));
  if (withheld.size === 0) return ballots;
  return ballots.map((ballot, i) => ({
    token: ballot.token,
    choices: Object.fromEntries(Object.entries(ballot.choices).map(([id, choice]) => [id, withheld.has(`${id}|${groups[i]}`) ? WITHHELD : choice])),
  }));
}

function buildBundle(deps: AppDeps, poll: q.PollRow, closedAt: string): Bundle {
  const rows = q.listBallots(deps.db, poll.id);
  const voters = new Map(q.listVoters(deps.db, poll.meetingId).map((v) => [v.id, v]));
  // Only members who would have a vote in this poll: the others are not part of its electorate.
  const exclusions = q
    .listExclusions(deps.db, poll.meetingId)
    .filter((e) => voters.has(e.voterId) && mayVote(poll, voters.get(e.voterId)!))
    .map(({ reason, approvedBy }) => ({ reason, approvedBy }))
    .sort((a, b) => byCodeUnits(canonicalJson(a), canonicalJson(b)));
  const rule = ruleSchema.parse(poll.rule);
  const evaluation = rule.kind === 'three_evaluations';
  const parts = {
    poll: { id: poll.id, meetingId: poll.meetingId, title: poll.title, kind: poll.kind, questions: pollQuestions(poll), rule },
    electorate: {
      expected: eligibleVoters(deps, poll).length,
      checkedIn: q.countCheckedIn(deps.db, poll.id),
      issued: q.issuedPerGroup(deps.db, poll.id),
      ...(evaluation ? { expectedByGroup: expectedByGroup(deps, poll) } : {}),
    },
    ballots: rows.map((r) => ({ token: toBase64Url(r.token), choices: JSON.parse(r.choices) as Choices })),
    writtenOpinions: publishedWrittenOpinions(deps, poll),
    exclusions,
    tokenKeys: q.listPollKeys(deps.db, poll.id).map((k) => ({ group: k.group, keyId: k.keyId, spki: toBase64(k.spki) })),
    ...(evaluation
      ? { selfEvaluations: q.listSelfEvaluations(deps.db, poll.id).map((s) => ({ questionId: s.questionId, scores: JSON.parse(s.scores) as Record<string, number> })) }
      : {}),
  };
  const result = resultOfBundle(parts);
  // Redacting changes nothing in the result: withheld groups never count (checked by the verifier).
  const ballots = evaluation ? publishedBallots(parts.ballots, ballotGroupsOf(parts), result) : parts.ballots;
  const unsigned: UnsignedBundle = {
    format: BUNDLE_FORMAT,
    ...parts,
    ballots,
    // Name, role and co-signing key; never the account they sign in with.
    scrutineers: poll.scrutineers.map(({ name, role, publicKey }) => ({ name, role, ...(publicKey ? { publicKey } : {}) })),
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
