/**
 * The voter's two requests.
 *  - Check-in: a voting code buys exactly one blind signature per (poll, group) the voter is
 *    entitled to. Retrying with the same blinded message returns the same signature; a
 *    different blinded message after one was signed is refused. All requests of one check-in
 *    succeed or none does.
 *  - Cast: anonymous. The token alone proves the right to vote; the ballot row keeps the token
 *    and the choices and nothing else, and the nonce's uniqueness spends the token atomically.
 * Neither function logs anything.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { fail } from '../../shared/errors.ts';
import { equalBytes, fromBase64, fromBase64Url, toBase64, toHex, utf8 } from '../../shared/encoding.ts';
import { canonicalJson } from '../../shared/crypto/jcs.ts';
import { checkToken, decodeToken, tokenContext } from '../../shared/crypto/token.ts';
import { normalizeVotingCode } from '../../shared/protocol/voting-code.ts';
import { validateAnswer, validateChoices, type Choices } from '../../shared/protocol/poll.ts';
import type { CandidateCommentsResponse, CastResponse, CheckinResponse, LookupResponse } from '../../shared/protocol/api.ts';
import type { Bundle } from '../../shared/protocol/bundle.ts';
import { blindSign, nodePssVerifier } from '../crypto/blind-signer.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { mayVote, pollQuestions } from './polls.ts';

export const hashVotingCode = (normalizedCode: string) => toHex(sha256(utf8(`voting-code|${normalizedCode}`)));

function voterByCode(deps: AppDeps, code: string): q.VoterRow {
  const voter = q.findVoterByCodeHash(deps.db, hashVotingCode(normalizeVotingCode(code)));
  if (!voter) fail('unknown_code', 'this voting code is not valid: check the slip, or ask the organizer for a new one');
  return voter;
}

/**
 * (poll, group) pairs the voter may receive a token for right now: polls in check-in or voting,
 * where the voter may vote, is not excluded from the expected count, and has not submitted a
 * written opinion instead (an absent member's opinion is counted in place of a ballot).
 */
function entitlements(deps: AppDeps, voter: q.VoterRow) {
  if (q.listExclusions(deps.db, voter.meetingId).some((e) => e.voterId === voter.id)) return [];
  const wrote = new Set(q.listWrittenOpinionsOfVoter(deps.db, voter.id).map((w) => w.pollId));
  return q
    .listPollsOfMeeting(deps.db, voter.meetingId)
    .filter((p) => (p.phase === 'checkin' || p.phase === 'voting') && mayVote(p, voter) && !wrote.has(p.id))
    .flatMap((poll) =>
      q
        .listPollKeys(deps.db, poll.id)
        .filter((k) => voter.groups.includes(k.group))
        .map((key) => ({ poll, key })),
    );
}

export function lookupVoter(deps: AppDeps, code: string): LookupResponse {
  const voter = voterByCode(deps, code);
  const issued = new Set(q.listIssuancesOfVoter(deps.db, voter.id).map((i) => `${i.pollId}|${i.group}`));
  const ownCandidacies = q
    .listPollsOfMeeting(deps.db, voter.meetingId)
    .flatMap((p) => Object.entries(p.candidateNumbers).filter(([, number]) => number === voter.number).map(([questionId]) => ({ pollId: p.id, questionId })));
  return {
    meetingId: voter.meetingId,
    voter: { name: voter.name },
    ownCandidacies,
    entitlements: entitlements(deps, voter).map(({ poll, key }) => ({
      pollId: poll.id,
      group: key.group,
      keyId: key.keyId,
      issued: issued.has(`${poll.id}|${key.group}`),
    })),
  };
}

