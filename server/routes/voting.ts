/**
 * The voter's routes. Check-in is identified by the voting code in the body. Casting is
 * anonymous: the handler reads no cookie, no session and no Authorization header, and nothing
 * about the request (time, address, headers) reaches storage or the log.
 */
import { Hono } from 'hono';
import { candidateCommentsBody, castBody, checkinBody, lookupBody, selfEvaluationBody } from '../../shared/protocol/api.ts';
import type { AppDeps } from '../context.ts';
import { castBallot, checkIn, commentsForCandidate, lookupVoter, submitSelfEvaluation } from '../services/voting.ts';
import { jsonBody } from '../validate.ts';

export function checkinRoutes(deps: AppDeps) {
  return new Hono()
    .post('/lookup', jsonBody(lookupBody, { summary: 'What a voting code entitles to (polls, groups, keys)', access: 'voter' }), (c) =>
      c.json(lookupVoter(deps, c.req.valid('json').code)),
    )
    .post('/', jsonBody(checkinBody, { summary: 'Check in: one blind signature per (poll, group)', access: 'voter' }), (c) => {
      const { code, requests } = c.req.valid('json');
      return c.json(checkIn(deps, code, requests));
    });
}

export function ballotRoutes(deps: AppDeps) {
  return new Hono().post(
    '/',
    jsonBody(castBody, { summary: 'Cast an anonymous ballot with a token; 201 new, 200 identical replay', access: 'public' }),
    async (c) => {
      const { token, choices, comments } = c.req.valid('json');
      const result = await castBallot(deps, token, choices, comments);
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
      const { code, pollId, scores } = c.req.valid('json');
      return c.json(submitSelfEvaluation(deps, code, pollId, scores));
    },
  );
}
