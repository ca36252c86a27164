/**
 * One ballot paper: every question of a poll, as on the printed ballot. A `single` question is
 * a row of big radio buttons (同意 / 不同意 / 弃权 for a candidate); an `approval` question is a
 * list of check boxes with a running "chosen x of k" that stops at k; a `score` question is a
 * card per candidate with a number stepper (− / field / +) and a slider for each criterion,
 * the scale, and a running "x of n scored". The score card also serves the self-evaluation.
 */
import { For, Match, Show, Switch, createUniqueId } from 'solid-js';
import type { Question, Scores } from '../../../shared/protocol/poll.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { filledCount, type ScoreQuestion } from '../stores/scores.ts';
import type { BallotSlot, VoteSession } from '../stores/vote-session.ts';

const BUILT_IN_LABELS: Record<string, MessageKey> = {
  agree: 'option.agree',
  disagree: 'option.disagree',
  abstain: 'option.abstain',
};

/** The organizer's label if there is one, our translation of agree / disagree / abstain, else the id. */
export function optionLabel(question: Question, option: string): string {
  const custom = question.type === 'score' ? question.criterionLabels?.[option] : question.optionLabels?.[option];
  if (custom) return custom;
  const builtIn = BUILT_IN_LABELS[option];
  return builtIn ? t(builtIn) : option;
}

function SingleQuestion(props: { session: VoteSession; slot: BallotSlot; question: Question & { type: 'single' } }) {
  const name = createUniqueId();
  return (
    <fieldset class="question" data-question={props.question.id}>
      <legend>{props.question.title}</legend>
      <div class="choices choices-single">
        <For each={props.question.options}>
          {(option) => (
            <label class="choice">
              <input
                type="radio"
                name={name}
                value={option}
                checked={props.session.answer(props.slot, props.question) === option}
                onChange={() => props.session.chooseSingle(props.slot, props.question.id, option)}
              />
              <span>{optionLabel(props.question, option)}</span>
            </label>
          )}
        </For>
      </div>
    </fieldset>
  );
}

function ApprovalQuestion(props: { session: VoteSession; slot: BallotSlot; question: Question & { type: 'approval' } }) {
  const countId = createUniqueId();
  const chosen = () => props.session.answer(props.slot, props.question) as string[];
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
                disabled={full() && !chosen().includes(option)}
                onChange={(event) => props.session.toggleApproval(props.slot, props.question, option, event.currentTarget.checked)}
              />
              <span>{optionLabel(props.question, option)}</span>
            </label>
          )}
        </For>
      </div>
    </fieldset>
  );
}

/**
 * One criterion: its label, − / number field / + (the field is the accessible control: a
 * spin button with the scale), and a slider between the ends of the scale for the thumb,
 * hidden from screen readers since it repeats the field. An unscored criterion has an empty field and a dimmed slider in the middle;
 * − or + starts from the middle, a typed number out of the scale is brought into it on leaving.
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
 * One candidate's card. `optional`: the voter's own candidacy, which may be left unscored (but
 * not half scored), with a button to clear it. `flag`: after a first try to go on, an
 * unfinished card says so in its count.
 */
export function ScoreCard(props: {
  question: ScoreQuestion;
  scores: Scores;
  onScore: (criterion: string, value: number | undefined) => void;
  note?: string | undefined;
  optional?: boolean;
  flag?: boolean;
  /** A ballot's per-candidate comment (three evaluations); absent on the self-evaluation. */
  comment?: { text: string; onInput: (text: string) => void };
}) {
  const scaleId = createUniqueId();
  const commentId = createUniqueId();
  const filled = () => filledCount(props.question, props.scores);
  const total = () => props.question.criteria.length;
  const unfinished = () => filled() < total() && (!props.optional || filled() > 0);
  return (
    <fieldset class="question score-card" data-question={props.question.id}>
      <legend>{props.question.title}</legend>
      <Show when={props.note}>{(note) => <p class="own-note">{note()}</p>}</Show>
      <p class="approval-count" id={scaleId}>
        {t('score.scale', { min: props.question.min, max: props.question.max })} ·{' '}
        <strong classList={{ 'count-missing': props.flag === true && unfinished() }}>{t('score.count', { x: filled(), n: total() })}</strong>
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
      <Show when={props.optional && filled() > 0}>
        <button
          type="button"
          class="button button-secondary button-small"
          onClick={() => props.question.criteria.forEach((criterion) => props.onScore(criterion, undefined))}
        >
          {t('score.clear')}
        </button>
      </Show>
      <Show when={props.comment}>
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

export function BallotQuestions(props: { session: VoteSession; slot: BallotSlot; tried: boolean }) {
  return (
    <For each={props.slot.questions}>
      {(question) => (
        <Switch>
          <Match when={question.type === 'score' && question}>
            {(score) => {
              const optional = () => props.session.mayLeaveOut(props.slot, score());
              return (
                <ScoreCard
                  question={score()}
                  scores={props.session.scores(props.slot, score())}
                  onScore={(criterion, value) => props.session.setScore(props.slot, score(), criterion, value)}
                  note={optional() ? t('score.ownOptional') : undefined}
                  optional={optional()}
                  flag={props.tried}
                  comment={{ text: props.session.comment(props.slot, score()), onInput: (text) => props.session.setComment(props.slot, score(), text) }}
                />
              );
            }}
          </Match>
          <Match when={question.type === 'approval' && question}>
            {(approval) => <ApprovalQuestion session={props.session} slot={props.slot} question={approval()} />}
          </Match>
          <Match when={question.type === 'single' && question}>
            {(single) => <SingleQuestion session={props.session} slot={props.slot} question={single()} />}
          </Match>
        </Switch>
      )}
    </For>
  );
}
