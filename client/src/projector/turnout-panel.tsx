/**
 * One open poll's turnout, large: checked in of expected, ballots cast of checked in, each with
 * a progress bar. Never a count of choices: the stream carries none before close.
 */
import { Show } from 'solid-js';
import type { LivePoll } from './live-store.ts';
import { pt } from './messages.ts';

export function PhaseBadge(props: { phase: LivePoll['phase'] }) {
  return <span class={`pj-phase pj-phase-${props.phase}`}>{pt(`phase.${props.phase}`)}</span>;
}

export function TurnoutPanel(props: { poll: LivePoll }) {
  const voting = () => props.poll.phase === 'voting';
  const titleId = () => `pj-poll-${props.poll.id}`;
  return (
    <section class="pj-poll pj-turnout" aria-labelledby={titleId()}>
      <header class="pj-poll-head">
        <h2 id={titleId()}>{props.poll.title}</h2>
        <PhaseBadge phase={props.poll.phase} />
      </header>
      <div class="pj-figures">
        <div class="pj-figure" data-figure="checked-in">
          <span class="pj-figure-label">{pt('figure.checkedIn')}</span>
          <span class="pj-figure-value">{props.poll.checkedIn}</span>
          <span class="pj-figure-of">{pt('figure.expected', { n: props.poll.expected })}</span>
          <progress
            class="pj-progress"
            max={Math.max(props.poll.expected, 1)}
            value={props.poll.checkedIn}
            aria-label={`${pt('progress.checkedIn')} ${props.poll.checkedIn}/${props.poll.expected}`}
          />
        </div>
        <div class="pj-figure" data-figure="ballots-cast">
          <span class="pj-figure-label">{pt('figure.ballotsCast')}</span>
          <Show when={voting()} fallback={<span class="pj-figure-value pj-figure-idle">—</span>}>
            <span class="pj-figure-value">{props.poll.ballotsCast}</span>
          </Show>
          <span class="pj-figure-of">{voting() ? pt('figure.ofCheckedIn', { n: props.poll.checkedIn }) : pt('figure.notOpen')}</span>
          <progress
            class="pj-progress pj-progress-cast"
            max={Math.max(props.poll.checkedIn, 1)}
            value={voting() ? props.poll.ballotsCast : 0}
            aria-label={`${pt('progress.ballotsCast')} ${props.poll.ballotsCast}/${props.poll.checkedIn}`}
          />
        </div>
      </div>
    </section>
  );
}
