/**
 * Objections during the publicity period (公示, DOMAIN §4): anyone may object to a published
 * result, anonymously or with a name, while the period runs. The unit's organizers and the admin
 * read them and record an outcome (proceed / defer / reject, with a note); the public sees, once
 * the period has ended, how many were received and their outcomes, never their text.
 *
 * Abuse is bounded so that junk cannot crowd out a genuine objection (server/limits.ts):
 *  - anyone: per address and per network (IPv4 /24, IPv6 /56), in memory only, and a public
 *    share per poll and day in the database;
 *  - a member of the meeting's roster may send their voting code with the objection: it is
 *    counted per code (in memory only) and not against the public share, so a flood from
 *    outside never silences the members. The code proves membership and is forgotten: the
 *    objection stores only that it came from a member (`channel`), never the code or its hash.
 */
import { randomUUID } from 'node:crypto';
import { fail } from '../../shared/errors.ts';
import { localDate, publicityStatus, type PublicityPeriod } from '../../shared/publicity.ts';
import { publicityOf } from './calendar.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from './audit.ts';
import { hashVotingCode } from './checkin.ts';
import { normalizeVotingCode } from '../../shared/protocol/voting-code.ts';
import { limitsOf, privateKey, RateLimited } from '../limits.ts';
import { countFailedCode } from '../code-failures.ts';

/** The poll's publicity period on today's work calendar (services/calendar.ts). */
export const periodOf = (deps: AppDeps, poll: q.PollRow): PublicityPeriod => publicityOf(deps, poll);

function publishedPoll(deps: AppDeps, pollId: string): q.PollRow {
  const poll = q.getPoll(deps.db, pollId);
  if (!poll || poll.phase !== 'published') fail('not_found', 'no published result with this id');
  return poll;
}

const TOO_MANY_FROM_ADDRESS = { en: 'too many objections have been sent from this address', zh: '从这个网络地址发送的异议太多' };
const TOO_MANY_FROM_NETWORK = { en: 'too many objections have been sent from this network', zh: '从这个网段发送的异议太多' };
const PUBLIC_SHARE_FULL = { en: "today's share of objections without a voting code is used up for this result (members of the meeting may still object with their voting code, or contact the unit in person)", zh: '今天不带投票码的异议名额已用完（会议名单上的成员仍可凭投票码提出异议，也可以当面向单位反映）' };
const MEMBER_SHARE_FULL = { en: 'this voting code has sent as many objections to this result as a day allows', zh: '这个投票码今天对这项结果提出的异议已达上限' };

/** Milliseconds from `now` until the school's calendar day changes (the daily shares start again). */
function untilNextLocalDay(now: Date): number {
  const today = localDate(now);
  const HOUR = 3_600_000;
  let hours = 1;
  while (hours < 25 && localDate(new Date(now.getTime() + hours * HOUR)) === today) hours++;
  let ms = (hours - 1) * HOUR;
  while (ms < hours * HOUR && localDate(new Date(now.getTime() + ms)) === today) ms += 60_000;
  return ms;
}

/**
 * Files an objection. `client` is the sender's address keys (server/limits.ts), used by the
 * limits and never stored. With `code`, the objection is a member's: the code must be on the
 * roster of the meeting that voted.
 */
export function fileObjection(
  deps: AppDeps,
  pollId: string,
  input: { text: string; name?: string | undefined; contact?: string | undefined; code?: string | undefined },
  client: { address: string; network: string },
) {
  const poll = publishedPoll(deps, pollId);
  const now = deps.now();
  const nowMs = now.getTime();
  // From publication (a result published at a weekend is open to objections at once) to the
  // end of the period's last working day.
  if (publicityStatus(periodOf(deps, poll), now) === 'ended') fail('wrong_phase', 'the publicity period has ended');
  const limits = limitsOf(deps);
  const receivedOn = localDate(now);
  const row = { pollId: poll.id, receivedOn, text: input.text, name: input.name ?? null, contact: input.contact ?? null };
  const admitFromAddress = () => {
    const fromAddress = limits.objectionsPerAddress.wait(client.address, nowMs);
    if (fromAddress > 0) throw new RateLimited(fromAddress, TOO_MANY_FROM_ADDRESS);
    const fromNetwork = limits.objectionsPerNetwork.wait(client.network, nowMs);
    if (fromNetwork > 0) throw new RateLimited(fromNetwork, TOO_MANY_FROM_NETWORK);
    limits.objectionsPerAddress.add(client.address, nowMs);
    limits.objectionsPerNetwork.add(client.network, nowMs);
  };
  if (input.code !== undefined) {
    const normalized = normalizeVotingCode(input.code);
    const voter = q.findVoterByCodeHash(deps.db, hashVotingCode(normalized));
    if (!voter || voter.meetingId !== poll.meetingId) {
      // A code that proves nothing counts as a failed code of the sender (as on the voter's
      // routes), not as one of their objections: a student who mistypes keeps their share.
      countFailedCode(deps, client, nowMs);
      fail('not_eligible', 'this voting code is not on the roster of the meeting that took this vote: check it, or leave it out and object as anyone may');
    }
    // Keyed by an HMAC under the process's own secret, never the hash the roster keeps (server/limits.ts).
    const memberKey = privateKey('objection', poll.id, receivedOn, normalized);
    if (limits.memberObjections.wait(memberKey, nowMs) > 0) throw new RateLimited(untilNextLocalDay(now), MEMBER_SHARE_FULL);
    limits.memberObjections.add(memberKey, nowMs);
    const id = randomUUID();
    q.insertObjection(deps.db, { id, ...row, channel: 'member' });
    return { id, receivedOn };
  }
  admitFromAddress();
  return q.runInTransaction(deps.db, () => {
    // The same words whatever the count: no count leaks before the period ends.
    if (q.countPublicObjectionsOn(deps.db, poll.id, receivedOn) >= limits.settings.publicObjectionsPerDay)
      throw new RateLimited(untilNextLocalDay(now), PUBLIC_SHARE_FULL);
    const id = randomUUID();
    q.insertObjection(deps.db, { id, ...row, channel: 'public' });
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
  const period = periodOf(deps, poll);
  const status = publicityStatus(period, deps.now());
  // What a member's voting code allows a day, so the board can say the number the server applies.
  const memberObjectionsPerDay = limitsOf(deps).settings.memberObjectionsPerDay;
  if (status !== 'ended') return { period, status, received: null, outcomes: null, memberObjectionsPerDay };
  const objections = q.listObjections(deps.db, poll.id);
  const count = (outcome: string | null) => objections.filter((o) => o.outcome === outcome).length;
  return {
    period,
    status,
    received: objections.length,
    outcomes: { proceed: count('proceed'), defer: count('defer'), reject: count('reject'), pending: count(null) },
    memberObjectionsPerDay,
  };
}
