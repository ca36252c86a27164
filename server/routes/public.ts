/** Public, no login: the signer key, a meeting's polls and keys, turnout, published bundles. */
import { Hono } from 'hono';
import { clientAddress } from '../client-address.ts';
import { objectionBody, type PublicMeetingView } from '../../shared/protocol/api.ts';
import { fileObjection, publicObjectionSummary } from '../services/objections.ts';
import { addressKeys, limitsOf } from '../limits.ts';
import { fail } from '../../shared/errors.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { meetingKeySetFingerprint } from '../services/meetings.ts';
import { pollBundle, publicPollView, turnout } from '../services/polls.ts';
import { described, jsonBody } from '../validate.ts';
import { calendarYears, publicityOf, workCalendar } from '../services/calendar.ts';
import { DEFAULT_PUBLICITY_CUTOFF } from '../../shared/publicity.ts';

export function publicRoutes(deps: AppDeps) {
  return new Hono()
    .get('/signer', described({ summary: "The installation's Ed25519 public key that signs bundles", access: 'public' }), (c) =>
      c.json({ alg: 'Ed25519', publicKey: deps.installationKey.publicKeyBase64 }),
    )
    .get('/meetings/:id', described({ summary: 'A meeting as voters and the projector see it', access: 'public' }), (c) => {
      const meeting = q.getMeeting(deps.db, c.req.param('id'));
      if (!meeting) fail('not_found', 'no such meeting');
      const polls = q.listPollsOfMeeting(deps.db, meeting.id).filter((p) => p.phase !== 'draft');
      return c.json({
        id: meeting.id,
        title: meeting.title,
        polls: polls.map((p) => publicPollView(deps, p)),
        keySetFingerprint: meetingKeySetFingerprint(deps, meeting.id),
        signer: deps.installationKey.publicKeyBase64,
      } satisfies PublicMeetingView);
    })
    .get('/polls/:id/turnout', described({ summary: 'Expected, checked in, ballots cast (never choice counts)', access: 'public' }), (c) => {
      const poll = q.getPoll(deps.db, c.req.param('id'));
      if (!poll || poll.phase === 'draft') fail('not_found', 'no such poll');
      c.header('cache-control', 'no-store');
      return c.json(turnout(deps, poll));
    })
    .get('/polls', described({ summary: 'Published results', access: 'public' }), (c) => {
      const calendar = workCalendar(deps); // read once for every period of the list
      return c.json({
        polls: q.listPublishedPolls(deps.db).map((p) => ({
          id: p.id,
          meetingId: p.meetingId,
          title: p.title,
          kind: p.kind,
          closedAt: p.closedAt,
          // Every poll published since the column exists has it; the close is the closest earlier fact.
          publishedAt: p.publishedAt ?? p.closedAt,
          publicityWorkingDays: p.publicityWorkingDays,
          // Counted by the server on the work calendar (holidays, 调休, the cut-off time), so the
          // board shows the very period the objections are taken in.
          publicity: publicityOf(deps, p, calendar),
          publicityCutoff: deps.publicityCutoff ?? DEFAULT_PUBLICITY_CUTOFF,
        })),
      });
    })
    .get('/calendar', described({ summary: 'The work calendar publicity periods are counted on: each year’s holidays and 调休 working days, with its source, and the cut-off time', access: 'public' }), (c) =>
      c.json({ years: calendarYears(deps).map(({ year, source, holidays, workdays, origin }) => ({ year, source, holidays, workdays, origin })), cutoff: deps.publicityCutoff ?? DEFAULT_PUBLICITY_CUTOFF }),
    )
    .get('/polls/:id/decisions', described({ summary: 'Decisions recorded beside a published result', access: 'public' }), (c) => {
      const poll = q.getPoll(deps.db, c.req.param('id'));
      if (!poll || poll.phase !== 'published') fail('not_found', 'no published result with this id');
      return c.json({ decisions: q.listDecisions(deps.db, poll.id).map(({ pollId: _p, ...d }) => d) });
    })
    .post(
      '/polls/:id/objections',
      jsonBody(objectionBody, { summary: 'Object to a published result during its publicity period (anonymous unless a name is given; a member of the meeting may add their voting code, which is not stored)', access: 'public' }),
      (c) => {
        const client = addressKeys(clientAddress(c, limitsOf(deps).settings.trustProxy));
        return c.json(fileObjection(deps, c.req.param('id'), c.req.valid('json'), client), 201);
      },
    )
    .get('/polls/:id/objections', described({ summary: 'The publicity period; after it, how many objections and their outcomes (never their text)', access: 'public' }), (c) =>
      c.json(publicObjectionSummary(deps, c.req.param('id'))),
    )
    .get('/polls/:id/bundle', described({ summary: 'The signed tally bundle of a published poll', access: 'public' }), (c) => {
      const poll = q.getPoll(deps.db, c.req.param('id'));
      if (!poll || poll.phase !== 'published') fail('not_found', 'no published result with this id');
      return c.json(pollBundle(deps, poll));
    });
}
