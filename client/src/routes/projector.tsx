/**
 * /projector?meeting=ID: the meeting room's screen, full width and readable from the back.
 *
 *  - check-in: the room code very large (when the organizer is signed in in this browser, with
 *    the names not yet checked in), each poll's checked in of expected, and beside them the QR
 *    code and address of the voter page with the meeting's one key set fingerprint;
 *  - voting: the opening statement (head count, checked in, struck, tokens issued, the audit
 *    log's head), then checked in, submitted, not yet submitted; the room code for late
 *    check-ins if the meeting allows them (and the organizer is signed in here);
 *  - the three evaluations, during check-in and voting: each candidate's name and the fingerprint
 *    of the key they registered (未登记 until then), for them to compare with their phone;
 *  - closed: each candidate's bars, threshold and verdict.
 *
 * It updates itself from the server's public event stream (projector/live-store.ts), never by
 * reloading; when the server refuses the stream (a limit, with its reason) or ends it (nothing
 * open), the corner says so and that the page reads the state every 15 s. The room code and the
 * names come from the organizer's own routes (projector/organizer-view.ts), never from the
 * stream. Loaded lazily: a voter's phone never downloads it.
 */
import { For, Match, Show, Switch } from 'solid-js';
import { CheckinPanel } from '../projector/checkin-panel.tsx';
import { locale } from '../i18n/index.ts';
import { createLiveMeetingStore, RETRY_SECONDS, type LiveMeetingState, type LiveStatus } from '../projector/live-store.ts';
import { pt } from '../projector/messages.ts';
import { checkinPolls, createOrganizerView, votingPolls, type OrganizerView } from '../projector/organizer-view.ts';
import { ResultPanel } from '../projector/result-panel.tsx';
import { RoomCodePanel } from '../projector/room-code-panel.tsx';
import { TurnoutPanel } from '../projector/turnout-panel.tsx';
import '../projector/projector.css';

/** Names of the 未签到名单 that fit beside the figures, by the number of polls on the screen. */
const MAX_NAMES = [0, 24, 10, 4] as const;

/**
 * How the screen follows the meeting, in its top corner: green while the stream delivers, red
 * while it reconnects, and a calm grey line while the page reads the state every RETRY_SECONDS
 * (the server refused the stream, saying why, or ended it because nothing was open).
 */
function LiveIndicator(props: { status: LiveStatus; final: boolean }) {
  const text = () => {
    if (props.final) return pt('live.final');
    const status = props.status;
    switch (status.kind) {
      case 'reconnecting':
      case 'offline':
        return pt('live.reconnecting');
      case 'refused':
        return pt('live.refused', { reason: status.refusal[locale()] ?? pt('live.refusedReason'), seconds: RETRY_SECONDS });
      case 'idle':
        return pt('live.idle', { seconds: RETRY_SECONDS });
      default:
        return pt('live.on');
    }
  };
  const kind = () => (props.final ? 'final' : props.status.kind);
  return (
    <p
      class="pj-live"
      classList={{ 'pj-live-lost': kind() === 'reconnecting' || kind() === 'offline', 'pj-live-polling': kind() === 'refused' || kind() === 'idle' }}
      data-live={kind()}
      role="status"
    >
      {text()}
    </p>
  );
}

function MeetingScreen(props: { state: LiveMeetingState; organizer: OrganizerView; status: LiveStatus }) {
  const open = () => props.state.polls.filter((p) => !p.closed);
  const checkingIn = () => checkinPolls(props.state).length > 0;
  // After the opening the code serves late check-ins, where the meeting allows them.
  const lateCheckingIn = () => !checkingIn() && props.organizer.lateCheckIn && votingPolls(props.state).length > 0;
  const shownPolls = () => Math.min(props.state.polls.length, 3) as 1 | 2 | 3;
  const namesOf = (pollId: string) =>
    props.organizer.access === 'signed_in' ? props.organizer.notCheckedIn.find((list) => list.pollId === pollId) : undefined;
  return (
    <div class="pj-screen" classList={{ 'pj-with-checkin': open().length > 0 }} data-polls={shownPolls()}>
      <header class="pj-head">
        <h1>{props.state.title}</h1>
        <LiveIndicator status={props.status} final={props.state.final} />
      </header>
      <Show when={props.state.polls.length > 0} fallback={<p class="pj-message">{pt('page.noPolls')}</p>}>
        <div class="pj-polls">
          <Show when={checkingIn() || lateCheckingIn()}>
            <RoomCodePanel view={props.organizer} late={lateCheckingIn()} />
          </Show>
          <For each={props.state.polls}>
            {(poll) =>
              poll.closed ? (
                <ResultPanel poll={poll} />
              ) : (
                <TurnoutPanel poll={poll} notCheckedIn={poll.phase === 'checkin' ? namesOf(poll.id) : undefined} maxNames={MAX_NAMES[shownPolls()]} />
              )
            }
          </For>
        </div>
        <Show when={open().length > 0}>
          <CheckinPanel url={props.state.checkinUrl} keySetFingerprint={props.state.keySetFingerprint} checkingIn={checkingIn() || lateCheckingIn()} />
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
  const organizer = createOrganizerView(meetingId, live.state);
  return (
    <section class="projector" aria-busy={!live.state() && live.status().kind === 'loading'}>
      <Switch>
        <Match when={live.status().kind === 'not_found'}>
          <h1 class="pj-message pj-center">{pt('page.notFound')}</h1>
        </Match>
        <Match when={live.state()}>
          {(state) => (
            <MeetingScreen state={state()} organizer={organizer()} status={live.status()} />
          )}
        </Match>
        <Match when={live.status().kind === 'offline'}>
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
