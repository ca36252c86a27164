/**
 * The room code while check-in is open, very large: a voter can only check in with the six
 * digits the room can see, so a slip taken out of the room is not enough. Shown only when the
 * organizer is signed in in this browser (projector/organizer-view.ts); otherwise a discreet
 * note says where it comes from, and the screen shows counts only. Once voting opened it stays
 * (as the code for late check-ins) only if the meeting allows late check-in.
 */
import { Match, Switch } from 'solid-js';
import type { OrganizerView } from './organizer-view.ts';
import { pt } from './messages.ts';

/** `482917` → `482 917`: two groups of three, read aloud without losing one's place. */
const spaced = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;

/** `late`: voting has opened; the code now serves late check-ins only. */
export function RoomCodePanel(props: { view: OrganizerView; late?: boolean }) {
  return (
    <Switch>
      <Match when={props.view.roomCode}>
        {(code) => (
          <section class="pj-room" aria-labelledby="pj-room-label">
            <h2 id="pj-room-label" class="pj-room-label">
              {pt(props.late ? 'roomCode.labelLate' : 'roomCode.label')}
            </h2>
            <p class="pj-room-code mono" aria-label={code().split('').join(' ')}>
              {spaced(code())}
            </p>
            <p class="pj-room-hint">{pt(props.late ? 'roomCode.hintLate' : 'roomCode.hint')}</p>
          </section>
        )}
      </Match>
      <Match when={props.view.access === 'signed_out'}>
        <p class="pj-room-note">{pt('roomCode.signedOut')}</p>
      </Match>
      <Match when={props.view.access === 'forbidden'}>
        <p class="pj-room-note">{pt('roomCode.forbidden')}</p>
      </Match>
    </Switch>
  );
}
