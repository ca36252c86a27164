/**
 * The checks of a protocol v2 bundle (`anon-ballot-bundle/v2`) that v1 does not have or does
 * differently: the meeting's key set, one key per (group, question) with its tokens issued,
 * receipts that bind each shown answer, the electorate with the head count, one valid answer per
 * ballot under its key with exactly the withholding the anonymity floor requires, and the audit
 * log's anchors.
 */
import { keySetDigest } from '../crypto/key-set.ts';
import { checkCandidateKeys, checkSelfEvaluation } from '../crypto/candidate-key.ts';
import { ballotReceipt } from '../crypto/receipt.ts';
import { tokenKeyId } from '../crypto/token.ts';
import { canonicalJson } from '../crypto/jcs.ts';
import { compareBytes, fromBase64, fromHex, toHex } from '../encoding.ts';
import { anonymityFloorOf, mustWithhold } from '../protocol/anonymity.ts';
import type { BundleV2 } from '../protocol/bundle.ts';
import { ABSTAIN, validateAnswer, WITHHELD, type Choice } from '../protocol/poll.ts';
import { sameChoice } from './checks-v1.ts';
import { declaredNotVotedExcess } from './declared-not-voted.ts';
import { codeOf, explain, failure, pass, plural, type BundleCheck, type VerificationContext } from './context.ts';

const v2 = (context: VerificationContext) => context.bundle as BundleV2;

export const keySetCheck: BundleCheck = {
  id: 'key_set',
  run(context) {
    const { keySet, tokenKeys } = v2(context);
    const ids = keySet.keyIds.map((id) => fromHex(id, 'keySet.keyIds'));
    for (let i = 1; i < ids.length; i++)
      if (compareBytes(ids[i - 1]!, ids[i]!) >= 0) return failure('key_set', `keySet.keyIds must be sorted and distinct (entry ${i})`);
    if (toHex(keySetDigest(ids)) !== keySet.digest) return failure('key_set', 'keySet.digest is not the digest of keySet.keyIds');
    const listed = new Set(keySet.keyIds);
    const outside = tokenKeys.find((k) => !listed.has(k.keyId));
    if (outside) return failure('key_set', `token key ${outside.keyId} (${outside.group}, ${outside.questionId}) is not in the meeting's key set`);
    return pass(`${plural(ids.length, 'key')} in the meeting's key set, fingerprint ${keySet.digest.slice(0, 16)}; this poll's ${plural(tokenKeys.length, 'key')} among them`);
  },
};

export const tokenKeysCheck: BundleCheck = {
  id: 'token_keys',
  run(context) {
    const bundle = v2(context);
    const questions = new Set(bundle.poll.questions.map((q) => q.id));
    const slots = new Set<string>();
    const ids = new Set<string>();
    for (const [i, entry] of bundle.tokenKeys.entries()) {
      const name = `token key ${i} (${entry.group}, ${entry.questionId})`;
      let spki: Uint8Array;
      try {
        spki = fromBase64(entry.spki, `tokenKeys[${i}].spki`);
      } catch (error) {
        return failure(codeOf(error), `${name}: ${explain(error)}`);
      }
      if (toHex(tokenKeyId(spki)) !== entry.keyId) return failure('token_key_id_mismatch', `${name}: key id is not the SHA-256 of the key`);
      if (!questions.has(entry.questionId)) return failure('token_key_question', `${name}: the poll has no question ${entry.questionId}`);
      const slot = `${entry.group}|${entry.questionId}`;
      if (slots.has(slot)) return failure('duplicate_key_group', `group ${entry.group} has more than one key for ${entry.questionId}`);
      if (ids.has(entry.keyId)) return failure('duplicate_key_id', `key id ${entry.keyId} is published twice`);
      slots.add(slot);
      ids.add(entry.keyId);
    }
    return pass(`${plural(bundle.tokenKeys.length, 'token key')}, one per (group, question), each id the SHA-256 of its key`);
  },
};

