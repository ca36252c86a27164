/**
 * The sign-in sheet and the facts around it that the organizer and the scrutineers keep during
 * a meeting: who has checked in and who has not (the chair reads the 未签到名单 aloud before the
 * head count), the room code, whether late check-in is allowed, and how many in the room said
 * they did not vote. Who attended is not secret (实到名单 is part of the minutes); how anyone
 * voted never appears here.
 */
import { fail } from '../../shared/errors.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from './audit.ts';
import { drawRoomCode } from './checkin.ts';
import { eligibleVoters } from './polls.ts';

export type SheetState = q.CheckinRow['state'] | 'none' | 'written_opinion';

export interface SignInSheet {
  pollId: string;
  phase: q.PollRow['phase'];
  /** Every expected voter of the poll, in roster order, with where their check-in stands. */
  voters: { voterId: string; name: string; number: string; state: SheetState; late: boolean }[];
}

export function signInSheet(deps: AppDeps, poll: q.PollRow): SignInSheet {
  const checkins = new Map(q.listCheckins(deps.db, poll.id).map((c) => [c.voterId, c]));
  const wrote = new Set(q.listWrittenOpinions(deps.db, poll.id).map((w) => w.voterId));
  return {
    pollId: poll.id,
    phase: poll.phase,
    voters: eligibleVoters(deps, poll).map((v) => {
      const checkin = checkins.get(v.id);
      const state: SheetState = checkin ? checkin.state : wrote.has(v.id) ? 'written_opinion' : 'none';
      return { voterId: v.id, name: v.name, number: v.number, state, late: checkin?.late ?? false };
    }),
  };
}

export function recordDeclaredNotVoted(deps: AppDeps, poll: q.PollRow, count: number | null, actor: string) {
  if (poll.phase !== 'voting') fail('wrong_phase', 'this is recorded while voting is open, before close');
  q.runInTransaction(deps.db, () => {
    q.setDeclaredNotVoted(deps.db, poll.id, count);
    appendAudit(deps.db, { actor, action: 'record_declared_not_voted', subject: poll.id, details: { count } }, deps.now().toISOString());
  });
}

/** A new room code: the old one stops working (say, once it was seen outside the room). */
export function drawNewRoomCode(deps: AppDeps, meeting: q.MeetingRow, actor: string): string {
  const polls = q.listPollsOfMeeting(deps.db, meeting.id);
  const open = polls.some((p) => (p.phase === 'checkin' && p.opening === null) || (p.phase === 'voting' && meeting.lateCheckIn));
  if (!open) fail('wrong_phase', 'check-in is not open in this meeting');
  const roomCode = drawRoomCode(deps);
  q.runInTransaction(deps.db, () => {
    q.setRoomCode(deps.db, meeting.id, roomCode);
    // The code itself is not recorded: it only matters while the room can see it.
    appendAudit(deps.db, { actor, action: 'new_room_code', subject: meeting.id }, deps.now().toISOString());
  });
  return roomCode;
}

/**
 * Allows (or stops allowing) check-in after voting opens. Only before any poll of the meeting
 * opens voting, since opening destroys the issuing keys unless late check-in is allowed. The
 * organizer must accept the exposure: a late voter who votes at once is seen to vote right
 * after checking in, so anyone watching both can tell which ballots are theirs.
 */
export function setLateCheckIn(deps: AppDeps, meeting: q.MeetingRow, setting: { allowed: boolean; exposureAccepted?: boolean | undefined }, actor: string) {
  const opened = q.listPollsOfMeeting(deps.db, meeting.id).find((p) => p.phase !== 'draft' && p.phase !== 'checkin');
  if (opened) fail('wrong_phase', `poll "${opened.title}" has already opened voting: late check-in is decided before`);
  if (setting.allowed && setting.exposureAccepted !== true)
    fail('invalid_body', 'allowing late check-in exposes each late voter who votes at once to timing: confirm with exposureAccepted');
  q.runInTransaction(deps.db, () => {
    q.setLateCheckIn(deps.db, meeting.id, setting.allowed);
    appendAudit(deps.db, { actor, action: setting.allowed ? 'allow_late_checkin' : 'forbid_late_checkin', subject: meeting.id }, deps.now().toISOString());
  });
}
