/**
 * The answers on the voter's ballot papers while they fill them in (protocol v2): one paper per
 * poll, one answer per candidate (question) the device holds a token for, and every one of them
 * must be answered. Abstaining is an answer the voter picks, never a blank:
 *  - a single choice: its own option (弃权 on agree ballots, 不了解 on grade ballots);
 *  - a recommendation (approval): "弃权（不推荐任何人）", sent as the empty list;
 *  - a score card (the three evaluations): the 不了解 button, sent as ABSTAIN instead of scores.
 * The answers live in memory only, are dropped once the poll is cast, and are never stored.
 */
import { createSignal } from 'solid-js';
import type { PublicPollView } from '../../../shared/protocol/api.ts';
import { ABSTAIN, type Choice, type Scores } from '../../../shared/protocol/answer.ts';
import type { Question } from '../../../shared/protocol/poll.ts';
import { finalScores, isComplete, scoresIn, withScore, type ScoreQuestion } from './scores.ts';

/** One ballot paper: a poll and the questions of it this device holds a token for, in the poll's order. */
export interface Paper {
  poll: PublicPollView;
  questions: Question[];
  /** The voter groups the tokens are in (three evaluations: someone may rate as a representative and as a member). */
  groups: string[];
}

/** What the voter has picked for one question so far; ABSTAIN on an approval or score question is the explicit abstention. */
export type DraftAnswer = Choice | typeof ABSTAIN | undefined;

export type ApprovalQuestion = Question & { type: 'approval' };

export function createBallotAnswers() {
  // Replaced, never mutated, on every change: a plain signal is enough and spares the voter's
  // phone solid-js/store.
  const [drafts, setDrafts] = createSignal<Readonly<Record<string, Readonly<Record<string, DraftAnswer>>>>>({});
  const [comments, setComments] = createSignal<Readonly<Record<string, Readonly<Record<string, string>>>>>({});

  const draft = (pollId: string, questionId: string): DraftAnswer => drafts()[pollId]?.[questionId];
  const setDraft = (pollId: string, questionId: string, value: DraftAnswer) =>
    setDrafts((all) => ({ ...all, [pollId]: { ...all[pollId], [questionId]: value } }));

  const isAbstain = (pollId: string, question: Question) => draft(pollId, question.id) === ABSTAIN && question.type !== 'single';

  /** The option chosen on a single-choice question. */
  const single = (pollId: string, question: Question) => {
    const value = draft(pollId, question.id);
    return typeof value === 'string' ? value : undefined;
  };
  const chooseSingle = (pollId: string, question: Question, option: string) => setDraft(pollId, question.id, option);

  /** The candidates ticked on a recommendation (none while it is an abstention). */
  const approvals = (pollId: string, question: Question): string[] => {
    const value = draft(pollId, question.id);
    return Array.isArray(value) ? value : [];
  };
  function toggleApproval(pollId: string, question: ApprovalQuestion, option: string, on: boolean) {
    const chosen = approvals(pollId, question);
    const next = on ? (chosen.includes(option) || chosen.length >= question.maxChoices ? chosen : [...chosen, option]) : chosen.filter((o) => o !== option);
    setDraft(pollId, question.id, next);
  }

  /** The scores on a card so far (none while the card says 不了解). */
  const scores = (pollId: string, question: Question): Scores => scoresIn(draft(pollId, question.id) as Choice | undefined);
  const setScore = (pollId: string, question: ScoreQuestion, criterion: string, value: number | undefined) =>
    setDraft(pollId, question.id, withScore(scores(pollId, question), criterion, value));

  /** 不了解 on a card, 弃权 on a recommendation: on replaces whatever was picked, off starts afresh. */
  const setAbstain = (pollId: string, question: Question, on: boolean) => setDraft(pollId, question.id, on ? ABSTAIN : undefined);

  const comment = (pollId: string, questionId: string) => comments()[pollId]?.[questionId] ?? '';
  const setComment = (pollId: string, questionId: string, text: string) =>
    setComments((all) => ({ ...all, [pollId]: { ...all[pollId], [questionId]: text } }));

  /** Is this question answered, abstention included? */
  function answered(pollId: string, question: Question): boolean {
    if (question.type === 'single') return single(pollId, question) !== undefined;
    if (isAbstain(pollId, question)) return true;
    if (question.type === 'approval') return approvals(pollId, question).length > 0;
    return isComplete(question, scores(pollId, question));
  }

  /** The questions of the paper still without an answer, in its order. */
  const unanswered = (paper: Paper) => paper.questions.filter((q) => !answered(paper.poll.id, q));

  /** The answers as castPoll sends them: every question of the paper (call only when none is unanswered). */
  function finalAnswers(paper: Paper): Record<string, Choice> {
    const pollId = paper.poll.id;
    return Object.fromEntries(
      paper.questions.map((q): [string, Choice] => {
        if (q.type === 'single') return [q.id, single(pollId, q)!];
        if (q.type === 'approval') return [q.id, isAbstain(pollId, q) ? [] : approvals(pollId, q)];
        return [q.id, isAbstain(pollId, q) ? ABSTAIN : finalScores(q, scores(pollId, q))];
      }),
    );
  }

  /** Comments as sent: only on candidates scored on this paper (the server refuses one beside 不了解), blank ones left out. */
  function finalComments(paper: Paper): Record<string, string> {
    return Object.fromEntries(
      paper.questions
        .filter((q) => q.type === 'score' && !isAbstain(paper.poll.id, q))
        .map((q) => [q.id, comment(paper.poll.id, q.id).trim()] as const)
        .filter(([, text]) => text !== ''),
    );
  }

  /** After the cast: the choices leave the page's memory too. */
  function forget(pollId: string) {
    setDrafts(({ [pollId]: _dropped, ...rest }) => rest);
    setComments(({ [pollId]: _dropped, ...rest }) => rest);
  }

  return {
    single,
    chooseSingle,
    approvals,
    toggleApproval,
    scores,
    setScore,
    isAbstain,
    setAbstain,
    comment,
    setComment,
    answered,
    unanswered,
    finalAnswers,
    finalComments,
    forget,
  };
}

export type BallotAnswers = ReturnType<typeof createBallotAnswers>;
