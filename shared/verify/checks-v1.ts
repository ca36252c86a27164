/**
 * The checks of a protocol v1 bundle (`anon-ballot-bundle/v1`) that v2 does differently: one key
 * per voter group, tokens issued per group, one ballot answering every question.
 */
import { tokenKeyId } from '../crypto/token.ts';
import { canonicalJson } from '../crypto/jcs.ts';
import { fromBase64, toHex } from '../encoding.ts';
import type { BundleV1 } from '../protocol/bundle.ts';
import { validateAnswer, validateChoices, type Choice } from '../protocol/poll.ts';
import { codeOf, explain, failure, pass, plural, type BundleCheck } from './context.ts';

export const tokenKeysCheck: BundleCheck = {
  id: 'token_keys',
  run(context) {
    const bundle = context.bundle as BundleV1;
    const groups = new Set<string>();
    const ids = new Set<string>();
    for (const [i, entry] of bundle.tokenKeys.entries()) {
      let spki: Uint8Array;
      try {
        spki = fromBase64(entry.spki, `tokenKeys[${i}].spki`);
      } catch (error) {
        return failure(codeOf(error), `token key ${i} (group ${entry.group}): ${explain(error)}`);
      }
      if (toHex(tokenKeyId(spki)) !== entry.keyId)
        return failure('token_key_id_mismatch', `token key ${i} (group ${entry.group}): key id is not the SHA-256 of the key`);
      if (groups.has(entry.group)) return failure('duplicate_key_group', `group ${entry.group} has more than one token key`);
      if (ids.has(entry.keyId)) return failure('duplicate_key_id', `key id ${entry.keyId} is published twice`);
      groups.add(entry.group);
      ids.add(entry.keyId);
    }
    return pass(`${plural(bundle.tokenKeys.length, 'token key')}, one per group, each id the SHA-256 of its key`);
  },
};

export const issuedCheck: BundleCheck = {
  id: 'issued',
  run(context) {
    const bundle = context.bundle as BundleV1;
    const { ballots } = context;
    const { issued, checkedIn, expected } = bundle.electorate;
    const issuedTo = (group: string) => (Object.hasOwn(issued, group) ? issued[group]! : 0);
    const cast = new Map<string, number>();
    for (const ballot of ballots) if (ballot.key) cast.set(ballot.key.group, (cast.get(ballot.key.group) ?? 0) + 1);
    for (const [group, count] of cast)
      if (count > issuedTo(group))
        return failure('over_issued', `group ${group}: ${plural(count, 'ballot')} but ${plural(issuedTo(group), 'token')} issued`);
    const keyedGroups = new Set(bundle.tokenKeys.map((key) => key.group));
    let totalIssued = 0;
    for (const [group, count] of Object.entries(issued)) {
      if (!keyedGroups.has(group)) return failure('issued_without_key', `tokens issued to group ${group}, which has no token key`);
      // A voter receives at most one token per group, so no group was issued more tokens than
      // there were voters checked in.
      if (count > checkedIn)
        return failure('issued_exceeds_checked_in', `group ${group}: ${plural(count, 'token')} issued but ${checkedIn} checked in`);
      totalIssued += count;
    }
    // "Checked in" means holding at least one token.
    if (checkedIn > totalIssued)
      return failure('checked_in_exceeds_issued', `${checkedIn} checked in but only ${plural(totalIssued, 'token')} issued`);
    if (checkedIn > expected) return failure('checked_in_exceeds_expected', `${checkedIn} checked in but ${expected} expected`);
    // Written opinions come from expected members who are absent: at most expected − checked in per question.
    const opinionsPer = new Map<string, number>();
    for (const o of bundle.writtenOpinions) opinionsPer.set(o.questionId, (opinionsPer.get(o.questionId) ?? 0) + 1);
    for (const [question, count] of opinionsPer)
      if (count > expected - checkedIn)
        return failure('too_many_written_opinions', `question ${question}: ${plural(count, 'written opinion')} but only ${expected - checkedIn} expected members absent`);
    const perGroup = [...cast].map(([group, count]) => `${group} ${count}/${issuedTo(group)}`).join(', ');
    return pass(
      `ballots within tokens issued (${perGroup || 'no ballots'}); ` +
        `${checkedIn} checked in of ${expected} expected, ${plural(totalIssued, 'token')} issued`,
    );
  },
};

export const sameChoice = (a: Choice | undefined, b: Choice | undefined): boolean =>
  a === undefined || b === undefined ? a === b : canonicalJson(a) === canonicalJson(b) && (typeof a !== 'object' || Array.isArray(a) || Object.keys(a).join() === Object.keys(b).join());

export const choicesCheck: BundleCheck = {
  id: 'choices',
  run(context) {
    const bundle = context.bundle as BundleV1;
    const { questions } = bundle.poll;
    for (const [index, ballot] of bundle.ballots.entries()) {
      let canonical;
      try {
        canonical = validateChoices(questions, ballot.choices, { allowWithheld: true });
      } catch (error) {
        return failure(codeOf(error), `ballot ${index}: ${explain(error)}`);
      }
      for (const q of questions)
        if (!sameChoice(ballot.choices[q.id], canonical[q.id]))
          return failure('non_canonical_choices', `ballot ${index}: question ${q.id}: options are not in canonical (sorted) order`);
    }
    const byId = new Map(questions.map((q) => [q.id, q]));
    for (const [index, opinion] of bundle.writtenOpinions.entries()) {
      const question = byId.get(opinion.questionId);
      if (!question) return failure('invalid_choices', `written opinion ${index}: no question ${opinion.questionId}`);
      let canonical;
      try {
        canonical = validateAnswer(question, opinion.choice);
      } catch (error) {
        return failure(codeOf(error), `written opinion ${index}: ${explain(error)}`);
      }
      if (!sameChoice(opinion.choice, canonical))
        return failure('non_canonical_choices', `written opinion ${index}: options are not in canonical (sorted) order`);
    }
    const opinions = bundle.writtenOpinions.length ? ` and ${plural(bundle.writtenOpinions.length, 'written opinion')}` : '';
    return pass(`${plural(bundle.ballots.length, 'ballot')}${opinions} answer with permitted choices`);
  },
};
