/**
 * One ballot paper: every candidate of a poll the voter holds a ballot for, as on the printed
 * ballot. A `single` question is a row of big radio buttons (同意 / 不同意 / 弃权, or the grades
 * and 不了解); an `approval` question is a list of check boxes with a running "chosen x of k"
 * that stops at k, and its own 弃权（不推荐任何人）; a `score` question is a card per candidate
 * with a number stepper (− / field / +) and a slider for each criterion, the scale, a running
 * "x of n scored" and a 不了解 button. Every question needs an answer: abstaining is one of them.
 * The score card also serves the self-evaluation (without 不了解 and comment).
 */
import { For, Match, Show, Switch, createUniqueId } from 'solid-js';
import { ABSTAIN, type Scores } from '../../../shared/protocol/answer.ts';
import type { Question } from '../../../shared/protocol/poll.ts';
/**
 * The presets' label of the abstention on grade ballots (shared/tally/rules.ts ABSTAIN_LABEL),
 * repeated here: importing rules.ts would bring its zod schemas to the voter's phone.
 */
export const ABSTAIN_LABEL = '不了解';
import { t, type MessageKey } from '../i18n/index.ts';
import type { ApprovalQuestion, BallotAnswers, Paper } from '../stores/ballot-answers.ts';
import { filledCount, type ScoreQuestion } from '../stores/scores.ts';

const BUILT_IN_LABELS: Record<string, MessageKey> = {
  agree: 'option.agree',
  disagree: 'option.disagree',
  abstain: 'option.abstain',
};

/**
 * The organizer's label if there is one, our translation of agree / disagree / abstain, else
 * the id. The presets' own 不了解 (the abstention of grade ballots) is ours too, so it follows
 * the language.
 */
export function optionLabel(question: Question, option: string): string {
  const custom = question.type === 'score' ? question.criterionLabels?.[option] : question.optionLabels?.[option];
  if (option === ABSTAIN && custom === ABSTAIN_LABEL) return t('score.dontKnow');
  if (custom) return custom;
  const builtIn = BUILT_IN_LABELS[option];
  return builtIn ? t(builtIn) : option;
}

function SingleQuestion(props: { answers: BallotAnswers; pollId: string; question: Question & { type: 'single' } }) {
  const name = createUniqueId();
  return (
    <fieldset class="question" data-question={props.question.id}>
      <legend>{props.question.title}</legend>
      <div class="choices choices-single">
        <For each={props.question.options}>
          {(option) => (
            <label class="choice" classList={{ 'choice-abstain': option === ABSTAIN }}>
              <input
                type="radio"
                name={name}
                value={option}
                checked={props.answers.single(props.pollId, props.question) === option}
                onChange={() => props.answers.chooseSingle(props.pollId, props.question, option)}
              />
              <span>{optionLabel(props.question, option)}</span>
            </label>
          )}
        </For>
      </div>
    </fieldset>
  );
}

function ApprovalQuestionField(props: { answers: BallotAnswers; pollId: string; question: ApprovalQuestion }) {
  const countId = createUniqueId();
  const chosen = () => props.answers.approvals(props.pollId, props.question);
  const abstains = () => props.answers.isAbstain(props.pollId, props.question);
  const full = () => chosen().length >= props.question.maxChoices;
  return (
    <fieldset class="question" data-question={props.question.id} aria-describedby={countId}>
      <legend>{props.question.title}</legend>
      <p class="approval-count" id={countId} aria-live="polite">
        {t('approval.limit', { k: props.question.maxChoices })} ·{' '}
        <strong>{t('approval.count', { x: chosen().length, k: props.question.maxChoices })}</strong>
      </p>
      <div class="choices choices-approval">
        <For each={props.question.options}>
          {(option) => (
            <label class="choice">
              <input
                type="checkbox"
                value={option}
                checked={chosen().includes(option)}
                disabled={abstains() || (full() && !chosen().includes(option))}
                onChange={(event) => props.answers.toggleApproval(props.pollId, props.question, option, event.currentTarget.checked)}
              />
              <span>{optionLabel(props.question, option)}</span>
            </label>
          )}
        </For>
        <label class="choice choice-abstain">
          <input
            type="checkbox"
            value={ABSTAIN}
            checked={abstains()}
            onChange={(event) => props.answers.setAbstain(props.pollId, props.question, event.currentTarget.checked)}
          />
          <span>{t('approval.abstain')}</span>
        </label>
      </div>
    </fieldset>
  );
}

/**
 * One criterion: its label, − / number field / + (the field is the accessible control: a
 * spin button with the scale), and a slider between the ends of the scale for the thumb,
 * hidden from screen readers since it repeats the field. An unscored criterion has an empty
 * field and a dimmed slider in the middle; − or + starts from the middle, a typed number out of
 * the scale is brought into it on leaving.
 */
