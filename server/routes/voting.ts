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
import { countFailedCode } from '../code-failures.ts';
import { candidateCommentsBody, candidateKeyBody, castBody, checkinBody, checkinStatusBody, lookupBody, selfEvaluationBody } from '../../shared/protocol/api.ts';
import type { AppDeps } from '../context.ts';
import { checkIn, checkinStatus, hashVotingCode, lookupVoter, registerCandidateKey } from '../services/checkin.ts';
import { castBallots, commentsForCandidate, submitSelfEvaluation } from '../services/voting.ts';
import { jsonBody } from '../validate.ts';

/**
 * The limits of the routes a voting code opens (server/limits.ts): requests are counted per code
 * and network, and codes or check-ins that do not exist against their sender
 * (server/code-failures.ts). The ballot route has none of this: it reads nothing about its
 * sender, not even the address.
 */
function voterLimits(deps: AppDeps) {
  const limits = limitsOf(deps);
  const sender = (c: Context) => addressKeys(clientAddress(c, limits.settings.trustProxy));
  return {
    /** Runs `work` for a voting code once the limits allow it; `work` gets the sender's network and the code as normalized. */
    withCode<T>(c: Context, code: string, work: (network: string, normalized: string) => T): T {
      const nowMs = deps.now().getTime();
      const client = sender(c);
      const normalized = normalizeVotingCode(code);
      if (!q.findVoterByCodeHash(deps.db, hashVotingCode(normalized))) {
        countFailedCode(deps, client, nowMs);
        fail('unknown_code', 'this voting code is not valid: check the slip, or ask the organizer for a new one');
      }
      limits.requestsPerCode.take(privateKey('code', normalized, client.network), nowMs, {
        en: 'too many requests with this voting code from this network',
        zh: '从这个网络用这个投票码发出的请求太频繁',
      });
      return work(client.network, normalized);
    },
    /** The waiting phone's status read: counted per check-in; an id that names no check-in is a failure of its sender. */
    status(c: Context, checkinId: string) {
      const nowMs = deps.now().getTime();
      const key = privateKey('checkin', checkinId);
      // Only check-ins that exist are ever counted, so only they can be waiting here.
      const wait = limits.statusPerCheckin.wait(key, nowMs);
      if (wait > 0) throw new RateLimited(wait, { en: 'this device asked for its check-in too often', zh: '这台设备查询签到状态太频繁' });
      const answer = checkinStatus(deps, checkinId);
      if (answer.polls.length === 0) countFailedCode(deps, sender(c), nowMs);
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
        limited.withCode(c, code, (network, normalized) => {
          // Each check-in replaces the last and is written to the record: bounded per code from all networks.
          limitsOf(deps).checkinsPerCode.take(privateKey('checkins', normalized), deps.now().getTime(), {
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
