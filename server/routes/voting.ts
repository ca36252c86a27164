/**
 * The voter's routes. Check-in is identified by the voting code (and the room code) in the body;
 * the device then asks for its blind signatures with the check-in's random id. Casting is
 * anonymous: the handler reads no cookie, no session and no Authorization header, and nothing
 * about the request (time, address, headers) reaches storage or the log.
 */
import { Hono, type Context } from 'hono';
import { fail } from '../../shared/errors.ts';
import { normalizeVotingCode } from '../../shared/protocol/voting-code.ts';
import { clientAddress } from '../client-address.ts';
import * as q from '../db/queries.ts';
import { addressKeys, limitsOf, privateKey, RateLimited } from '../limits.ts';
import { candidateCommentsBody, candidateKeyBody, castBody, checkinBody, checkinStatusBody, lookupBody, selfEvaluationBody } from '../../shared/protocol/api.ts';
import type { AppDeps } from '../context.ts';
import { checkIn, checkinStatus, hashVotingCode, lookupVoter, registerCandidateKey } from '../services/checkin.ts';
import { castBallots, commentsForCandidate, submitSelfEvaluation } from '../services/voting.ts';
import { jsonBody } from '../validate.ts';

const ROSTER_REFRESH_MS = 60_000;

/**
 * The limits of the routes a voting code opens (server/limits.ts): requests are counted per code
 * and network, and codes or check-ins that do not exist per address and per network. Only an
 * unknown code or check-in is ever refused for its sender's failures: a valid code is never
 * refused because others behind the same address mistyped or guessed. The failure limit is never
 * below twice the largest roster on the server, so a whole meeting behind one campus address,
 * each voter mistyping once, is never refused. The ballot route has none of this: it reads
 * nothing about its sender, not even the address.
 */
function voterLimits(deps: AppDeps) {
  const limits = limitsOf(deps);
  let roster = { readAt: -Infinity, largest: 0 };
  const failureAllowance = (nowMs: number) => {
    if (nowMs - roster.readAt >= ROSTER_REFRESH_MS) roster = { readAt: nowMs, largest: q.largestRosterSize(deps.db) };
    return Math.max(limits.settings.voterFailuresPerAddress.count, 2 * roster.largest);
  };
  const sender = (c: Context) => addressKeys(clientAddress(c, limits.settings.trustProxy));
  /** An unknown code or check-in: refused if its sender already failed too often, else counted. */
  const failed = (client: { address: string; network: string }, nowMs: number) => {
    const allowance = failureAllowance(nowMs);
    const wait = Math.max(limits.voterFailuresPerAddress.wait(client.address, nowMs, allowance), limits.voterFailuresPerNetwork.wait(client.network, nowMs, 4 * allowance));
    if (wait > 0) throw new RateLimited(wait, { en: 'too many voting codes that do not exist were sent from this network', zh: '从这个网络输入的无效投票码太多' });
    limits.voterFailuresPerAddress.add(client.address, nowMs);
    limits.voterFailuresPerNetwork.add(client.network, nowMs);
  };
  return {
    /** Runs `work` for a voting code once the limits allow it; `work` gets the sender's network. */
    withCode<T>(c: Context, code: string, work: (network: string) => T): T {
      const nowMs = deps.now().getTime();
      const client = sender(c);
      const normalized = normalizeVotingCode(code);
      if (!q.findVoterByCodeHash(deps.db, hashVotingCode(normalized))) {
        failed(client, nowMs);
        fail('unknown_code', 'this voting code is not valid: check the slip, or ask the organizer for a new one');
      }
      limits.requestsPerCode.take(privateKey('code', normalized, client.network), nowMs, {
        en: 'too many requests with this voting code from this network',
        zh: '从这个网络用这个投票码发出的请求太频繁',
      });
      return work(client.network);
    },
    /** The waiting phone's status read: counted per check-in; an id that names no check-in is a failure of its sender. */
    status(c: Context, checkinId: string) {
      const nowMs = deps.now().getTime();
      const key = privateKey('checkin', checkinId);
      // Only check-ins that exist are ever counted, so only they can be waiting here.
      const wait = limits.statusPerCheckin.wait(key, nowMs);
      if (wait > 0) throw new RateLimited(wait, { en: 'this device asked for its check-in too often', zh: '这台设备查询签到状态太频繁' });
      const answer = checkinStatus(deps, checkinId);
      if (answer.polls.length === 0) failed(sender(c), nowMs);
      else limits.statusPerCheckin.add(key, nowMs);
      return answer;
    },
  };
}

