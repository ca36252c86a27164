/**
 * One open poll, large. During check-in: checked in of expected and, when the organizer is signed
 * in here, the names not yet checked in. Once voting opened: the opening statement as the room
 * heard it (head count, checked in, struck, tokens issued, the statement's digest with how many
 * scrutineers co-signed it, the audit log's head), then checked
 * in / submitted / not yet submitted, and refused submissions or declared non-voters when there
 * are any. In the three evaluations, under the figures, each candidate's registered key
 * fingerprint (candidate-keys.tsx). Never a count of choices: the stream carries none before close.
 */
import { For, Show } from 'solid-js';
import { groupHex } from '../format.ts';
import { CandidateKeys } from './candidate-keys.tsx';
import type { LivePoll } from './live-store.ts';
import { pt } from './messages.ts';
import type { NotCheckedIn } from './organizer-view.ts';

export function PhaseBadge(props: { phase: LivePoll['phase'] }) {
  return <span class={`pj-phase pj-phase-${props.phase}`}>{pt(`phase.${props.phase}`)}</span>;
}

function Figure(props: { id: string; label: string; value: number; of?: string; progress?: { max: number; label: string } }) {
  return (
    <div class="pj-figure" data-figure={props.id}>
      <span class="pj-figure-label">{props.label}</span>
      <span class="pj-figure-value">{props.value}</span>
      <Show when={props.of}>
        <span class="pj-figure-of">{props.of}</span>
      </Show>
      <Show when={props.progress}>
        {(progress) => (
          <progress
            class={`pj-progress pj-progress-${props.id}`}
            max={Math.max(progress().max, 1)}
            value={props.value}
            aria-label={`${progress().label} ${props.value}/${progress().max}`}
          />
        )}
      </Show>
    </div>
  );
}

/** The 未签到名单 of one poll; cut to `max` names so that the screen never scrolls. */
function NotCheckedInList(props: { list: NotCheckedIn; max: number }) {
  const shown = () => props.list.names.slice(0, props.max);
  const more = () => props.list.names.length - shown().length;
  return (
    <div class="pj-absent">
      <h3>{pt('absent.heading', { n: props.list.names.length })}</h3>
      <Show when={props.list.names.length > 0} fallback={<p class="pj-absent-none">{pt('absent.none')}</p>}>
        <ul class="plain pj-absent-names">
          <For each={shown()}>{(voter) => <li>{voter.name}</li>}</For>
        </ul>
        <Show when={more() > 0}>
          <p class="pj-absent-more">{pt('absent.more', { n: more() })}</p>
        </Show>
      </Show>
    </div>
  );
}

function OpeningStatement(props: { opening: NonNullable<LivePoll['opening']> }) {
  const o = () => props.opening;
  return (
    <div class="pj-opening">
      <p class="pj-opening-facts">
        <strong>{pt('opening.heading')}</strong>
        <span data-opening="headCount">{pt('opening.headCount', { n: o().headCount })}</span>
        <span data-opening="checkedIn">{pt('opening.checkedIn', { n: o().checkedIn })}</span>
        <span data-opening="struck">{pt('opening.struck', { n: o().struck })}</span>
        <span data-opening="issued">{pt('opening.issued', { n: o().issued })}</span>
      </p>
      <Show when={o().headCountNote}>
        <p class="pj-opening-note">{pt('opening.note', { note: o().headCountNote })}</p>
      </Show>
      <p class="pj-opening-record">
        <span class="mono" data-opening="statement">
          {pt('opening.statement', { hash: groupHex(o().statementDigest) })}
        </span>
        <Show when={o().cosigners > 0}>
          <span data-opening="cosigned">{pt('opening.cosigned', { n: o().cosigned, m: o().cosigners })}</span>
        </Show>
        <span class="mono" data-opening="record">
          {pt('opening.record', { seq: o().recordSeq, hash: groupHex(o().recordDigest) })}
        </span>
      </p>
    </div>
  );
}

export function TurnoutPanel(props: { poll: LivePoll; notCheckedIn?: NotCheckedIn; maxNames: number }) {
  const voting = () => props.poll.phase === 'voting';
  const titleId = () => `pj-poll-${props.poll.id}`;
  const notSubmitted = () => Math.max(0, props.poll.checkedIn - props.poll.submitted);
  return (
    <section
      class="pj-poll pj-turnout"
      classList={{ 'pj-turnout-voting': voting(), 'pj-turnout-with-keys': props.poll.candidateKeyFingerprints !== undefined }}
      aria-labelledby={titleId()}
    >
      <header class="pj-poll-head">
        <h2 id={titleId()}>{props.poll.title}</h2>
        <PhaseBadge phase={props.poll.phase} />
      </header>
      <Show when={voting() && props.poll.opening}>{(opening) => <OpeningStatement opening={opening()} />}</Show>
      <Show
        when={voting()}
        fallback={
          <div class="pj-figures" classList={{ 'pj-figures-with-names': props.notCheckedIn !== undefined }}>
            <Figure
              id="checked-in"
              label={pt('figure.checkedIn')}
              value={props.poll.checkedIn}
              of={pt('figure.expected', { n: props.poll.expected })}
              progress={{ max: props.poll.expected, label: pt('progress.checkedIn') }}
            />
            <Show when={props.notCheckedIn}>{(list) => <NotCheckedInList list={list()} max={props.maxNames} />}</Show>
          </div>
        }
      >
        <div class="pj-figures pj-figures-three">
          <Figure id="checked-in" label={pt('figure.checkedIn')} value={props.poll.checkedIn} of={pt('figure.expected', { n: props.poll.expected })} />
          <Figure
            id="submitted"
            label={pt('figure.submitted')}
            value={props.poll.submitted}
            of={pt('figure.ofCheckedIn', { n: props.poll.checkedIn })}
            progress={{ max: props.poll.checkedIn, label: pt('progress.submitted') }}
          />
          <Figure id="not-submitted" label={pt('figure.notSubmitted')} value={notSubmitted()} />
        </div>
        <Show when={props.poll.refusedOverIssued > 0}>
          <p class="pj-alert" data-turnout="refused">
            {pt('turnout.refused', { n: props.poll.refusedOverIssued })}
          </p>
        </Show>
        <Show when={props.poll.declaredNotVoted !== null}>
          <p class="pj-hint" data-turnout="declared">
            {pt('turnout.declared', { n: props.poll.declaredNotVoted ?? 0 })}
          </p>
        </Show>
      </Show>
      <Show when={props.poll.candidateKeyFingerprints}>{(fingerprints) => <CandidateKeys poll={props.poll} fingerprints={fingerprints()} />}</Show>
    </section>
  );
}
