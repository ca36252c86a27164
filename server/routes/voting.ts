/**
 * The voter's routes. Check-in is identified by the voting code (and the room code) in the body;
 * the device then asks for its blind signatures with the check-in's random id. Casting is
 * anonymous: the handler reads no cookie, no session and no Authorization header, and nothing
 * about the request (time, address, headers) reaches storage or the log.
 */
import { Hono } from 'hono';
import { candidateCommentsBody, candidateKeyBody, castBody, checkinBody, checkinStatusBody, lookupBody, selfEvaluationBody } from '../../shared/protocol/api.ts';
import type { AppDeps } from '../context.ts';
import { checkIn, checkinStatus, lookupVoter, registerCandidateKey } from '../services/checkin.ts';
import { castBallots, commentsForCandidate, submitSelfEvaluation } from '../services/voting.ts';
import { jsonBody } from '../validate.ts';

export function checkinRoutes(deps: AppDeps) {
  return new Hono()
    .post('/lookup', jsonBody(lookupBody, { summary: 'What a voting code gives a vote in now: polls, keys, check-in state', access: 'voter' }), (c) =>
      c.json(lookupVoter(deps, c.req.valid('json').code)),
    )
    .post('/status', jsonBody(checkinStatusBody, { summary: "A check-in's state per poll, and its blind signatures once voting opened", access: 'voter' }), (c) =>
      c.json(checkinStatus(deps, c.req.valid('json').checkinId)),
    )
    .post('/', jsonBody(checkinBody, { summary: 'Check in with the room code: one blinded request per key, signed when voting opens', access: 'voter' }), (c) => {
      const { code, roomCode, requests } = c.req.valid('json');
      return c.json(checkIn(deps, code, roomCode, requests));
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
        return c.json(commentsForCandidate(deps, c.req.valid('json').code));
      },
    )
    .post(
    '/',
    jsonBody(selfEvaluationBody, { summary: "A candidate's signed self-evaluation (not anonymous), with their voting code", access: 'voter' }),
    (c) => {
      const { code, pollId, scores, signature } = c.req.valid('json');
      return c.json(submitSelfEvaluation(deps, code, pollId, scores, signature));
    },
  );
}

export function candidateKeyRoutes(deps: AppDeps) {
  return new Hono().post(
    '/',
    jsonBody(candidateKeyBody, { summary: "A candidate registers their own public keys in the room (three evaluations), before voting opens", access: 'voter' }),
    (c) => {
      const { code, roomCode, pollId, signingKey, boxKey } = c.req.valid('json');
      return c.json(registerCandidateKey(deps, code, roomCode, pollId, { signingKey, boxKey }));
    },
  );
}
