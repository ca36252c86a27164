/**
 * What the projector's live stream sends (server/routes/live.ts → client/src/projector): before
 * close, turnout and public descriptions only; once voting opened, the opening statement; a
 * closed poll's result from its signed bundle. Never a name (beyond the candidates the questions
 * name), a room code, a choice or a count of choices before close.
 */
import type { Phase, Question } from './poll.ts';
import type { PollResult } from '../tally/result.ts';

/** What a closed poll shows: frozen at close, from its signed bundle. */
export interface LiveResult {
  closedAt: string;
  expected: number;
  checkedIn: number;
  /** The quorum's base: the head count (and approved late check-ins); v1 bundles: checked in. */
  present: number;
  result: PollResult;
}

/** The opening statement, as the room reads it when voting opens (services/opening.ts). */
export interface LiveOpening {
  headCount: number;
  headCountNote: string;
  checkedIn: number;
  struck: number;
  /** Tokens issued, over every key of the poll. */
  issued: number;
  /** The meeting's record at the opening (its audit entries): the last entry and the first 16 hex digits of the digest. */
  recordSeq: number;
  recordDigest: string;
  /** The first 16 hex digits of the opening statement's digest: what each scrutineer's page shows before they co-sign it. */
  statementDigest: string;
  /** Scrutineers who have co-signed the statement, of those named with an account (who can sign on their phones). */
  cosigned: number;
  cosigners: number;
}

export interface LivePoll {
  id: string;
  title: string;
  kind: string;
  phase: Phase;
  questions: Question[];
  expected: number;
  /** Check-ins pending (before voting opens) or signed. */
  checkedIn: number;
  /** Voters whose ballots the ballot box took. */
  submitted: number;
  /** Submissions refused because a key had no token left. */
  refusedOverIssued: number;
  /** How many in the room said they did not vote (scrutineers' record), or null. */
  declaredNotVoted: number | null;
  /**
   * Three evaluations, while open: the fingerprint of each candidate's registered key by
   * question id, null until registered (protocol §5a), as GET /api/public/meetings/:id shows it.
   */
  candidateKeyFingerprints?: Record<string, string | null>;
  /** Once voting has opened. */
  opening?: LiveOpening;
  /** Only once the poll is closed. */
  closed?: LiveResult;
}

export interface LiveMeetingState {
  meetingId: string;
  title: string;
  /** The voter page where codes are typed; never a voter's personal link. */
  checkinUrl: string;
  /** The meeting's key set fingerprint, as printed on every slip (null before any key exists). */
  keySetFingerprint: string | null;
  polls: LivePoll[];
  /** Every poll is closed: nothing will change any more, the stream ends after this state. */
  final: boolean;
}
