/**
 * Plain counting: for every question, how many valid ballots chose each option.
 * Pure (no I/O, clock or randomness); the server, the client and the verifier all call it.
 * Ballots must already have passed `validateChoices`.
 */
import type { Choices, Question } from '../protocol/poll.ts';

export interface QuestionCount {
  id: string;
  counts: Record<string, number>;
}

export function countChoices(questions: readonly Question[], ballots: readonly Choices[]): QuestionCount[] {
  return questions.map((q) => {
    const counts: Record<string, number> = Object.fromEntries(q.options.map((o) => [o, 0]));
    for (const ballot of ballots) {
      const choice = ballot[q.id];
      for (const option of Array.isArray(choice) ? choice : choice === undefined ? [] : [choice])
        counts[option] = (counts[option] ?? 0) + 1;
    }
    return { id: q.id, counts };
  });
}
