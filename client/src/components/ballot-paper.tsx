/**
 * One ballot paper: every question of a poll, as on the printed ballot. A `single` question is
 * a row of big radio buttons (同意 / 不同意 / 弃权 for a candidate); an `approval` question is a
 * list of check boxes with a running "chosen x of k" that stops at k.
 */
import { For, Show, createUniqueId } from 'solid-js';
import type { Question } from '../../../shared/protocol/poll.ts';
import { t, type MessageKey } from '../i18n/index.ts';
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

export function BallotQuestions(props: { session: VoteSession; slot: BallotSlot }) {
  return (
    <For each={props.slot.poll.questions}>
      {(question) => (
        <Show
          when={question.type === 'approval' ? question : undefined}
          fallback={<SingleQuestion session={props.session} slot={props.slot} question={question as Question & { type: 'single' }} />}
        >
          {(approval) => <ApprovalQuestion session={props.session} slot={props.slot} question={approval()} />}
        </Show>
      )}
    </For>
  );
}
