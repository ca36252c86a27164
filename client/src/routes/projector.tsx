/**
 * /projector?meeting=ID: the meeting room's screen, full width and readable from the back.
 * While polls are open: each poll's turnout, large, beside the QR code of the voter page and
 * the key fingerprints; after close: each candidate's counts, threshold and verdict. It updates
 * itself from the server's event stream (projector/live-store.ts), never by reloading.
 * Loaded lazily: a voter's phone never downloads it.
 */
import { For, Match, Show, Switch } from 'solid-js';
import { CheckinPanel } from '../projector/checkin-panel.tsx';
import { createLiveMeetingStore, RETRY_SECONDS, type LiveMeetingState } from '../projector/live-store.ts';
import { pt } from '../projector/messages.ts';
import { ResultPanel } from '../projector/result-panel.tsx';
import { TurnoutPanel } from '../projector/turnout-panel.tsx';
import '../projector/projector.css';

function MeetingScreen(props: { state: LiveMeetingState; reconnecting: boolean }) {
  const open = () => props.state.polls.filter((p) => !p.closed);
  return (
    <div class="pj-screen" classList={{ 'pj-with-checkin': open().length > 0 }} data-polls={Math.min(props.state.polls.length, 3)}>
      <header class="pj-head">
        <h1>{props.state.title}</h1>
        <p class="pj-live" classList={{ 'pj-live-lost': props.reconnecting }} role="status">
          {props.state.final ? pt('live.final') : props.reconnecting ? pt('live.reconnecting') : pt('live.on')}
        </p>
      </header>
      <Show when={props.state.polls.length > 0} fallback={<p class="pj-message">{pt('page.noPolls')}</p>}>
        <div class="pj-polls">
          <For each={props.state.polls}>{(poll) => (poll.closed ? <ResultPanel poll={poll} /> : <TurnoutPanel poll={poll} />)}</For>
          <Show when={open().length > 0}>
            <p class="pj-privacy">{pt('privacy.note')}</p>
          </Show>
        </div>
        <Show when={open().length > 0}>
          <CheckinPanel url={props.state.checkinUrl} polls={open()} />
        </Show>
      </Show>
    </div>
  );
}

export function ProjectorPage() {
  const meetingId = new URLSearchParams(location.search).get('meeting')?.trim() ?? '';
  if (!meetingId)
    return (
      <section class="projector pj-center">
        <h1 class="pj-message">{pt('page.missingMeeting')}</h1>
      </section>
    );
  const live = createLiveMeetingStore(meetingId);
  return (
    <section class="projector" aria-busy={!live.state() && !live.problem()}>
      <Switch>
        <Match when={live.problem() === 'not_found'}>
          <h1 class="pj-message pj-center">{pt('page.notFound')}</h1>
        </Match>
        <Match when={live.state()}>
          {(state) => <MeetingScreen state={state()} reconnecting={live.problem() === 'reconnecting' || live.problem() === 'offline'} />}
        </Match>
        <Match when={live.problem() === 'offline'}>
          <h1 class="pj-message pj-center">{pt('page.offline', { seconds: RETRY_SECONDS })}</h1>
        </Match>
        <Match when={true}>
          <p class="pj-message pj-center">{pt('page.loading')}</p>
        </Match>
      </Switch>
    </section>
  );
}

export default ProjectorPage;
