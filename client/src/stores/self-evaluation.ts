/**
 * A candidate's self-evaluation in the three evaluations. It is not a ballot: it is sent with
 * the voting code, stored with the candidate's name and published as their own statement
 * (DOMAIN §5), so it lives apart from the anonymous ballot: its own screen, its own request
 * (`api.selfEvaluate`), and nothing of it touches the tokens. The code is the page's copy in
 * memory; after a reload the voter types it again, and it is checked against this tab's voter
 * before anything is sent. The server keeps the latest submission until the poll closes, so
 * the candidate may change it meanwhile.
 */
import { createMemo, createSignal } from 'solid-js';
import type { PublicMeetingView, PublicPollView } from '../../../shared/protocol/api.ts';
import type { VoterApi } from '../../../shared/protocol/api-client.ts';
import { submitSelfEvaluation, type VoterStore } from '../../../shared/protocol/voter-flow.ts';
import type { Scores } from '../../../shared/protocol/poll.ts';
import { voterError, type VoterError } from '../i18n/errors.ts';
import type { MessageKey } from '../i18n/index.ts';
import { finalScores, isComplete, withScore, type ScoreQuestion } from './scores.ts';

export interface OwnCandidacy {
  pollId: string;
  questionId: string;
}

/** One candidacy of this voter that they may evaluate themselves now. */
export interface SelfItem {
  key: string;
  poll: PublicPollView;
  question: ScoreQuestion;
}

export function createSelfEvaluation(options: {
  api: VoterApi;
  /** Where the candidate's own keys are kept (they sign the self-evaluation). */
  store: VoterStore;
  meeting: () => PublicMeetingView | undefined;
  ownCandidacies: () => OwnCandidacy[];
  voterName: () => string;
  /** The code in memory, if the page still has it. */
  code: () => string | undefined;
  /** Whether a typed code is the one this tab checked in with (throws on a malformed code). */
  belongsToVoter: (code: string) => boolean;
  rememberCode: (code: string) => void;
  announce: (key: MessageKey) => void;
}) {
  const [open, setOpen] = createSignal(false);
  const [scores, setScores] = createSignal<Readonly<Record<string, Scores>>>({});
  const [submitted, setSubmitted] = createSignal<readonly string[]>([]);
  const [sending, setSending] = createSignal(false);
  const [error, setError] = createSignal<VoterError>();
  const [tried, setTried] = createSignal(false);

  /** Own candidacies in a three-evaluations poll that is still open, in the meeting's order. */
  const items = createMemo(() =>
    (options.meeting()?.polls ?? []).flatMap((poll) =>
      poll.kind === 'three_evaluations' && (poll.phase === 'checkin' || poll.phase === 'voting')
        ? poll.questions.flatMap((question): SelfItem[] =>
            question.type === 'score' && options.ownCandidacies().some((c) => c.pollId === poll.id && c.questionId === question.id)
              ? [{ key: `${poll.id}|${question.id}`, poll, question }]
              : [],
          )
        : [],
    ),
  );

  const scoresOf = (item: SelfItem) => scores()[item.key] ?? {};
  const setScore = (item: SelfItem, criterion: string, value: number | undefined) =>
    setScores((all) => ({ ...all, [item.key]: withScore(scoresOf(item), criterion, value) }));
  const incomplete = () => items().filter((item) => !isComplete(item.question, scoresOf(item)));
  const isSubmitted = () => items().length > 0 && items().every((item) => submitted().includes(item.key));

  function show() {
    setError(undefined);
    setTried(false);
    setOpen(true);
  }

  const hide = () => setOpen(false);

  /** Sends every own candidacy's scores with the code (from memory, else `typedCode`). Returns true when sent. */
  async function submit(typedCode: string): Promise<boolean> {
    if (sending()) return false;
    setTried(true);
    if (incomplete().length > 0) {
      setError({ key: 'self.missing' });
      return false;
    }
    let code = options.code();
    if (code === undefined) {
      try {
        if (!options.belongsToVoter(typedCode)) {
          setError({ key: 'self.otherCode' });
          return false;
        }
      } catch (cause) {
        setError(voterError(cause, 'checkin'));
        return false;
      }
      code = typedCode;
    }
    setSending(true);
    setError(undefined);
    try {
      // Signed on this device with the candidate's own key, made and registered at check-in.
      for (const item of items()) await submitSelfEvaluation(options.api, options.store, code, item.poll.id, finalScores(item.question, scoresOf(item)));
      options.rememberCode(code);
      setSubmitted(items().map((item) => item.key));
      options.announce('self.submitted');
      return true;
    } catch (cause) {
      setError(voterError(cause, 'self'));
      return false;
    } finally {
      setSending(false);
    }
  }

  return {
    open,
    items,
    scoresOf,
    setScore,
    needsCode: () => options.code() === undefined,
    voterName: options.voterName,
    tried,
    incomplete,
    isSubmitted,
    sending,
    error,
    show,
    hide,
    submit,
  };
}

export type SelfEvaluation = ReturnType<typeof createSelfEvaluation>;
