/**
 * Scores being filled in, for a score question (the three evaluations): a whole number from
 * `min` to `max` for each criterion. While the voter works, some criteria may have none yet;
 * what is sent has every criterion, in the question's order.
 */
import type { Choice, Question, Scores } from '../../../shared/protocol/poll.ts';

export type ScoreQuestion = Question & { type: 'score' };

/** The scores given so far: some criteria, all, or none. */
export function scoresIn(value: Choice | undefined): Scores {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

export const filledCount = (question: ScoreQuestion, scores: Scores) => question.criteria.filter((c) => Number.isInteger(scores[c])).length;
export const isComplete = (question: ScoreQuestion, scores: Scores) => filledCount(question, scores) === question.criteria.length;

/** The same scores with one criterion set or (`undefined`) cleared. */
export function withScore(scores: Scores, criterion: string, value: number | undefined): Scores {
  const next = { ...scores };
  if (value === undefined) delete next[criterion];
  else next[criterion] = value;
  return next;
}

/** Complete scores as they are sent: every criterion, in the question's order. */
export const finalScores = (question: ScoreQuestion, scores: Scores): Scores =>
  Object.fromEntries(question.criteria.map((c) => [c, scores[c]!]));
