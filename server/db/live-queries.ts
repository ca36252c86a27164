/**
 * Reads for the meeting room's live view (server/routes/live.ts). Kept apart from queries.ts so
 * that the projector's once-a-second reads stay small: the polls of a meeting without their
 * bundle column, which after close holds every ballot of the poll.
 */
import { asc, eq } from 'drizzle-orm';
import type { Db } from './open.ts';
import type { PollRow } from './queries.ts';
import { polls } from './schema.ts';

/** A poll row without its bundle (`bundle: null`), in the meeting's order. */
export function listPollsOfMeetingWithoutBundle(db: Db, meetingId: string): PollRow[] {
  return db
    .select({
      id: polls.id,
      meetingId: polls.meetingId,
      title: polls.title,
      kind: polls.kind,
      phase: polls.phase,
      questions: polls.questions,
      rule: polls.rule,
      groups: polls.groups,
      scrutineers: polls.scrutineers,
      candidateNumbers: polls.candidateNumbers,
      closedAt: polls.closedAt,
      createdAt: polls.createdAt,
    })
    .from(polls)
    .where(eq(polls.meetingId, meetingId))
    .orderBy(asc(polls.createdAt), asc(polls.id))
    .all()
    .map((row) => ({ ...row, bundle: null }));
}