export const receiptsCheck: BundleCheck = {
  id: 'receipts',
  run(context) {
    const bundle = v2(context);
    const seen = new Set<string>();
    let shown = 0;
    for (const [index, ballot] of bundle.ballots.entries()) {
      if (seen.has(ballot.receipt)) return failure('receipt_repeated', `ballot ${index} repeats the receipt of another ballot`);
      seen.add(ballot.receipt);
      const bytes = context.ballots[index]?.bytes;
      if (!bytes) continue; // reported by `tokens`
      if (ballot.answer === WITHHELD) {
        if (ballot.salt !== undefined) return failure('receipt_salt', `ballot ${index}: a withheld ballot publishes no salt`);
        continue;
      }
      if (ballot.salt === undefined) return failure('receipt_salt', `ballot ${index}: a shown ballot publishes its salt`);
      let salt: Uint8Array;
      try {
        salt = fromBase64(ballot.salt, `ballots[${index}].salt`);
        if (toHex(ballotReceipt(bytes, salt, ballot.answer)) !== ballot.receipt)
          return failure('receipt_mismatch', `ballot ${index}: the receipt does not bind this token, salt and answer`);
      } catch (error) {
        return failure(codeOf(error), `ballot ${index}: ${explain(error)}`);
      }
      shown++;
    }
    const withheld = bundle.ballots.length - shown;
    return pass(`${plural(shown, 'receipt')} bind their token, salt and answer${withheld ? `; ${withheld} withheld under the anonymity floor (receipt only)` : ''}`);
  },
};

export const issuedCheck: BundleCheck = {
  id: 'issued',
  run(context) {
    const bundle = v2(context);
    const e = bundle.electorate;
    const cast = new Map<string, number>();
    for (const ballot of context.ballots) if (ballot.key) cast.set(toHex(ballot.key.keyId), (cast.get(toHex(ballot.key.keyId)) ?? 0) + 1);
    for (const key of bundle.tokenKeys) {
      const n = cast.get(key.keyId) ?? 0;
      const name = `${key.group}, ${key.questionId}`;
      if (n > key.issued) return failure('over_issued', `key ${name}: ${plural(n, 'ballot')} but ${plural(key.issued, 'token')} issued`);
      if (key.issued > e.checkedIn) return failure('issued_exceeds_checked_in', `key ${name}: ${plural(key.issued, 'token')} issued but ${e.checkedIn} checked in`);
      if (n > e.submitted) return failure('ballots_exceed_submitted', `key ${name}: ${plural(n, 'ballot')} but ${e.submitted} voters submitted`);
    }
    if (e.submitted > e.checkedIn) return failure('submitted_exceeds_checked_in', `${e.submitted} submitted but ${e.checkedIn} checked in`);
    if (e.lateCheckIns > e.checkedIn) return failure('late_exceeds_checked_in', `${e.lateCheckIns} late check-ins but ${e.checkedIn} checked in`);
    const atOpening = e.checkedIn - e.lateCheckIns;
    if (atOpening > e.headCount) return failure('checked_in_exceeds_head_count', `${atOpening} checked in at the opening but the head count was ${e.headCount}`);
    if (e.headCount > atOpening && e.headCountNote.trim() === '')
      return failure('head_count_note', `the head count ${e.headCount} is above the ${atOpening} checked in, with no note saying why`);
    if (e.present !== e.headCount + e.lateCheckIns) return failure('present_mismatch', `present ${e.present} is not the head count ${e.headCount} plus ${e.lateCheckIns} late check-ins`);
    if (e.present > e.expected) return failure('present_exceeds_expected', `${e.present} present but ${e.expected} expected`);
    if (!bundle.exclusions.every((x, i) => i === 0 || canonicalJson(bundle.exclusions[i - 1]!) <= canonicalJson(x)))
      return failure('exclusions_unsorted', 'exclusions are not sorted by their JCS form');
    const opinionsPer = new Map<string, number>();
    for (const o of bundle.writtenOpinions) opinionsPer.set(o.questionId, (opinionsPer.get(o.questionId) ?? 0) + 1);
    for (const [question, count] of opinionsPer)
      if (count > e.expected - e.present)
        return failure('too_many_written_opinions', `question ${question}: ${plural(count, 'written opinion')} but only ${e.expected - e.present} expected members absent`);
    const notes: string[] = [];
    const declared = declaredNotVotedExcess(bundle);
    if (declared) {
      if (declared.voters > 0)
        notes.push(`WARNING: ${e.submitted} submitted, but ${e.checkedIn} checked in and ${declared.declared} said they did not vote: ${declared.voters} more than that`);
      if (declared.ballotsOver > 0)
        notes.push(
          `WARNING: ${declared.ballots} ballots, but those who did not say they abstained held at most ${declared.room} tokens: ${declared.ballotsOver} more than that`,
        );
      if (declared.voters === 0 && declared.ballotsOver === 0) notes.push(`${declared.declared} said they did not vote`);
    }
    if (e.refusedOverIssued > 0) notes.push(`${plural(e.refusedOverIssued, 'submission')} refused because no token was left under a key`);
    if (e.struck > 0) notes.push(`${plural(e.struck, 'check-in')} struck at the opening`);
    return pass(
      `every key within its tokens issued; head count ${e.headCount}, ${e.checkedIn} checked in (${e.lateCheckIns} late), ` +
        `${e.submitted} submitted, ${e.expected} expected${notes.length ? `; ${notes.join('; ')}` : ''}`,
    );
  },
};

