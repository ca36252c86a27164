/**
 * Check-in, meeting-wide: the room code (会场码) shown large while anyone can check in, with a
 * way to draw a new one (the old one stops working: photographed and sent outside, or a voter
 * locked out after wrong tries); and whether late check-in is allowed, decided before any poll
 * opens voting, after a confirmation that names what it exposes: a late voter who votes at once
 * can be told apart by timing.
 */
import { createSignal, createUniqueId, Show } from 'solid-js';
import { createAction } from './action.ts';
import type { ConsoleApi, MeetingDetail } from './api.ts';
import type { ConfirmRequest } from './confirm-dialog.tsx';
import { ct } from './i18n.ts';
import { createLoad } from './load.ts';
import { ErrorLine } from './error-line.tsx';

/** Anyone can still check in: check-in is open in some poll, or voting is and late check-in is allowed. */
export const checkInOpen = (meeting: MeetingDetail) =>
  meeting.polls.some((p) => p.phase === 'checkin' || (p.phase === 'voting' && meeting.lateCheckIn));

/** "123456" → "123 456": easier to read aloud and to type from the back of the room. */
const spaced = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;

export function CheckInPanel(props: { api: ConsoleApi; meeting: MeetingDetail; canChange: boolean; ask: (request: ConfirmRequest) => void; onChanged: () => void }) {
  const titleId = createUniqueId();
  const open = () => checkInOpen(props.meeting);
  const roomCode = createLoad(
    () => (open() ? props.meeting.id : undefined),
    (id) => props.api.roomCode(id),
  );
  const beforeVoting = () => props.meeting.polls.every((p) => p.phase === 'draft' || p.phase === 'checkin');
  const late = createAction();
  const [drawn, setDrawn] = createSignal(false);
  const drawNew = () =>
    props.ask({
      title: ct('room.confirm.title'),
      lines: [ct('room.confirm.1'), ct('room.confirm.2')],
      confirmLabel: ct('room.new'),
      run: async () => {
        await props.api.drawRoomCode(props.meeting.id);
        await roomCode.reload();
        setDrawn(true);
      },
    });
  const allowLate = () =>
    props.ask({
      title: ct('late.confirm.title'),
      lines: [ct('late.confirm.1'), ct('late.confirm.2'), ct('late.confirm.3')],
      confirmLabel: ct('late.confirm.button'),
      danger: true,
      run: async () => {
        await props.api.setLateCheckIn(props.meeting.id, { allowed: true, exposureAccepted: true });
        props.onChanged();
      },
    });
  return (
    <Show when={open() || (beforeVoting() && props.meeting.polls.length > 0) || props.meeting.lateCheckIn}>
      <section class="panel checkin-panel" aria-labelledby={titleId}>
        <h2 id={titleId}>{ct('checkin.title')}</h2>
        <Show when={open()}>
          <h3>{ct('room.title')}</h3>
          <p class="hint">{ct('room.help')}</p>
          <Show when={roomCode.value()}>
            {(code) => (
              <p class="room-code" data-room-code={code()}>
                <span class="visually-hidden">{ct('room.label')}</span>
                <span class="room-code-digits mono">{spaced(code())}</span>
              </p>
            )}
          </Show>
          <ErrorLine text={roomCode.error()} />
          <Show when={drawn()}>
            <p class="success" role="status">
              {ct('room.drawn')}
            </p>
          </Show>
          <Show when={props.canChange}>
            <button type="button" class="button button-secondary button-inline" onClick={drawNew}>
              {ct('room.new')}
            </button>
          </Show>
        </Show>
        <div class="stack-tight late-setting">
          <h3>{ct('late.title')}</h3>
          <p data-late={props.meeting.lateCheckIn ? 'allowed' : 'not-allowed'}>{ct(props.meeting.lateCheckIn ? 'late.on' : 'late.off')}</p>
          <Show when={props.canChange && beforeVoting()} fallback={<Show when={!beforeVoting()}><p class="hint">{ct('late.fixed')}</p></Show>}>
            <Show
              when={props.meeting.lateCheckIn}
              fallback={
                <button type="button" class="button button-secondary button-inline" onClick={allowLate}>
                  {ct('late.allow')}
                </button>
              }
            >
              <button
                type="button"
                class="button button-secondary button-inline"
                disabled={late.busy()}
                onClick={() =>
                  void late.run(async () => {
                    await props.api.setLateCheckIn(props.meeting.id, { allowed: false });
                    props.onChanged();
                  })
                }
              >
                {ct('late.forbid')}
              </button>
            </Show>
          </Show>
          <ErrorLine text={late.error()} />
        </div>
      </section>
    </Show>
  );
}