const voterLimitsByDeps = new WeakMap<AppDeps, ReturnType<typeof voterLimits>>();
function voterLimitsOf(deps: AppDeps) {
  let found = voterLimitsByDeps.get(deps);
  if (!found) voterLimitsByDeps.set(deps, (found = voterLimits(deps)));
  return found;
}

export function checkinRoutes(deps: AppDeps) {
  const limited = voterLimitsOf(deps);
  return new Hono()
    .post('/lookup', jsonBody(lookupBody, { summary: 'What a voting code gives a vote in now: polls, keys, check-in state', access: 'voter' }), (c) => {
      const { code } = c.req.valid('json');
      return c.json(limited.withCode(c, code, () => lookupVoter(deps, code)));
    })
    .post('/status', jsonBody(checkinStatusBody, { summary: "A check-in's state per poll, and its blind signatures once voting opened", access: 'voter' }), (c) =>
      c.json(limited.status(c, c.req.valid('json').checkinId)),
    )
    .post('/', jsonBody(checkinBody, { summary: 'Check in with the room code: one blinded request per key, signed when voting opens', access: 'voter' }), (c) => {
      const { code, roomCode, requests } = c.req.valid('json');
      return c.json(
        limited.withCode(c, code, (network) => {
          // Each check-in replaces the last and is written to the record: bounded per code from all networks.
          limitsOf(deps).checkinsPerCode.take(privateKey('checkins', normalizeVotingCode(code)), deps.now().getTime(), {
            en: 'this voting code has checked in too often',
            zh: '这个投票码签到的次数太多',
          });
          return checkIn(deps, code, roomCode, requests, network);
        }),
      );
    });
}

export function ballotRoutes(deps: AppDeps) {
  return new Hono().post(
    '/',
    jsonBody(castBody, { summary: "Cast every ballot of one voter for one poll, anonymously; 201 new, 200 identical replay", access: 'public' }),
    async (c) => {
      const result = await castBallots(deps, c.req.valid('json').ballots);
      c.header('cache-control', 'no-store');
      return c.json(result, result.replay ? 200 : 201);
    },
  );
}

export function selfEvaluationRoutes(deps: AppDeps) {
  return new Hono()
    .post(
      '/comments',
      jsonBody(candidateCommentsBody, { summary: "After close, the comments raters wrote to a candidate, for that candidate only (with their voting code)", access: 'voter' }),
      (c) => {
        const { code } = c.req.valid('json');
        return c.json(voterLimitsOf(deps).withCode(c, code, () => commentsForCandidate(deps, code)));
      },
    )
    .post(
    '/',
    jsonBody(selfEvaluationBody, { summary: "A candidate's signed self-evaluation (not anonymous), with their voting code", access: 'voter' }),
    (c) => {
      const { code, pollId, scores, signature } = c.req.valid('json');
      return c.json(voterLimitsOf(deps).withCode(c, code, () => submitSelfEvaluation(deps, code, pollId, scores, signature)));
    },
  );
}

export function candidateKeyRoutes(deps: AppDeps) {
  return new Hono().post(
    '/',
    jsonBody(candidateKeyBody, { summary: "A candidate registers their own public keys in the room (three evaluations), before voting opens", access: 'voter' }),
    (c) => {
      const { code, roomCode, pollId, signingKey, boxKey } = c.req.valid('json');
      return c.json(voterLimitsOf(deps).withCode(c, code, (network) => registerCandidateKey(deps, code, roomCode, pollId, { signingKey, boxKey }, network)));
    },
  );
}
