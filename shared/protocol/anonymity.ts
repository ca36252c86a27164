/**
 * The anonymity floor of published ballots (protocol v2). A ballot that answers with more than
 * the counts say — scores on criteria, an approval set — would, under a key with only one or two
 * raters, show what each of them gave. Such ballots are withheld (their answer is published as
 * WITHHELD, without salt) under a key with fewer raters than the floor; the counts stay public.
 * A single-choice ballot shows only what the counts already publish, so it is never withheld.
 *
 *   score question     raters = answers other than ABSTAIN (不了解); withheld when 1 ≤ raters < floor
 *   approval question  raters = every answer;                      withheld when 1 ≤ raters < floor
 *
 * Every non-abstaining answer under a withheld key is withheld; an abstention is shown (it
 * carries no score). The server applies this at close; the verifier checks that the bundle
 * withholds exactly these, no more and no fewer.
 */
import type { Rule } from '../tally/rules.ts';
import { ABSTAIN, WITHHELD, type Choice, type Question } from './poll.ts';

export const DEFAULT_ANONYMITY_FLOOR = 3;

/** The floor for a poll: the three evaluations' own setting, the default otherwise. */
export const anonymityFloorOf = (rule: Rule): number => (rule.kind === 'three_evaluations' ? rule.anonymityFloor : DEFAULT_ANONYMITY_FLOOR);

/** Raters under a key whose ballots answer `question` (WITHHELD counts: it stands for a rating). */
export const ratersOf = (question: Question, answers: readonly Choice[]): number =>
  question.type === 'score' ? answers.filter((a) => a !== ABSTAIN).length : answers.length;

/** Must the ballots of this key be withheld? `answers`: every answer under the key. */
export function mustWithhold(question: Question, answers: readonly Choice[], floor: number): boolean {
  if (question.type === 'single') return false;
  const raters = ratersOf(question, answers);
  return raters >= 1 && raters < floor;
}

/** The answer as published under a key whose ballots are withheld. */
export const publishedAnswer = (answer: Choice, withheld: boolean): Choice => (withheld && answer !== ABSTAIN ? WITHHELD : answer);