export const answersCheck: BundleCheck = {
  id: 'answers',
  run(context) {
    const bundle = v2(context);
    const floor = anonymityFloorOf(bundle.poll.rule);
    if (bundle.poll.anonymityFloor !== floor) return failure('anonymity_floor', `poll.anonymityFloor is ${bundle.poll.anonymityFloor}, the rule gives ${floor}`);
    const questions = new Map(bundle.poll.questions.map((q) => [q.id, q]));
    const answersByKey = new Map<string, Choice[]>();
    for (const [index, ballot] of bundle.ballots.entries()) {
      const key = context.ballots[index]?.key;
      if (!key) continue; // reported by `tokens`
      const question = questions.get(key.questionId!)!;
      const keyId = toHex(key.keyId);
      const answers = answersByKey.get(keyId);
      if (answers) answers.push(ballot.answer);
      else answersByKey.set(keyId, [ballot.answer]);
      if (ballot.answer === WITHHELD) continue;
      let canonical: Choice;
      try {
        canonical = validateAnswer(question, ballot.answer, { abstainOnScores: true });
      } catch (error) {
        return failure(codeOf(error), `ballot ${index}: ${explain(error)}`);
      }
      if (!sameChoice(ballot.answer, canonical) || canonicalJson(ballot.answer) !== canonicalJson(canonical))
        return failure('non_canonical_choices', `ballot ${index}: the answer is not in canonical form`);
    }
    let withheldKeys = 0;
    for (const key of bundle.tokenKeys) {
      const answers = answersByKey.get(key.keyId) ?? [];
      const question = questions.get(key.questionId)!;
      const withheld = answers.filter((a) => a === WITHHELD).length;
      const required = mustWithhold(question, answers, floor);
      const name = `key ${key.group}, ${key.questionId}`;
      if (required && answers.some((a) => a !== WITHHELD && (question.type !== 'score' || a !== ABSTAIN)))
        return failure('not_withheld', `${name}: fewer raters than the anonymity floor (${floor}), yet a ballot is shown`);
      if (!required && withheld > 0) return failure('withheld_without_cause', `${name}: ${plural(withheld, 'ballot')} withheld though the anonymity floor does not require it`);
      if (required) withheldKeys++;
    }
    const jcsOrder = (list: readonly object[]) => list.every((x, i) => i === 0 || canonicalJson(list[i - 1]!) <= canonicalJson(x));
    if (!jcsOrder(bundle.writtenOpinions)) return failure('written_opinions_unsorted', 'written opinions are not sorted by their JCS form');
    for (const [index, opinion] of bundle.writtenOpinions.entries()) {
      const question = questions.get(opinion.questionId);
      if (!question) return failure('invalid_choices', `written opinion ${index}: no question ${opinion.questionId}`);
      let canonical: Choice;
      try {
        canonical = validateAnswer(question, opinion.choice);
      } catch (error) {
        return failure(codeOf(error), `written opinion ${index}: ${explain(error)}`);
      }
      if (!sameChoice(opinion.choice, canonical)) return failure('non_canonical_choices', `written opinion ${index}: options are not in canonical (sorted) order`);
    }
    return pass(
      `${plural(bundle.ballots.length, 'ballot')} each answer the one question of its key` +
        (withheldKeys ? `; ${plural(withheldKeys, 'key')} under the anonymity floor of ${floor}, its ballots withheld as required` : ''),
    );
  },
};

