/**
 * Beside an advisory result (confirming activists and development objects, league
 * recommendations): the branch committee's decision per candidate, and for a development
 * object the higher committee's pre-examination. Recorded after close; each is audit-logged and
 * shown on the public board once the result is published.
 */
import { createSignal, For, Show } from 'solid-js';
import { DECISION_OUTCOMES } from '../../../shared/protocol/api.ts';
import { localDate } from '../../../shared/publicity.ts';
import { createAction } from './action.ts';
import type { ConsoleApi, Decision, MeetingPoll } from './api.ts';
import { ct, type ConsoleKey } from './i18n.ts';
import { createLoad } from './load.ts';
import { ErrorLine } from './error-line.tsx';

export const ADVISORY_KINDS = new Set(['activist_confirmation', 'development_object_confirmation', 'league_recommendation']);

type Step = keyof typeof DECISION_OUTCOMES;

/**
 * Who decides by default: a league branch's committee (团支部委员会) or a Party branch's (支部委员会);
 * for the pre-examination, the nearest Party committee (党委) above the meeting's unit in the
 * organization tree (a 党总支 may pre-examine too, and is offered, but cannot approve).
 */
function defaultBody(poll: MeetingPoll, step: Step, higherUnits: readonly string[]): string {
  if (step === 'committee_decision') return ct(poll.kind === 'league_recommendation' ? 'decision.defaultLeagueCommittee' : 'decision.defaultCommittee');
  if (step === 'league_review') return ct('decision.defaultLeagueReview');
  return higherUnits.find((name) => name.endsWith('党委')) ?? higherUnits[0] ?? ct('decision.defaultHigher');
}

/** A league branch's committee is the 团支部委员会. */
const stepLabel = (poll: MeetingPoll, step: Step) =>
  ct(poll.kind === 'league_recommendation' && step === 'committee_decision' ? 'decision.step.league_committee' : (`decision.step.${step}` as ConsoleKey));

function DecisionForm(props: {
  api: ConsoleApi;
  poll: MeetingPoll;
  questionId: string;
  step: Step;
  current: Decision | undefined;
  higherUnits: readonly string[];
  onSaved: () => void;
}) {
  const outcomes = DECISION_OUTCOMES[props.step];
  const [outcome, setOutcome] = createSignal<string>(props.current?.outcome ?? outcomes[0]);
  const [decidedBy, setDecidedBy] = createSignal(props.current?.decidedBy ?? defaultBody(props.poll, props.step, props.higherUnits));
  const [date, setDate] = createSignal(props.current?.date ?? localDate(new Date()));
  const [note, setNote] = createSignal(props.current?.note ?? '');
  const save = createAction();
  const id = `decision-${props.poll.id}-${props.questionId}-${props.step}`;
  return (
    <form
      class="decision-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(async () => {
          await props.api.recordDecision(props.poll.id, props.questionId, { step: props.step, outcome: outcome(), decidedBy: decidedBy().trim(), date: date(), note: note().trim() });
          props.onSaved();
        });
      }}
    >
      <fieldset class="stack-tight">
        <legend>{stepLabel(props.poll, props.step)}</legend>
        <label class="field-label" for={`${id}-outcome`}>
          {ct('decision.outcome')}
        </label>
        <select id={`${id}-outcome`} class="input" value={outcome()} onChange={(e) => setOutcome(e.currentTarget.value)}>
          <For each={outcomes}>{(o) => <option value={o}>{ct(`decision.${o}` as ConsoleKey)}</option>}</For>
        </select>
        <label class="field-label" for={`${id}-by`}>
          {ct('decision.by')}
        </label>
        <input
          id={`${id}-by`}
          class="input"
          type="text"
          required
          maxlength={200}
          list={props.step === 'pre_examination' && props.higherUnits.length ? `${id}-units` : undefined}
          value={decidedBy()}
          onInput={(e) => setDecidedBy(e.currentTarget.value)}
        />
        <Show when={props.step === 'pre_examination' && props.higherUnits.length}>
          <datalist id={`${id}-units`}>
            <For each={props.higherUnits}>{(name) => <option value={name} />}</For>
          </datalist>
        </Show>
        <label class="field-label" for={`${id}-date`}>
          {ct('decision.date')}
        </label>
        <input id={`${id}-date`} class="input input-short" type="date" required value={date()} onInput={(e) => setDate(e.currentTarget.value)} />
        <label class="field-label" for={`${id}-note`}>
          {ct('decision.note')}
        </label>
        <input id={`${id}-note`} class="input" type="text" maxlength={1000} value={note()} onInput={(e) => setNote(e.currentTarget.value)} />
        <ErrorLine text={save.error()} />
        <button type="submit" class="button button-primary button-inline" disabled={save.busy()}>
          {ct('decision.save')}
        </button>
      </fieldset>
    </form>
  );
}

export function DecisionsPanel(props: { api: ConsoleApi; poll: MeetingPoll; canChange: boolean; higherUnits?: readonly string[] }) {
  const record = createLoad(() => props.poll.id, (id) => props.api.record(id));
  const steps = (): Step[] =>
    props.poll.kind === 'development_object_confirmation'
      ? ['committee_decision', 'pre_examination']
      : props.poll.kind === 'league_recommendation'
        ? ['committee_decision', 'league_review']
        : ['committee_decision'];
  const decisionOf = (questionId: string, step: Step) => record.value()?.decisions?.find((d) => d.questionId === questionId && d.step === step);
  return (
    <section class="stack-tight decisions" aria-labelledby={`decisions-${props.poll.id}`}>
      <h4 id={`decisions-${props.poll.id}`}>{ct('decision.title')}</h4>
      <p class="hint">{ct('decision.hint')}</p>
      <ErrorLine text={record.error()} />
      <Show when={record.value()}>
        <For each={props.poll.questions}>
          {(question) => (
            <div class="decision-candidate" data-question={question.id}>
              <h5>{question.title}</h5>
              <For each={steps()}>
                {(step) => (
                  <>
                    <Show when={decisionOf(question.id, step)}>
                      {(d) => (
                        <p class="verdict">
                          {ct('decision.recorded', {
                            step: stepLabel(props.poll, step),
                            outcome: ct(`decision.${d().outcome}` as ConsoleKey),
                            by: d().decidedBy,
                            date: d().date,
                          })}
                          {d().note ? `（${d().note}）` : ''}
                        </p>
                      )}
                    </Show>
                    <Show when={props.canChange}>
                      <DecisionForm
                        api={props.api}
                        poll={props.poll}
                        questionId={question.id}
                        step={step}
                        current={decisionOf(question.id, step)}
                        higherUnits={props.higherUnits ?? []}
                        onSaved={() => void record.reload()}
                      />
                    </Show>
                  </>
                )}
              </For>
            </div>
          )}
        </For>
      </Show>
    </section>
  );
}
