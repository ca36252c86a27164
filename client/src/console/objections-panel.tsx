/**
 * The objections to a published result, for the unit's organizer (and the admin): the text, the
 * name and contact if the objector gave them, whether a member of the meeting sent it with their
 * voting code or anyone did, and a form to record the outcome with a note. Scrutineers see them
 * and cannot answer (the server refuses).
 */
import { createSignal, For, Show } from 'solid-js';
import { createAction } from './action.ts';
import type { ConsoleApi, Objection } from './api.ts';
import { ct } from './i18n.ts';
import { createLoad } from './load.ts';
import { ErrorLine } from './error-line.tsx';

const OUTCOMES = ['proceed', 'defer', 'reject'] as const;

function AnswerForm(props: { api: ConsoleApi; pollId: string; objection: Objection; onSaved: () => void }) {
  const [outcome, setOutcome] = createSignal<(typeof OUTCOMES)[number]>(props.objection.outcome ?? 'proceed');
  const [note, setNote] = createSignal(props.objection.outcomeNote ?? '');
  const save = createAction();
  const id = `objection-${props.objection.id}`;
  return (
    <form
      class="stack-tight"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(async () => {
          await props.api.answerObjection(props.pollId, props.objection.id, outcome(), note().trim());
          props.onSaved();
        });
      }}
    >
      <label class="field-label" for={`${id}-outcome`}>
        {ct('objections.outcome')}
      </label>
      <select id={`${id}-outcome`} class="input" value={outcome()} onChange={(e) => setOutcome(e.currentTarget.value as (typeof OUTCOMES)[number])}>
        <For each={OUTCOMES}>{(o) => <option value={o}>{ct(`outcome.${o}`)}</option>}</For>
      </select>
      <label class="field-label" for={`${id}-note`}>
        {ct('objections.note')}
      </label>
      <textarea id={`${id}-note`} class="input" rows={2} required maxlength={2000} value={note()} onInput={(e) => setNote(e.currentTarget.value)} />
      <ErrorLine text={save.error()} />
      <button type="submit" class="button button-primary button-inline" disabled={save.busy()}>
        {ct('objections.save')}
      </button>
    </form>
  );
}

export function ObjectionsPanel(props: { api: ConsoleApi; pollId: string; canAnswer: boolean }) {
  const loaded = createLoad(() => props.pollId, (id) => props.api.objections(id));
  return (
    <section class="stack-tight objections" aria-labelledby={`objections-${props.pollId}`}>
      <h4 id={`objections-${props.pollId}`}>{ct('objections.title')}</h4>
      <ErrorLine text={loaded.error()} />
      <Show when={loaded.value()?.period}>{(p) => <p class="hint">{ct('objections.period', { first: p().firstDay, last: p().lastDay })}</p>}</Show>
      <Show when={loaded.value()}>
        {(v) => (
          <Show when={v().objections.length > 0} fallback={<p>{ct('objections.none')}</p>}>
            <ol class="plain objection-list">
              <For each={v().objections}>
                {(o) => (
                  <li class="objection-item" data-objection={o.id}>
                    <p class="hint">
                      {ct('objections.received', { date: o.receivedOn })} · <span data-channel={o.channel}>{ct(`objections.channel.${o.channel}`)}</span> ·{' '}
                      {o.name ? ct('objections.from', { name: o.name }) : ct('objections.anonymous')}
                      <Show when={o.contact}>{(c) => <> · {ct('objections.contact', { contact: c() })}</>}</Show>
                    </p>
                    <blockquote class="objection-text">{o.text}</blockquote>
                    <Show when={o.outcome}>
                      {(outcome) => <p class="verdict">{ct('objections.decided', { outcome: ct(`outcome.${outcome()}`), by: o.decidedBy ?? '', note: o.outcomeNote ?? '' })}</p>}
                    </Show>
                    <Show when={props.canAnswer}>
                      <AnswerForm api={props.api} pollId={props.pollId} objection={o} onSaved={() => void loaded.reload()} />
                    </Show>
                  </li>
                )}
              </For>
            </ol>
          </Show>
        )}
      </Show>
    </section>
  );
}
