/**
 * While a poll's voting is open: the head count, who has checked in, submitted and not yet
 * submitted (turnout only, never a choice); submissions the ballot box refused because their
 * tokens' ballots were all in (`over_issued`: should never happen, said loudly when it does);
 * and the number of members in the room who said they did not vote, as the scrutineers count
 * it, with a warning when more have submitted than checked in less that number.
 */
import { createSignal, createUniqueId, Show } from 'solid-js';
import { createAction } from './action.ts';
import type { ConsoleApi, MeetingPoll } from './api.ts';
import { ct } from './i18n.ts';
import { parseCount } from './opening.ts';
import { ErrorLine } from './error-line.tsx';

/** Checked in less those who said they did not vote: at most this many can have submitted. */
export function submissionsExceedCheckIns(turnout: MeetingPoll['turnout']) {
  const declared = turnout.declaredNotVoted ?? 0;
  const left = turnout.checkedIn - declared;
  return turnout.submitted > left ? { submitted: turnout.submitted, checkedIn: turnout.checkedIn, declared, left } : undefined;
}

export function VotingFacts(props: { api: ConsoleApi; poll: MeetingPoll; canChange: boolean; onChanged: () => void }) {
  const id = createUniqueId();
  const turnout = () => props.poll.turnout;
  // Typed here, not overwritten by the meeting read again every few seconds.
  const [declared, setDeclared] = createSignal(turnout().declaredNotVoted === null ? '' : String(turnout().declaredNotVoted));
  const save = createAction();
  return (
    <div class="voting-facts stack-tight">
      <h4>{ct('voting.title')}</h4>
      <ul class="plain figure-row">
        <li class="figure">
          <span class="figure-label">{ct('voting.headCount')}</span>
          <strong class="figure-value" data-figure="head-count">
            {ct('sheet.people', { n: turnout().headCount ?? '—' })}
          </strong>
        </li>
        <li class="figure">
          <span class="figure-label">{ct('voting.checkedIn')}</span>
          <strong class="figure-value" data-figure="checked-in">
            {ct('sheet.people', { n: turnout().checkedIn })}
          </strong>
        </li>
        <li class="figure">
          <span class="figure-label">{ct('voting.submitted')}</span>
          <strong class="figure-value" data-figure="submitted">
            {ct('sheet.people', { n: turnout().submitted })}
          </strong>
        </li>
        <li class="figure">
          <span class="figure-label">{ct('voting.notSubmitted')}</span>
          <strong class="figure-value" data-figure="not-submitted">
            {ct('sheet.people', { n: Math.max(0, turnout().checkedIn - turnout().submitted) })}
          </strong>
        </li>
      </ul>
      <Show when={turnout().refusedOverIssued > 0}>
        <p class="alert" role="alert" data-warning="refused">
          {ct('voting.refused', { n: turnout().refusedOverIssued })}
        </p>
      </Show>
      <Show when={submissionsExceedCheckIns(turnout())}>
        {(m) => (
          <p class="alert" role="alert" data-warning="mismatch">
            {ct('voting.mismatch', m())}
          </p>
        )}
      </Show>
      <p data-figure="declared">
        {turnout().declaredNotVoted === null ? ct('voting.declaredNone') : ct('voting.declaredShown', { n: turnout().declaredNotVoted! })}
      </p>
      <Show when={props.canChange}>
        <form
          class="stack-tight"
          novalidate
          onSubmit={(e) => {
            e.preventDefault();
            const text = declared().trim();
            const count = text === '' ? null : parseCount(text);
            if (count === undefined) {
              save.setError(ct('voting.declaredBad'));
              return;
            }
            void save.run(async () => {
              await props.api.setDeclaredNotVoted(props.poll.id, count);
              props.onChanged();
            });
          }}
        >
          <label for={`${id}-declared`}>{ct('voting.declared')}</label>
          <p class="hint" id={`${id}-declared-help`}>
            {ct('voting.declaredHelp')}
          </p>
          <div class="inline-form">
            <input
              id={`${id}-declared`}
              class="input input-short"
              type="text"
              inputmode="numeric"
              autocomplete="off"
              aria-describedby={`${id}-declared-help`}
              value={declared()}
              onInput={(e) => {
                save.setError(undefined);
                setDeclared(e.currentTarget.value);
              }}
            />
            <button type="submit" class="button button-secondary button-inline" disabled={save.busy()}>
              {ct('voting.declaredSave')}
            </button>
          </div>
          <ErrorLine text={save.error()} />
        </form>
      </Show>
    </div>
  );
}
