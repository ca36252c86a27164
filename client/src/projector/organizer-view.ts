/**
 * What the projector shows only when the organizer (or a scrutineer of the unit) is signed in in
 * this browser: the room code and, per poll taking check-ins, the names not yet checked in (the
 * 未签到名单 the chair reads aloud before the head count). Both come from the organizer routes
 * with the session cookie (GET /api/meetings/:id/room-code, GET /api/polls/:id/checkins); the
 * public live stream never carries either. Nobody signed in: the routes answer 401 and the page
 * shows counts only.
 *
 * Once voting opened, the room code still matters if the meeting allows late check-in (each
 * approved by a scrutineer): the meeting's setting is read from GET /api/meetings/:id.
 *
 * Read while check-in or voting is open: again whenever the live state changes (a check-in
 * arrived) and every REFRESH_SECONDS, so a newly drawn room code, or a sign-in in another tab,
 * shows without a reload. Nothing is read once every poll is closed.
 */
import { createEffect, createSignal, on, onCleanup } from 'solid-js';
import { ApiError, requestJson } from '../../../shared/protocol/api-client.ts';
import type { LiveMeetingState } from '../../../shared/protocol/live.ts';

export const REFRESH_SECONDS = 10;

export type OrganizerAccess = 'unknown' | 'signed_out' | 'forbidden' | 'signed_in';

export interface NotCheckedIn {
  pollId: string;
  names: { name: string; number: string }[];
}

export interface OrganizerView {
  access: OrganizerAccess;
  roomCode?: string;
  notCheckedIn: NotCheckedIn[];
  /** The meeting takes check-ins after voting opened (read only while a poll is voting). */
  lateCheckIn: boolean;
}

interface SignInSheet {
  pollId: string;
  voters: { name: string; number: string; state: string }[];
}

/** Organizer reads go with the session cookie (same origin); a GET needs no CSRF header. */
const organizerGet = <T>(path: string) => requestJson<T>(path, { credentials: 'same-origin', cache: 'no-store', referrerPolicy: 'no-referrer' });

/** Polls whose check-in is open: their room code and sign-in sheets matter now. */
export const checkinPolls = (state: LiveMeetingState | undefined) => (state?.polls ?? []).filter((p) => p.phase === 'checkin');
/** Polls taking ballots: the room code matters for late check-ins, if the meeting allows them. */
export const votingPolls = (state: LiveMeetingState | undefined) => (state?.polls ?? []).filter((p) => p.phase === 'voting');

async function readOrganizerView(meetingId: string, checkinPollIds: string[], voting: boolean): Promise<OrganizerView> {
  const meeting = encodeURIComponent(meetingId);
  try {
    const { roomCode } = await organizerGet<{ roomCode: string | null }>(`/api/meetings/${meeting}/room-code`);
    const [sheets, detail] = await Promise.all([
      Promise.all(checkinPollIds.map((id) => organizerGet<SignInSheet>(`/api/polls/${encodeURIComponent(id)}/checkins`))),
      voting ? organizerGet<{ lateCheckIn?: boolean }>(`/api/meetings/${meeting}`) : Promise.resolve({ lateCheckIn: false }),
    ]);
    return {
      access: 'signed_in',
      ...(roomCode ? { roomCode } : {}),
      lateCheckIn: detail.lateCheckIn === true,
      notCheckedIn: sheets.map((sheet) => ({
        pollId: sheet.pollId,
        names: sheet.voters.filter((v) => v.state === 'none').map((v) => ({ name: v.name, number: v.number })),
      })),
    };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { access: 'signed_out', notCheckedIn: [], lateCheckIn: false };
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) return { access: 'forbidden', notCheckedIn: [], lateCheckIn: false };
    throw error;
  }
}

export function createOrganizerView(meetingId: string, state: () => LiveMeetingState | undefined) {
  const [view, setView] = createSignal<OrganizerView>({ access: 'unknown', notCheckedIn: [], lateCheckIn: false });
  let timer: ReturnType<typeof setInterval> | undefined;
  let reading = 0;

  async function refresh() {
    const pollIds = checkinPolls(state()).map((p) => p.id);
    const voting = votingPolls(state()).length > 0;
    if (pollIds.length === 0 && !voting) return;
    const mine = ++reading;
    try {
      const next = await readOrganizerView(meetingId, pollIds, voting);
      if (mine === reading) setView(next);
    } catch {
      // The server is unreachable or answered oddly: keep what is shown; the next read may work.
    }
  }

  // Each change of the live state (a check-in, a phase) is a reason to read again.
  createEffect(
    on(state, (current) => {
      const open = checkinPolls(current).length > 0 || votingPolls(current).length > 0;
      if (open) {
        void refresh();
        timer ??= setInterval(() => void refresh(), REFRESH_SECONDS * 1000);
      } else if (timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    }),
  );
  onCleanup(() => clearInterval(timer));
  return view;
}
