/**
 * Objections during the publicity period (公示, DOMAIN §4): anyone may object to a published
 * result, anonymously or with a name, while the period runs. The unit's organizers and the admin
 * read them and record an outcome (proceed / defer / reject, with a note); the public sees, once
 * the period has ended, how many were received and their outcomes, never their text.
 *
 * Abuse is bounded twice: a rate limit per client address held in memory only (never stored,
 * so an anonymous objector stays anonymous), and a cap per poll and day in the database.
 */
import { randomUUID } from 'node:crypto';
import { fail } from '../../shared/errors.ts';
import { localDate, publicityPeriod, publicityStatus, type PublicityPeriod } from '../../shared/publicity.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from './audit.ts';

export const OBJECTIONS_PER_ADDRESS = { count: 5, windowMs: 60 * 60 * 1000 };
export const OBJECTIONS_PER_POLL_AND_DAY = 200;

export function periodOf(poll: q.PollRow): PublicityPeriod {
  return publicityPeriod(new Date(poll.publishedAt ?? poll.closedAt ?? poll.createdAt), poll.publicityWorkingDays);
}

function publishedPoll(deps: AppDeps, pollId: string): q.PollRow {
  const poll = q.getPoll(deps.db, pollId);
  if (!poll || poll.phase !== 'published') fail('not_found', 'no published result with this id');
  return poll;
}

const TOO_MANY = 'too many objections have been sent; try again later, or contact the unit in person';

/**
 * A sliding count of recent objections per address, in memory. Every call first forgets every
 * time older than the window (and addresses left with none), so an objector's address is held
 * for an hour at most: nothing could later match it to the order of stored objections.
 */
export function createObjectionLimiter(limit = OBJECTIONS_PER_ADDRESS) {
  const recent = new Map<string, number[]>();
  const limiter = (address: string, nowMs: number) => {
    for (const [key, times] of recent) {
      const kept = times.filter((at) => nowMs - at < limit.windowMs);
      if (kept.length) recent.set(key, kept);
      else recent.delete(key);
    }
    const kept = recent.get(address) ?? [];
    if (kept.length >= limit.count) fail('rate_limited', TOO_MANY);
    kept.push(nowMs);
    recent.set(address, kept);
  };
  /** How many addresses are remembered now (for tests). */
  limiter.size = () => recent.size;
  return limiter;
}

/** `admit`: the rate limit, asked only once the objection is otherwise acceptable (a refused one costs nothing). */
export function fileObjection(
  deps: AppDeps,
  pollId: string,
  input: { text: string; name?: string | undefined; contact?: string | undefined },
  admit: () => void = () => {},
) {
  const poll = publishedPoll(deps, pollId);
  const now = deps.now();
  // From publication (a result published at a weekend is open to objections at once) to the
  // end of the period's last working day.
  if (publicityStatus(periodOf(poll), now) === 'ended') fail('wrong_phase', 'the publicity period has ended');
  admit();
  const receivedOn = localDate(now);
  return q.runInTransaction(deps.db, () => {
    if (q.countObjectionsOn(deps.db, poll.id, receivedOn) >= OBJECTIONS_PER_POLL_AND_DAY)
      fail('rate_limited', TOO_MANY); // the same words as the per-address limit: no count leaks before the period ends
    const id = randomUUID();
    q.insertObjection(deps.db, { id, pollId: poll.id, receivedOn, text: input.text, name: input.name ?? null, contact: input.contact ?? null });
    return { id, receivedOn };
  });
}

export function recordObjectionOutcome(
  deps: AppDeps,
  poll: q.PollRow,
  objectionId: string,
  input: { outcome: 'proceed' | 'defer' | 'reject'; note: string },
  actor: string,
) {
  const objection = q.getObjection(deps.db, objectionId);
  if (!objection || objection.pollId !== poll.id) fail('not_found', 'no such objection on this poll');
  q.runInTransaction(deps.db, () => {
    q.setObjectionOutcome(deps.db, objection.id, input.outcome, input.note, actor);
    appendAudit(deps.db, { actor, action: 'objection_outcome', subject: poll.id, details: { objectionId: objection.id, outcome: input.outcome } }, deps.now().toISOString());
  });
}

/** What the board shows: the period, and once it has ended, the counts of objections and outcomes. */
export function publicObjectionSummary(deps: AppDeps, pollId: string) {
  const poll = publishedPoll(deps, pollId);
  const period = periodOf(poll);
  const status = publicityStatus(period, deps.now());
  if (status !== 'ended') return { period, status, received: null, outcomes: null };
  const objections = q.listObjections(deps.db, poll.id);
  const count = (outcome: string | null) => objections.filter((o) => o.outcome === outcome).length;
  return {
    period,
    status,
    received: objections.length,
    outcomes: { proceed: count('proceed'), defer: count('defer'), reject: count('reject'), pending: count(null) },
  };
}