export function checkIn(
  deps: AppDeps,
  code: string,
  requests: { pollId: string; group: string; blindedMessage: string }[],
): CheckinResponse {
  const voter = voterByCode(deps, code);
  const seen = new Set<string>();
  for (const r of requests) {
    const key = `${r.pollId}|${r.group}`;
    if (seen.has(key)) fail('invalid_body', `poll ${r.pollId}, group ${r.group} is requested twice`);
    seen.add(key);
  }
  return q.runInTransaction(deps.db, () => {
    const allowed = new Map(entitlements(deps, voter).map((e) => [`${e.poll.id}|${e.key.group}`, e]));
    const signatures = requests.map((request) => {
      const entitlement = allowed.get(`${request.pollId}|${request.group}`);
      if (!entitlement) {
        const poll = q.getPoll(deps.db, request.pollId);
        if (poll && poll.meetingId === voter.meetingId && poll.phase !== 'checkin' && poll.phase !== 'voting')
          fail('wrong_phase', poll.phase === 'draft' ? 'check-in has not opened yet' : 'this poll is closed');
        fail('not_eligible', `this code does not give a vote in poll ${request.pollId} for group ${request.group}`);
      }
      const blinded = fromBase64(request.blindedMessage, 'blindedMessage');
      const previous = q.getIssuance(deps.db, request.pollId, request.group, voter.id);
      let blindSignature: Uint8Array;
      if (previous) {
        if (!equalBytes(previous.blindedMessage, blinded))
          fail('already_issued', 'this code was already used to check in on another device: ask the organizer');
        blindSignature = previous.blindSignature;
      } else {
        const { key } = entitlement;
        if (!key.privateKey) fail('wrong_phase', 'this poll is closed');
        blindSignature = blindSign(key.privateKey, key.spki, blinded);
        q.insertIssuance(deps.db, {
          pollId: request.pollId,
          group: request.group,
          voterId: voter.id,
          blindedMessage: Buffer.from(blinded),
          blindSignature: Buffer.from(blindSignature),
        });
      }
      return { pollId: request.pollId, group: request.group, blindSignature: toBase64(blindSignature) };
    });
    return { signatures };
  });
}

export const receiptOf = (tokenBytes: Uint8Array) => toHex(sha256(tokenBytes));

interface QueuedCast {
  apply: () => CastResponse;
  resolve: (value: CastResponse) => void;
  reject: (reason: unknown) => void;
}
const castQueues = new WeakMap<AppDeps['db'], QueuedCast[]>();

/**
 * Group commit. With synchronous = FULL each commit waits for the disk (milliseconds), and
 * better-sqlite3 waits on the event loop, so one commit per ballot caps a meeting at a few
 * hundred ballots a second with everyone else queued behind the disk. Casts that arrive in the
 * same turn of the event loop are applied in one transaction, each in its own savepoint (a
 * refused ballot undoes only itself), and every request is answered only after that commit is
 * durable. The batch holds no order that the table keeps: rows are keyed by nonce.
 */
