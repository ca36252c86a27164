/**
 * The ballot paper of one poll (every candidate the device holds a ballot for, each to be
 * answered) and its review before the whole poll is submitted in one request.
 */
import { createSignal, For, Show } from 'solid-js';
import { ABSTAIN } from '../../../shared/protocol/answer.ts';
import type { Question } from '../../../shared/protocol/poll.ts';
import { ABSTAIN_LABEL, BallotQuestions, optionLabel } from '../components/ballot-paper.tsx';
import { KeyLine } from '../components/fingerprints.tsx';
import { locale, t, type MessageKey } from '../i18n/index.ts';
import type { Paper } from '../stores/ballot-answers.ts';
import type { VoteSession } from '../stores/vote-session.ts';
import { ErrorAlert, MeetingTitle, ScreenTitle } from './parts.tsx';

const GROUP_NAMES: Record<string, MessageKey> = {
  representatives: 'group.representatives',
  members: 'group.members',
};

/** The first control of a question still to be answered: an empty score field, else its first input. */
export function firstControl(root: HTMLElement, questionId: string) {
  const inputs = [...root.querySelectorAll<HTMLInputElement>(`[data-question="${questionId}"] input:not([type="range"])`)];
  return inputs.find((input) => input.type === 'number' && input.value === '') ?? inputs[0];
}

function BallotCount(props: { session: VoteSession }) {
  const count = () => props.session.paperCount();
  return (
    <Show when={count().total > 1}>
      <p class="hint">{t('ballot.count', { i: count().done + 1, n: count().total })}</p>
    </Show>
  );
}

/** Above the questions: as whom the voter rates (three evaluations), that they are not on it, and how to answer. */
function PaperNotes(props: { session: VoteSession; paper: Paper }) {
  const poll = () => props.paper.poll;
  const groups = () => (poll().kind === 'three_evaluations' ? props.paper.groups.flatMap((g) => (GROUP_NAMES[g] ? [t(GROUP_NAMES[g])] : [])) : []);
  const ownHere = () => props.session.ownCandidacies().some((c) => c.pollId === poll().id);
  /** How this paper's single-choice questions abstain: 弃权, or the grade ballots' 不了解. */
  const abstention = () => {
    const single = props.paper.questions.find((q): q is Question & { type: 'single' } => q.type === 'single' && q.options.includes(ABSTAIN));
    if (!single) return undefined;
    const key: MessageKey = single.optionLabels?.[ABSTAIN] === ABSTAIN_LABEL ? 'ballot.dontKnowHint' : 'ballot.abstainHint';
    return t(key, { label: optionLabel(single, ABSTAIN) });
  };
  const scored = () => props.paper.questions.find((q): q is Question & { type: 'score' } => q.type === 'score');
  return (
    <>
      <Show when={groups().length > 0 || ownHere()}>
        <div class="own-note paper-notes">
          <Show when={groups().length > 0}>
            <p>{t('ballot.groups', { groups: groups().join(locale() === 'zh' ? '、' : ' and ') })}</p>
          </Show>
          <Show when={ownHere()}>
            <p>{t('ballot.ownLeftOut')}</p>
          </Show>
        </div>
      </Show>
      <Show when={scored()} fallback={<p>{abstention() ?? t('ballot.instructions')}</p>}>
        {(q) => <p>{t('score.instructions', { min: q().min, max: q().max })}</p>}
      </Show>
      <Show when={props.paper.questions.some((q) => q.type === 'approval')}>
        <p>{t('ballot.approvalHint')}</p>
      </Show>
    </>
  );
}

export function BallotScreen(props: { session: VoteSession; paper: Paper }) {
  // The "still missing" message appears only after a first try to go on, then follows the answers.
  const [tried, setTried] = createSignal(false);
  const answers = props.session.answers;
  const missing = () => (tried() ? answers.unanswered(props.paper).length : 0);
  const scored = () => props.paper.questions.some((q) => q.type === 'score');
  let form!: HTMLFormElement;
  return (
    <form
      class="stack"
      ref={form}
      onSubmit={(event) => {
        event.preventDefault();
        setTried(true);
        const first = props.session.review(props.paper)[0];
        if (first) firstControl(form, first.id)?.focus();
      }}
    >
      <MeetingTitle session={props.session} />
      <ScreenTitle>{props.paper.poll.title}</ScreenTitle>
      <BallotCount session={props.session} />
      <PaperNotes session={props.session} paper={props.paper} />
      <BallotQuestions answers={answers} paper={props.paper} tried={tried()} />
      <Show when={missing() > 0}>
        <p class="alert" role="alert">
          {t(scored() ? 'ballot.missingScores' : 'ballot.missing', { n: missing() })}
        </p>
      </Show>
      <button type="submit" class="button button-primary">
        {t('ballot.next')}
      </button>
      <Show when={props.session.fingerprint()}>{(fingerprint) => <KeyLine fingerprint={fingerprint()} />}</Show>
    </form>
  );
}

export function ReviewScreen(props: { session: VoteSession; paper: Paper; sending: boolean }) {
  const answers = props.session.answers;
  const pollId = () => props.paper.poll.id;
  const answerText = (question: Question) => {
    if (question.type === 'single') return optionLabel(question, answers.single(pollId(), question) ?? '');
    if (answers.isAbstain(pollId(), question)) return t(question.type === 'approval' ? 'approval.abstain' : 'review.dontKnow');
    return answers.approvals(pollId(), question).map((option) => optionLabel(question, option)).join('、');
  };
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      <ScreenTitle>{t('review.title')}</ScreenTitle>
      <p>{t('review.body')}</p>
      <section class="card">
        <h2>{props.paper.poll.title}</h2>
        <dl class="review-list">
          <For each={props.paper.questions}>
            {(question) => (
              <Show
                when={question.type === 'score' && !answers.isAbstain(pollId(), question) && question}
                fallback={
                  <div class="review-row">
                    <dt>{question.title}</dt>
                    <dd>{answerText(question)}</dd>
                  </div>
                }
              >
                {(score) => (
                  <div class="review-row review-row-scores">
                    <dt>{score().title}</dt>
                    <dd>
                      <ul class="plain score-review">
                        <For each={score().criteria}>
                          {(criterion) => (
                            <li>
                              <span>{optionLabel(score(), criterion)}</span> <strong>{answers.scores(pollId(), score())[criterion]}</strong>
                            </li>
                          )}
                        </For>
                      </ul>
                      <Show when={answers.comment(pollId(), score().id).trim()}>
                        {(text) => <p class="review-comment">{t('review.comment', { text: text() })}</p>}
                      </Show>
                    </dd>
                  </div>
                )}
              </Show>
            )}
          </For>
        </dl>
      </section>
      <ErrorAlert error={props.session.error()} />
      <Show when={props.session.uncertain()}>
        <p class="notice">{t('review.uncertain')}</p>
      </Show>
      <button
        type="button"
        class="button button-primary"
        disabled={props.sending}
        aria-busy={props.sending}
        onClick={() => void props.session.cast()}
      >
        {props.sending ? t('review.sending') : props.session.uncertain() ? t('review.castAgain') : t('review.cast')}
      </button>
      <Show when={!props.session.uncertain()}>
        <button type="button" class="button button-secondary" disabled={props.sending} onClick={() => props.session.backToBallot()}>
          {t('review.back')}
        </button>
      </Show>
    </div>
  );
}
