/**
 * What the projector shows only when the organizer (or a scrutineer of the unit) is signed in in
 * this browser: the room code and, per poll taking check-ins, the names not yet checked in (the
 * 未签到名单 the chair reads aloud before the head count). Both come from the organizer routes
 * with the session cookie (GET /api/meetings/:id/room-code, GET /api/polls/:id/checkins); the
 * public live stream never carries either. Nobody signed in: the routes answer 401 and the page
 * shows counts only.
 *
 * Read while check-in is open: again whenever the live state changes (a check-in arrived) and
 * every REFRESH_SECONDS, so a newly drawn room code, or a sign-in in another tab, shows without
 * a reload. Nothing is read once no poll takes check-ins.
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
}

interface SignInSheet {
  pollId: string;
  voters: { name: string; number: string; state: string }[];
}

/** Organizer reads go with the session cookie (same origin); a GET needs no CSRF header. */
const organizerGet = <T>(path: string) => requestJson<T>(path, { credentials: 'same-origin', cache: 'no-store', referrerPolicy: 'no-referrer' });

/** Polls whose check-in is open: their room code and sign-in sheets matter now. */
export const checkinPolls = (state: LiveMeetingState | undefined) => (state?.polls ?? []).filter((p) => p.phase === 'checkin');

async function readOrganizerView(meetingId: string, pollIds: string[]): Promise<OrganizerView> {
  try {
    const { roomCode } = await organizerGet<{ roomCode: string | null }>(`/api/meetings/${encodeURIComponent(meetingId)}/room-code`);
    const sheets = await Promise.all(pollIds.map((id) => organizerGet<SignInSheet>(`/api/polls/${encodeURIComponent(id)}/checkins`)));
    return {
      access: 'signed_in',
      ...(roomCode ? { roomCode } : {}),
      notCheckedIn: sheets.map((sheet) => ({
        pollId: sheet.pollId,
        names: sheet.voters.filter((v) => v.state === 'none').map((v) => ({ name: v.name, number: v.number })),
      })),
    };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { access: 'signed_out', notCheckedIn: [] };
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) return { access: 'forbidden', notCheckedIn: [] };
    throw error;
  }
}

export function createOrganizerView(meetingId: string, state: () => LiveMeetingState | undefined) {
  const [view, setView] = createSignal<OrganizerView>({ access: 'unknown', notCheckedIn: [] });
  let timer: ReturnType<typeof setInterval> | undefined;
  let reading = 0;

  async function refresh() {
    const pollIds = checkinPolls(state()).map((p) => p.id);
    if (pollIds.length === 0) return;
    const mine = ++reading;
    try {
      const next = await readOrganizerView(meetingId, pollIds);
      if (mine === reading) setView(next);
    } catch {
      // The server is unreachable or answered oddly: keep what is shown; the next read may work.
    }
  }

  // Each change of the live state (a check-in, a phase) is a reason to read again.
  createEffect(
    on(state, (current) => {
      const open = checkinPolls(current).length > 0;
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
