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

/** A sliding count of recent objections per address, in memory; forgotten after the window. */
export function createObjectionLimiter(limit = OBJECTIONS_PER_ADDRESS) {
  const recent = new Map<string, number[]>();
  return (address: string, nowMs: number) => {
    const kept = (recent.get(address) ?? []).filter((at) => nowMs - at < limit.windowMs);
    if (kept.length >= limit.count) fail('rate_limited', `at most ${limit.count} objections an hour from one connection; try again later`);
    kept.push(nowMs);
    recent.set(address, kept);
    // Keep the map small: drop addresses whose window has passed.
    if (recent.size > 10_000) for (const [key, times] of recent) if (times.every((at) => nowMs - at >= limit.windowMs)) recent.delete(key);
  };
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
  const status = publicityStatus(periodOf(poll), now);
  if (status !== 'running') fail('wrong_phase', status === 'ended' ? 'the publicity period has ended' : 'the publicity period has not started');
  admit();
  const receivedOn = localDate(now);
  return q.runInTransaction(deps.db, () => {
    if (q.countObjectionsOn(deps.db, poll.id, receivedOn) >= OBJECTIONS_PER_POLL_AND_DAY)
      fail('rate_limited', 'this result has received too many objections today; please contact the unit in person');
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
