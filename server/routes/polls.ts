/** One poll (organizer): read, edit in draft, advance its phase, turnout, sign-in sheet, bundle. */
import { Hono } from 'hono';
import { transitionBody, updatePollBody } from '../../shared/protocol/api.ts';
import { fail } from '../../shared/errors.ts';
import { requireUser } from '../auth/session.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from '../services/audit.ts';
import { pollFor } from '../services/meetings.ts';
import { advancePoll, pollBundle, publicPollView, turnout } from '../services/polls.ts';
import { described, jsonBody } from '../validate.ts';

export function pollRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireUser(deps))
    .get('/:id', described({ summary: 'A poll with its keys and turnout', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      return c.json({ ...publicPollView(deps, poll), meetingId: poll.meetingId, turnout: turnout(deps, poll) });
    })
    .patch('/:id', jsonBody(updatePollBody, { summary: 'Edit the title or questions of a draft poll', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      if (poll.phase !== 'draft') fail('wrong_phase', 'only a draft poll can be edited');
      const changes = c.req.valid('json');
      q.runInTransaction(deps.db, () => {
        q.updatePoll(deps.db, poll.id, changes);
        appendAudit(deps.db, { actor: c.get('user').username, action: 'edit_poll', subject: poll.id, details: { fields: Object.keys(changes) } }, deps.now().toISOString());
      });
      return c.json(publicPollView(deps, q.getPoll(deps.db, poll.id)!));
    })
    .post('/:id/transition', jsonBody(transitionBody, { summary: 'Move the poll to its next phase', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      const moved = advancePoll(deps, poll.id, c.req.valid('json').to, c.get('user').username);
      return c.json({ id: moved.id, phase: moved.phase, turnout: turnout(deps, moved) });
    })
    .get('/:id/checkins', described({ summary: 'The sign-in sheet: who has checked in (never what they voted)', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      const ids = new Set(q.listCheckedInVoterIds(deps.db, poll.id));
      const voters = q.listVoters(deps.db, poll.meetingId).filter((v) => ids.has(v.id));
      return c.json({ checkedIn: voters.map((v) => ({ name: v.name, number: v.number })) });
    })
    .get('/:id/bundle', described({ summary: 'The signed tally bundle (after close)', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      return c.json(pollBundle(poll));
    });
}
