/**
 * The ballot box (protocol v2). Anonymous: the tokens alone prove the right to vote.
 *
 * A submission holds every ballot of one voter for one poll, one per token: each token names one
 * key, so each ballot answers exactly the one question (candidate) of its key. The submission is
 * taken whole or refused whole. Each ballot row keeps the token, the device's receipt salt and the
 * answer, keyed by the token's nonce (whose uniqueness spends the token); rows keep no batch, no
 * time and no order. Every ballot taken is answered with its receipt and the installation's
 * Ed25519 signature over it (shared/crypto/receipt.ts).
 *
 * The ballot box never takes more ballots under a key than tokens were issued under it: a
 * submission that would is refused loudly (`over_issued`) and counted in the bundle.
 *
 * Nothing here logs anything.
 */
import { fail } from '../../shared/errors.ts';
import { equalBytes, fromBase64, fromBase64Url, toBase64, toHex } from '../../shared/encoding.ts';
import { canonicalJson } from '../../shared/crypto/jcs.ts';
import { ballotReceipt, SALT_LENGTH } from '../../shared/crypto/receipt.ts';
import { checkToken, decodeToken, tokenContext } from '../../shared/crypto/token.ts';
import { ABSTAIN, validateAnswer, type Choice } from '../../shared/protocol/poll.ts';
import type { CandidateCommentsResponse, CastResponse } from '../../shared/protocol/api.ts';
import type { Bundle } from '../../shared/protocol/bundle.ts';
import { MIN_SEALED_LENGTH, checkSelfEvaluation } from '../../shared/crypto/candidate-key.ts';
import { nodePssVerifier } from '../crypto/blind-signer.ts';
import { signReceiptWith } from '../crypto/receipt-signer.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { ownQuestions, voterByCode } from './checkin.ts';
import { pollQuestions } from './polls.ts';

export { hashVotingCode } from './checkin.ts';

interface QueuedCast {
  apply: () => CastOutcome;
  resolve: (value: CastOutcome) => void;
  reject: (reason: unknown) => void;
}
const castQueues = new WeakMap<AppDeps['db'], QueuedCast[]>();

type CastOutcome = { stored: true; replay: boolean } | { stored: false; overIssued: string };

/**
 * Group commit. With synchronous = FULL each commit waits for the disk (milliseconds), and
 * better-sqlite3 waits on the event loop, so one commit per submission caps a meeting at a few
 * hundred a second with everyone else queued behind the disk. Submissions that arrive in the
 * same turn of the event loop are applied in one transaction, each in its own savepoint (a
 * refused one undoes only itself), and every request is answered only after that commit is
 * durable. The batch holds no order that the table keeps: rows are keyed by nonce.
 */
function commitInGroup(deps: AppDeps, apply: () => CastOutcome): Promise<CastOutcome> {
  return new Promise((resolve, reject) => {
    let queue = castQueues.get(deps.db);
    if (!queue) {
      queue = [];
      castQueues.set(deps.db, queue);
      setImmediate(() => flushCasts(deps));
    }
    queue.push({ apply, resolve, reject });
  });
}