export const selfEvaluationsCheck: BundleCheck = {
  id: 'self_evaluations',
  run(context) {
    const bundle = v2(context);
    const statements = bundle.selfEvaluations ?? [];
    const keys = bundle.candidateKeys ?? [];
    if (bundle.poll.rule.kind !== 'three_evaluations') {
      if (bundle.selfEvaluations !== undefined || bundle.candidateKeys !== undefined)
        return failure('self_evaluation_kind', 'only a three evaluations bundle carries candidate keys and self-evaluations');
      return pass('no self-evaluation in this kind of vote');
    }
    const questions = new Set(bundle.poll.questions.map((q) => q.id));
    const byQuestion = new Map<string, (typeof keys)[number]>();
    for (const key of keys) {
      if (!questions.has(key.questionId)) return failure('candidate_key', `a candidate key for ${key.questionId}, which the poll does not ask`);
      if (byQuestion.has(key.questionId)) return failure('candidate_key', `two candidate keys for ${key.questionId}`);
      try {
        checkCandidateKeys(key);
      } catch (error) {
        return failure(codeOf(error), `candidate key of ${key.questionId}: ${explain(error)}`);
      }
      byQuestion.set(key.questionId, key);
    }
    const seen = new Set<string>();
    for (const statement of statements) {
      if (seen.has(statement.questionId)) return failure('self_evaluation', `two self-evaluations for ${statement.questionId}`);
      seen.add(statement.questionId);
      const key = byQuestion.get(statement.questionId);
      if (!key) return failure('self_evaluation_signature', `the self-evaluation of ${statement.questionId} has no registered candidate key`);
      try {
        checkSelfEvaluation(key.signingKey, statement.signature, { pollId: bundle.poll.id, questionId: statement.questionId, scores: statement.scores }, context.options.verifyEd25519);
      } catch (error) {
        return failure(codeOf(error), `the self-evaluation of ${statement.questionId}: ${explain(error)}`);
      }
    }
    return pass(`${plural(statements.length, 'self-evaluation')} signed by the candidate's own key (${plural(keys.length, 'candidate key')} registered in the room)`);
  },
};

/**
 * The opening statement agrees with the rest of the signed bundle: the same poll, head count,
 * note and strikes; its check-ins are the bundle's less the late ones; it lists exactly this
 * poll's keys, each with no more tokens than the bundle's count (the same count without late
 * check-ins); its record anchor is the bundle's anchor at the opening.
 */
function openingStatementProblem(bundle: BundleV2): string | undefined {
  const { statement } = bundle.opening;
  const e = bundle.electorate;
  if (statement.pollId !== bundle.poll.id || statement.meetingId !== bundle.poll.meetingId) return 'the opening statement is about another poll';
  if (statement.headCount !== e.headCount) return `the opening statement counts ${statement.headCount} in the room, the electorate ${e.headCount}`;
  if (statement.headCountNote !== e.headCountNote) return "the opening statement's note on the head count is not the electorate's";
  if (statement.struck !== e.struck) return `the opening statement strikes ${statement.struck} check-ins, the electorate ${e.struck}`;
  if (statement.checkedIn !== e.checkedIn - e.lateCheckIns)
    return `the opening statement says ${statement.checkedIn} checked in, but the electorate has ${e.checkedIn} less ${e.lateCheckIns} late`;
  for (let i = 1; i < statement.issued.length; i++)
    if (statement.issued[i - 1]!.keyId >= statement.issued[i]!.keyId) return `the opening statement's keys must be sorted and distinct (entry ${i})`;
  const keys = new Map(bundle.tokenKeys.map((k) => [k.keyId, k]));
  if (statement.issued.length !== keys.size || statement.issued.some((entry) => !keys.has(entry.keyId)))
    return "the opening statement does not list exactly this poll's keys";
  for (const entry of statement.issued) {
    const key = keys.get(entry.keyId)!;
    if (entry.issued > key.issued || (e.lateCheckIns === 0 && entry.issued !== key.issued))
      return `key ${key.group}/${key.questionId}: ${plural(entry.issued, 'token')} issued at the opening, ${key.issued} in all, with ${e.lateCheckIns} late check-ins`;
  }
  const anchor = bundle.record.opening;
  if (statement.record.seq !== anchor.seq || statement.record.digest !== anchor.digest) return "the opening statement's record anchor is not the bundle's anchor at the opening";
  return undefined;
}

export const recordCheck: BundleCheck = {
  id: 'record',
  run(context) {
    const bundle = v2(context);
    const { opening, close } = bundle.record;
    if (close.seq < opening.seq) return failure('record_order', `the record at close (#${close.seq}) comes before the record at the opening (#${opening.seq})`);
    const problem = openingStatementProblem(bundle);
    if (problem) return failure('opening_statement', problem);
    const keySet =
      bundle.opening.statement.keySetDigest === bundle.keySet.digest
        ? 'the same key set'
        : `the meeting's key set then ${bundle.opening.statement.keySetDigest.slice(0, 16)} (another poll's keys came later)`;
    return pass(
      `the opening statement agrees with the bundle (${keySet}); the meeting's record anchored: up to #${opening.seq} (${opening.digest.slice(0, 16)}) at the opening, ` +
        `up to #${close.seq} (${close.digest.slice(0, 16)}) at close; only the unit's exported record, which is not in the bundle, can be checked against these digests`,
    );
  },
};
