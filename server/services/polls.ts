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
import { BUNDLE_FORMAT, type Bundle, type UnsignedBundle } from '../../shared/protocol/bundle.ts';
import type { Choices, Phase, Question } from '../../shared/protocol/poll.ts';
import type { PublicPollView, TurnoutView } from '../../shared/protocol/api.ts';
import { countChoices } from '../../shared/tally/plain-count.ts';
import { generateIssuingKey } from '../crypto/blind-signer.ts';
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

/** Voters of the meeting who belong to at least one of the poll's groups. */
export function eligibleVoters(deps: AppDeps, poll: q.PollRow): q.VoterRow[] {
  return q.listVoters(deps.db, poll.meetingId).filter((v) => v.groups.some((g) => poll.groups.includes(g)));
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
    } else {
      q.setPollPhase(deps.db, pollId, to);
      appendAudit(deps.db, { actor, action: to === 'voting' ? 'open_voting' : 'publish', subject: pollId }, at);
    }
  });
  if (to === 'closed') deps.db.$client.pragma('wal_checkpoint(TRUNCATE)');
  return q.getPoll(deps.db, pollId)!;
}

function buildBundle(deps: AppDeps, poll: q.PollRow, closedAt: string): Bundle {
  const questions = pollQuestions(poll);
  const rows = q.listBallots(deps.db, poll.id);
  const choices = rows.map((r) => JSON.parse(r.choices) as Choices);
  const unsigned: UnsignedBundle = {
    format: BUNDLE_FORMAT,
    poll: {
      id: poll.id,
      meetingId: poll.meetingId,
      title: poll.title,
      kind: poll.kind,
      questions,
      rule: poll.rule as UnsignedBundle['poll']['rule'],
    },
    electorate: {
      expected: eligibleVoters(deps, poll).length,
      checkedIn: q.countCheckedIn(deps.db, poll.id),
      issued: q.issuedPerGroup(deps.db, poll.id),
    },
    tokenKeys: q.listPollKeys(deps.db, poll.id).map((k) => ({ group: k.group, keyId: k.keyId, spki: toBase64(k.spki) })),
    ballots: rows.map((r, i) => ({ token: toBase64Url(r.token), choices: choices[i]! })),
    result: { ballotsCast: rows.length, questions: countChoices(questions, choices) },
    closedAt,
    signer: { alg: 'Ed25519', publicKey: deps.installationKey.publicKeyBase64 },
  };
  return signBundle(unsigned, deps.installationKey.secretKey);
}

export function pollBundle(poll: q.PollRow): Bundle {
  if (!poll.bundle) throw new AppError('wrong_phase', 'the poll is not closed yet; there is no result before close');
  return JSON.parse(poll.bundle) as Bundle;
}