function flushCasts(deps: AppDeps) {
  const queue = castQueues.get(deps.db) ?? [];
  castQueues.delete(deps.db);
  const client = deps.db.$client;
  const outcomes: ({ ok: true; value: CastOutcome } | { ok: false; error: unknown })[] = [];
  try {
    client
      .transaction(() => {
        for (const item of queue) {
          try {
            outcomes.push({ ok: true, value: client.transaction(item.apply)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })
      .immediate();
  } catch (error) {
    for (const item of queue) item.reject(error);
    return;
  }
  queue.forEach((item, i) => {
    const outcome = outcomes[i]!;
    if (outcome.ok) item.resolve(outcome.value);
    else item.reject(outcome.error);
  });
}

export interface BallotInput {
  token: string;
  salt: string;
  answer: Choice;
  /** Three evaluations: a comment sealed to the candidate's box key (base64). */
  comment?: string | undefined;
}

/** Takes every ballot of one voter for one poll, or none. Returns the receipts in the order given. */
export async function castBallots(deps: AppDeps, inputs: readonly BallotInput[]): Promise<CastResponse> {
  // 1. Each token: well-formed, under a key of this server, for that key's poll, group and question.
  const ballots = await Promise.all(
    inputs.map(async (input, i) => {
      const tokenBytes = fromBase64Url(input.token, `ballots.${i}.token`);
      const token = decodeToken(tokenBytes);
      const key = q.getPollKey(deps.db, toHex(token.keyId));
      if (!key) fail('token_key_unknown', 'the token was not issued by any poll of this server');
      await checkToken(tokenBytes, { keyId: token.keyId, spki: key.spki, context: tokenContext(key.pollId, key.group, key.questionId) }, nodePssVerifier);
      const salt = fromBase64(input.salt, `ballots.${i}.salt`);
      if (salt.length !== SALT_LENGTH) fail('bad_length', `ballots.${i}.salt: expected ${SALT_LENGTH} bytes, got ${salt.length}`);
      return { input, tokenBytes, nonce: Buffer.from(token.nonce), key, salt };
    }),
  );
  const pollId = ballots[0]!.key.pollId;
  if (ballots.some((b) => b.key.pollId !== pollId)) fail('invalid_body', 'one submission holds the ballots of one poll');
  if (new Set(ballots.map((b) => b.key.keyId)).size !== ballots.length) fail('invalid_body', 'two ballots under the same key');

  // 2. The answers and the shelf of comments, then the whole submission in one group commit:
  //    the phase check and the inserts cannot interleave with a close.
  const poll = q.getPoll(deps.db, pollId);
  if (!poll) fail('token_key_unknown', 'the poll of this token no longer exists');
  const questions = new Map(pollQuestions(poll).map((x) => [x.id, x]));
  const answered = ballots.map((b, i) => {
    const question = questions.get(b.key.questionId);
    if (!question) fail('token_key_unknown', 'the question of this token no longer exists');
    const answer = validateAnswer(question, b.input.answer, { abstainOnScores: true });
    const comment = b.input.comment ?? '';
    if (comment !== '') {
      if (poll.kind !== 'three_evaluations') fail('invalid_choices', 'comments belong to the three evaluations only');
      if (answer === ABSTAIN) fail('invalid_choices', `ballots.${i}: a comment needs scores for that candidate on the same ballot`);
      // Sealed to the candidate's key on the rater's device: the server only checks its form.
      if (fromBase64(comment, `ballots.${i}.comment`).length < MIN_SEALED_LENGTH) fail('invalid_choices', `ballots.${i}: the comment is not a sealed comment`);
    }
    return { ...b, answer, canonical: canonicalJson(answer), comment };
  });
  const outcome = await commitInGroup(deps, () => {
    const now = q.getPoll(deps.db, pollId)!;
    const existing = answered.map((b) => q.getBallotByNonce(deps.db, b.nonce));
    if (existing.some((row) => row)) {
      // An identical retry (say, after a lost answer) gets its receipts, even after close.
      const identical = answered.every((b, i) => {
        const row = existing[i];
        return row && equalBytes(row.token, b.tokenBytes) && equalBytes(row.salt, b.salt) && row.answer === b.canonical;
      });
      if (identical) return { stored: true, replay: true };
      fail('token_spent', 'these ballot tokens have already been used with other answers');
    }
    if (now.phase !== 'voting') fail('wrong_phase', now.phase === 'checkin' ? 'voting has not opened yet' : 'voting has closed');
    for (const b of answered) {
      const key = q.getPollKey(deps.db, b.key.keyId)!;
      if (key.castCount >= key.issuedCount) {
        q.incrementRefusedOverIssued(deps.db, pollId);
        return { stored: false, overIssued: b.key.questionId };
      }
    }
    for (const b of answered) {
      q.insertBallot(deps.db, { nonce: b.nonce, pollId, keyId: b.key.keyId, token: Buffer.from(b.tokenBytes), salt: Buffer.from(b.salt), answer: b.canonical });
      q.incrementKeyCast(deps.db, b.key.keyId);
    }
    // Comments: their own rows, with a random id and nothing of the ballot.
    q.insertCandidateComments(
      deps.db,
      answered.filter((b) => b.comment !== '').map((b) => ({ id: Buffer.from(deps.randomBytes(16)), pollId, questionId: b.key.questionId, text: b.comment })),
    );
    return { stored: true, replay: false };
  });
  if (!outcome.stored)
    fail('over_issued', `the ballot box already holds as many ballots on ${outcome.overIssued} as tokens were issued: this submission is refused and counted`);
  return {
    replay: outcome.replay,
    receipts: answered.map((b) => {
      const receipt = ballotReceipt(b.tokenBytes, b.salt, b.answer);
      return { receipt: toHex(receipt), signature: toBase64(signReceiptWith(deps.installationKey, receipt)) };
    }),
  };
}

/**
 * After close, a candidate fetches the comments written to them, identified by their voting code:
 * one entry per candidacy in a closed three-evaluations poll of their meeting, each comment sealed
 * to the candidate's box key (their browser opens them; the server cannot). Withheld (null) when
 * an anonymous group scored the candidate with fewer raters than the anonymity floor (but some),
 * where even an unattributed comment could be told apart by who was in the room.
 */
export function commentsForCandidate(deps: AppDeps, code: string): CandidateCommentsResponse {
  const voter = voterByCode(deps, code);
  const candidacies = q.listPollsOfMeeting(deps.db, voter.meetingId).flatMap((poll) => {
    if (poll.kind !== 'three_evaluations' || !poll.bundle) return [];
    const bundle = JSON.parse(poll.bundle) as Bundle;
    const floor = bundle.poll.rule.kind === 'three_evaluations' ? bundle.poll.rule.anonymityFloor : 1;
    return [...ownQuestions(poll, voter)].map((questionId) => {
      const groups = bundle.result.candidates?.find((c) => c.id === questionId)?.groups;
      // As for the averages, group by group: one tutor among the representatives would be
      // recognizable by their comment however many members also wrote one.
      const raters = [groups?.representatives?.raters ?? 0, groups?.members?.raters ?? 0];
      const shown = raters.every((n) => n === 0 || n >= floor);
      return { pollId: poll.id, pollTitle: poll.title, questionId, comments: shown ? q.listCandidateComments(deps.db, poll.id, questionId) : null };
    });
  });
  return { candidacies };
}

/**
 * A candidate's self-evaluation: not anonymous. The voting code identifies the candidate, and
 * the scores must be signed with the signing key the candidate registered in the room: whoever
 * else holds the printed code cannot state or change it. Stored with their roster entry and
 * published, with the signature, under their name (the question). May be revised until close.
 */
export function submitSelfEvaluation(deps: AppDeps, code: string, pollId: string, scores: Record<string, number>, signature: string) {
  const voter = voterByCode(deps, code);
  const poll = q.getPoll(deps.db, pollId);
  if (!poll || poll.meetingId !== voter.meetingId) fail('not_found', 'no such poll in your meeting');
  if (poll.kind !== 'three_evaluations') fail('not_eligible', 'this poll has no self-evaluation');
  if (poll.phase !== 'checkin' && poll.phase !== 'voting') fail('wrong_phase', 'self-evaluations are submitted while the evaluation is open');
  const questionId = [...ownQuestions(poll, voter)][0];
  if (!questionId) fail('not_eligible', 'you are not a candidate in this evaluation');
  const question = pollQuestions(poll).find((x) => x.id === questionId)!;
  const canonical = validateAnswer(question, scores) as Record<string, number>;
  const key = q.listCandidateKeys(deps.db, pollId).find((k) => k.questionId === questionId);
  if (!key) fail('candidate_key_missing', 'register your own key in the room first (before voting opens): the self-evaluation is signed with it');
  checkSelfEvaluation(key.signingKey, signature, { pollId, questionId, scores: canonical });
  q.upsertSelfEvaluation(deps.db, { pollId, questionId, voterId: voter.id, scores: canonicalJson(canonical), signature });
  return { questionId, scores: canonical };
}
