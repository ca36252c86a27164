/** Counting shared by every rule: counts per question with written opinions added, and bases. */
import type { Choices, Question } from '../protocol/poll.ts';
import { countChoices } from './plain-count.ts';
import { votesNeeded, type Quorum, type Threshold } from './rules.ts';
import type { Electorate, Explanation, PollResult, SelfEvaluationEntry, WrittenOpinion } from './result.ts';
import { quorumSentence, type Body } from './wording.ts';

export interface TallyInput<R> {
  rule: R;
  questions: readonly Question[];
  /** Valid anonymous ballots (already checked with validateChoices). */
  ballots: readonly Choices[];
  writtenOpinions: readonly WrittenOpinion[];
  electorate: Electorate;
  /** Three evaluations: the voter group of each ballot (from its token's key), in ballot order. */
  ballotGroups?: readonly string[];
  /** Three evaluations: the candidates' own signed self-evaluations. */
  selfEvaluations?: readonly SelfEvaluationEntry[];
}

export interface QuestionCounts {
  question: Question;
  counts: Record<string, number>;
  written: number;
  /** Ballots plus written opinions that answered this question. */
  votes: number;
}

export function countWithOpinions(questions: readonly Question[], ballots: readonly Choices[], opinions: readonly WrittenOpinion[]): QuestionCounts[] {
  const counted = countChoices(questions, ballots);
  return questions.map((question, i) => {
    const counts = { ...counted[i]!.counts };
    const mine = opinions.filter((o) => o.questionId === question.id);
    for (const opinion of mine)
      for (const option of Array.isArray(opinion.choice) ? opinion.choice : [opinion.choice]) counts[option] = (counts[option] ?? 0) + 1;
    // Ballots that answer this question: in protocol v1 every ballot answers every question; in
    // v2 each ballot answers one question (its key's).
    const answered = ballots.reduce((n, ballot) => n + (Object.hasOwn(ballot, question.id) ? 1 : 0), 0);
    return { question, counts, written: mine.length, votes: answered + mine.length };
  });
}

export function baseValue(base: Threshold['base'], electorate: Electorate, votes: number): number {
  return base === 'expected' ? electorate.expected : base === 'present' ? electorate.present : votes;
}

export function thresholdFor(t: Threshold, electorate: Electorate, votes: number) {
  const value = baseValue(t.base, electorate, votes);
  return { value, needed: votesNeeded(value, t.fraction, t.comparison), thresholdBase: { base: t.base, value } };
}

export function quorumOf(q: Quorum, electorate: Electorate, body: Body): NonNullable<PollResult['quorum']> {
  const needed = votesNeeded(electorate.expected, q.fraction, q.comparison);
  const met = electorate.present >= needed;
  const explanation: Explanation = quorumSentence(q, electorate.present, electorate.expected, needed, body, met);
  return { met, present: electorate.present, expected: electorate.expected, needed, explanation };
}
