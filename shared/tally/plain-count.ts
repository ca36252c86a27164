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
    // Score questions are not counted by option; their rule (three evaluations) averages them.
    if (q.type === 'score') return { id: q.id, counts: {} };
    const counts: Record<string, number> = Object.fromEntries(q.options.map((o) => [o, 0]));
    for (const ballot of ballots) {
      const choice = ballot[q.id];
      const chosen = Array.isArray(choice) ? choice : typeof choice === 'string' ? [choice] : [];
      for (const option of chosen) counts[option] = (counts[option] ?? 0) + 1;
    }
    return { id: q.id, counts };
  });
}
