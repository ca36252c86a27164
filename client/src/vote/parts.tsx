/** Small pieces every screen of the voter page uses. */
import { Show, type JSX } from 'solid-js';
import { voterErrorText, type VoterError } from '../i18n/errors.ts';
import { t } from '../i18n/index.ts';
import type { VoteSession } from '../stores/vote-session.ts';

/** The screen's title; it takes focus when a new screen replaces the previous one. */
export function ScreenTitle(props: { children: JSX.Element; class?: string }) {
  return (
    <h1 tabindex="-1" class={props.class} data-screen-title>
      {props.children}
    </h1>
  );
}

/** The error of the last step, as a sentence that says what to do (and, under a limit, when). */
export function ErrorAlert(props: { error: VoterError | undefined; id?: string }) {
  return (
    <Show when={props.error}>
      {(error) => (
        <p class="alert" role="alert" id={props.id}>
          {voterErrorText(error())}
        </p>
      )}
    </Show>
  );
}

export function Busy(props: { text: string }) {
  return (
    <div class="busy">
      <span class="spinner" aria-hidden="true" />
      <ScreenTitle class="busy-title">{props.text}</ScreenTitle>
    </div>
  );
}

export function MeetingTitle(props: { session: VoteSession }) {
  return (
    <Show when={props.session.meeting()}>
      {(meeting) => <p class="eyebrow">{meeting().title}</p>}
    </Show>
  );
}
