/**
 * Reads for the meeting room's live view (server/routes/live.ts). Kept apart from queries.ts so
 * that the projector's once-a-second reads stay small: the polls of a meeting without their
 * bundle column, which after close holds every ballot of the poll.
 */
import { asc, eq, getTableColumns } from 'drizzle-orm';
import type { Db } from './open.ts';
import type { PollRow } from './queries.ts';
import { polls } from './schema.ts';

const { bundle: _bundle, ...withoutBundle } = getTableColumns(polls);

/** The meeting's polls in its order, each row as stored but with `bundle: null`. */
export function listPollsOfMeetingWithoutBundle(db: Db, meetingId: string): PollRow[] {
  return db
    .select(withoutBundle)
    .from(polls)
    .where(eq(polls.meetingId, meetingId))
    .orderBy(asc(polls.createdAt), asc(polls.id))
    .all()
    .map((row) => ({ ...row, bundle: null }));
}