function ScoreInput(props: { label: string; min: number; max: number; value: number | undefined; describedBy: string; onChange: (value: number | undefined) => void }) {
  const id = createUniqueId();
  const middle = () => Math.round((props.min + props.max) / 2);
  const clamp = (n: number) => Math.min(props.max, Math.max(props.min, n));
  const step = (delta: number) => props.onChange(props.value === undefined ? middle() : clamp(props.value + delta));
  return (
    <div class="score-row">
      <label class="score-label" for={id}>
        {props.label}
      </label>
      <div class="stepper">
        <button type="button" class="step" aria-label={t('score.less', { label: props.label })} disabled={props.value === props.min} onClick={() => step(-1)}>
          −
        </button>
        <input
          id={id}
          class="score-input"
          type="number"
          inputmode="numeric"
          min={props.min}
          max={props.max}
          step="1"
          value={props.value ?? ''}
          aria-describedby={props.describedBy}
          onInput={(event) => {
            const text = event.currentTarget.value;
            const n = Number(text);
            if (text === '') props.onChange(undefined);
            else if (Number.isInteger(n) && n >= props.min && n <= props.max) props.onChange(n);
          }}
          onChange={(event) => {
            const field = event.currentTarget;
            const n = field.value === '' ? undefined : clamp(Math.round(Number(field.value)));
            field.value = n === undefined ? '' : String(n);
            props.onChange(n);
          }}
        />
        <button type="button" class="step" aria-label={t('score.more', { label: props.label })} disabled={props.value === props.max} onClick={() => step(1)}>
          +
        </button>
      </div>
      <div class="slider-row" aria-hidden="true">
        <span>{props.min}</span>
        <input
          type="range"
          class="score-slider"
          classList={{ unset: props.value === undefined }}
          min={props.min}
          max={props.max}
          step="1"
          value={props.value ?? middle()}
          tabindex="-1"
          onInput={(event) => props.onChange(Number(event.currentTarget.value))}
        />
        <span>{props.max}</span>
      </div>
    </div>
  );
}

/**
 * One candidate's card. `flag`: after a first try to go on, an unfinished card says so in its
 * count. `dontKnow`: the ballot's 不了解 button (absent on the self-evaluation), which replaces
 * the scores and the comment while it is pressed.
 */
export function ScoreCard(props: {
  question: ScoreQuestion;
  scores: Scores;
  onScore: (criterion: string, value: number | undefined) => void;
  flag?: boolean;
  dontKnow?: { on: boolean; toggle: () => void };
  /** A ballot's per-candidate comment (three evaluations); absent on the self-evaluation. */
  comment?: { text: string; onInput: (text: string) => void };
}) {
  const scaleId = createUniqueId();
  const commentId = createUniqueId();
  const filled = () => filledCount(props.question, props.scores);
  const total = () => props.question.criteria.length;
  const abstains = () => props.dontKnow?.on === true;
  return (
    <fieldset class="question score-card" classList={{ 'score-card-abstain': abstains() }} data-question={props.question.id}>
      <legend>{props.question.title}</legend>
      {/* First on the card: someone who does not know the candidate need not go past the scores. */}
      <Show when={props.dontKnow}>
        {(dontKnow) => (
          <button type="button" class="button button-secondary button-small dont-know" aria-pressed={dontKnow().on} onClick={() => dontKnow().toggle()}>
            {t('score.dontKnow')}
          </button>
        )}
      </Show>
      <Show
        when={!abstains()}
        fallback={
          <p class="abstain-note" id={scaleId}>
            {t('score.dontKnowOn')}
          </p>
        }
      >
        <p class="approval-count" id={scaleId}>
          {t('score.scale', { min: props.question.min, max: props.question.max })} ·{' '}
          <strong classList={{ 'count-missing': props.flag === true && filled() < total() }}>{t('score.count', { x: filled(), n: total() })}</strong>
        </p>
        <For each={props.question.criteria}>
          {(criterion) => (
            <ScoreInput
              label={optionLabel(props.question, criterion)}
              min={props.question.min}
              max={props.question.max}
              value={props.scores[criterion]}
              describedBy={scaleId}
              onChange={(value) => props.onScore(criterion, value)}
            />
          )}
        </For>
      </Show>
      <Show when={props.comment && !abstains() && props.comment}>
        {(comment) => (
          <div class="comment-field">
            <label class="field-label" for={commentId}>
              {t('score.comment')}
            </label>
            <textarea
              id={commentId}
              class="comment-input"
              rows={2}
              maxlength={500}
              aria-describedby={`${commentId}-hint`}
              value={comment().text}
              onInput={(event) => comment().onInput(event.currentTarget.value)}
            />
            <p class="hint" id={`${commentId}-hint`}>
              {t('score.commentHint')}
            </p>
          </div>
        )}
      </Show>
    </fieldset>
  );
}

export function BallotQuestions(props: { answers: BallotAnswers; paper: Paper; tried: boolean }) {
  const pollId = () => props.paper.poll.id;
  return (
    <For each={props.paper.questions}>
      {(question) => (
        <Switch>
          <Match when={question.type === 'score' && question}>
            {(score) => (
              <ScoreCard
                question={score()}
                scores={props.answers.scores(pollId(), score())}
                onScore={(criterion, value) => props.answers.setScore(pollId(), score(), criterion, value)}
                flag={props.tried}
                dontKnow={{
                  on: props.answers.isAbstain(pollId(), score()),
                  toggle: () => props.answers.setAbstain(pollId(), score(), !props.answers.isAbstain(pollId(), score())),
                }}
                // A comment is sealed to the key the candidate registered in the room: none without one.
                comment={
                  props.paper.poll.candidateKeys?.some((k) => k.questionId === score().id)
                    ? { text: props.answers.comment(pollId(), score().id), onInput: (text) => props.answers.setComment(pollId(), score().id, text) }
                    : undefined
                }
              />
            )}
          </Match>
          <Match when={question.type === 'approval' && question}>
            {(approval) => <ApprovalQuestionField answers={props.answers} pollId={pollId()} question={approval()} />}
          </Match>
          <Match when={question.type === 'single' && question}>
            {(single) => <SingleQuestion answers={props.answers} pollId={pollId()} question={single()} />}
          </Match>
        </Switch>
      )}
    </For>
  );
}