function commitInGroup(deps: AppDeps, apply: () => CastResponse): Promise<CastResponse> {
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
  const outcomes: ({ ok: true; value: CastResponse } | { ok: false; error: unknown })[] = [];
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

export async function castBallot(deps: AppDeps, tokenText: string, choices: Choices, comments: Record<string, string> = {}): Promise<CastResponse> {
  const tokenBytes = fromBase64Url(tokenText, 'token');
  const token = decodeToken(tokenBytes);
  const key = q.getPollKey(deps.db, toHex(token.keyId));
  if (!key) fail('token_key_unknown', 'the token was not issued by any poll of this server');
  await checkToken(
    tokenBytes,
    { keyId: token.keyId, spki: key.spki, context: tokenContext(key.pollId, key.group) },
    nodePssVerifier,
  );
  // From here on the work is synchronous and runs inside a group commit: the phase check and
  // the insert cannot interleave with a close, even if another process shared the database.
  return commitInGroup(deps, () => {
    const poll = q.getPoll(deps.db, key.pollId);
    if (!poll) fail('token_key_unknown', 'the poll of this token no longer exists');
    const canonical = canonicalJson(validateChoices(pollQuestions(poll), choices));
    const receipt = receiptOf(tokenBytes);
    const nonce = Buffer.from(token.nonce);
    const existing = q.getBallotByNonce(deps.db, nonce);
    if (existing) {
      // An identical retry (say, after a lost answer) gets its receipt, even after close.
      if (equalBytes(existing.token, tokenBytes) && existing.choices === canonical) return { receipt, replay: true };
      fail('token_spent', 'this ballot token has already been used with different choices');
    }
    if (poll.phase !== 'voting') fail('wrong_phase', poll.phase === 'checkin' ? 'voting has not opened yet' : 'voting has closed');
    q.insertBallot(deps.db, { nonce, pollId: poll.id, token: Buffer.from(tokenBytes), choices: canonical });
    q.insertCandidateComments(deps.db, commentRows(deps, poll, choices, comments));
    return { receipt, replay: false };
  });
}

/**
 * The rows for a ballot's per-candidate comments: only in the three evaluations, only for a
 * candidate the ballot scored. Each row has a random id and nothing of the ballot (no nonce,
 * token, group or time), so a comment cannot be joined to its ballot or its rater.
 */
function commentRows(deps: AppDeps, poll: q.PollRow, choices: Choices, comments: Record<string, string>) {
  const entries = Object.entries(comments).map(([questionId, text]) => [questionId, text.trim()] as const).filter(([, text]) => text !== '');
  if (entries.length === 0) return [];
  if (poll.kind !== 'three_evaluations') fail('invalid_choices', 'comments belong to the three evaluations only');
  return entries.map(([questionId, text]) => {
    const answer = choices[questionId];
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer))
      fail('invalid_choices', `a comment on ${questionId} needs scores for that candidate on the same ballot`);
    return { id: Buffer.from(deps.randomBytes(16)), pollId: poll.id, questionId, text };
  });
}

/**
 * After close, a candidate reads the comments written to them, identified by their voting code:
 * one entry per candidacy in a closed three-evaluations poll of their meeting. Withheld (null)
 * when an anonymous group scored the candidate with fewer raters than the anonymity floor (but
 * some), where even an unattributed comment could be told apart by who was in the room.
 */
export function commentsForCandidate(deps: AppDeps, code: string): CandidateCommentsResponse {
  const voter = voterByCode(deps, code);
  const candidacies = q.listPollsOfMeeting(deps.db, voter.meetingId).flatMap((poll) => {
    if (poll.kind !== 'three_evaluations' || !poll.bundle) return [];
    const bundle = JSON.parse(poll.bundle) as Bundle;
    const floor = bundle.poll.rule.kind === 'three_evaluations' ? bundle.poll.rule.anonymityFloor : 1;
    return Object.entries(poll.candidateNumbers)
      .filter(([, number]) => number === voter.number)
      .map(([questionId]) => {
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
 * A candidate's self-evaluation: not anonymous. The voting code identifies the candidate; the
 * scores are stored with their roster entry and published with their name (the question).
 * May be revised until the poll closes.
 */
export function submitSelfEvaluation(deps: AppDeps, code: string, pollId: string, scores: Record<string, number>) {
  const voter = voterByCode(deps, code);
  const poll = q.getPoll(deps.db, pollId);
  if (!poll || poll.meetingId !== voter.meetingId) fail('not_found', 'no such poll in your meeting');
  if (poll.kind !== 'three_evaluations') fail('not_eligible', 'this poll has no self-evaluation');
  if (poll.phase !== 'checkin' && poll.phase !== 'voting') fail('wrong_phase', 'self-evaluations are submitted while the evaluation is open');
  const questionId = Object.entries(poll.candidateNumbers).find(([, number]) => number === voter.number)?.[0];
  if (!questionId) fail('not_eligible', 'you are not a candidate in this evaluation');
  const question = pollQuestions(poll).find((x) => x.id === questionId)!;
  const canonical = validateAnswer(question, scores);
  q.upsertSelfEvaluation(deps.db, { pollId, questionId, voterId: voter.id, scores: canonicalJson(canonical) });
  return { questionId, scores: canonical };
}
