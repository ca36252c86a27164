/**
 * One answer to one question, checked and put in canonical form: the part of ./poll.ts that the
 * voter's device runs at cast time (voter-flow.ts `castPoll`). It imports no schema library, so
 * the voter page stays small; poll.ts re-exports everything here.
 */
import { fail } from '../errors.ts';
import type { Question } from './poll.ts';

export type Scores = Record<string, number>;
export type Choice = string | string[] | Scores;
export type Choices = Record<string, Choice>;

/**
 * In a published bundle only: the scores of a ballot for a candidate whose group stayed under
 * the anonymity floor are replaced by this marker, so that nobody can compute what the result
 * withholds. The token still proves the ballot; the marker still counts the rater.
 */
export const WITHHELD = 'withheld';

/**
 * Protocol v2: every ballot under a key answers its question; a rater who cannot judge a
 * candidate says so (不了解) with this answer to a score question, never by leaving it out.
 * The same id is the abstain option (弃权) of the single-choice ballots.
 */
export const ABSTAIN = 'abstain';

/**
 * Throws `invalid_choices` unless `value` is a permitted answer to `q`; returns it canonical.
 * `abstainOnScores`: a score question may be answered ABSTAIN (protocol v2).
 */
export function validateAnswer(q: Question, value: Choice, options: { abstainOnScores?: boolean } = {}): Choice {
  if (q.type === 'score') {
    if (value === ABSTAIN && options.abstainOnScores) return ABSTAIN;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      fail('invalid_choices', `question ${q.id}: expected a score for each criterion`);
    for (const key of Object.keys(value))
      if (!q.criteria.includes(key)) fail('invalid_choices', `question ${q.id}: unknown criterion ${key}`);
    const scores: Scores = {};
    // Canonical form: criteria in sorted order, as the stored JSON (JCS) has them.
    for (const criterion of [...q.criteria].sort()) {
      const score = Object.hasOwn(value, criterion) ? value[criterion] : undefined;
      if (typeof score !== 'number' || !Number.isInteger(score) || score < q.min || score > q.max)
        fail('invalid_choices', `question ${q.id}: ${criterion} needs a whole number from ${q.min} to ${q.max}`);
      scores[criterion] = score;
    }
    return scores;
  }
  if (typeof value === 'object' && !Array.isArray(value)) fail('invalid_choices', `question ${q.id}: scores are for score questions`);
  if (q.type === 'single') {
    if (typeof value !== 'string' || !q.options.includes(value))
      fail('invalid_choices', `question ${q.id}: choose exactly one of ${q.options.join(', ')}`);
    return value;
  }
  if (!Array.isArray(value)) fail('invalid_choices', `question ${q.id}: expected a list of options`);
  if (new Set(value).size !== value.length) fail('invalid_choices', `question ${q.id}: an option is chosen twice`);
  for (const option of value)
    if (typeof option !== 'string' || !q.options.includes(option)) fail('invalid_choices', `question ${q.id}: unknown option ${option}`);
  if (value.length > q.maxChoices)
    fail('invalid_choices', `question ${q.id}: at most ${q.maxChoices} may be chosen, got ${value.length}`);
  return [...value].sort();
}
