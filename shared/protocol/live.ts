/**
 * What the projector's live stream sends (server/routes/live.ts → client/src/projector): before
 * close, turnout and public descriptions only; a closed poll's result from its signed bundle.
 */
import type { Phase, Question } from './poll.ts';
import type { PollResult } from '../tally/result.ts';

/** What a closed poll shows: frozen at close, from its signed bundle. */
export interface LiveResult {
  closedAt: string;
  expected: number;
  checkedIn: number;
  result: PollResult;
}

export interface LivePoll {
  id: string;
  title: string;
  kind: string;
  phase: Phase;
  questions: Question[];
  /** One per issuing key (one per voter group), as the voter's page shows them. */
  keys: { group: string; fingerprint: string }[];
  expected: number;
  checkedIn: number;
  ballotsCast: number;
  /** Only once the poll is closed. */
  closed?: LiveResult;
}

export interface LiveMeetingState {
  meetingId: string;
  title: string;
  /** The voter page where codes are typed; never a voter's personal link. */
  checkinUrl: string;
  polls: LivePoll[];
  /** Every poll is closed: nothing will change any more, the stream ends after this state. */
  final: boolean;
}
