/** One poll (organizer): read, edit in draft, advance its phase, turnout, sign-in sheet, bundle. */
import { Hono } from 'hono';
import { declaredNotVotedBody, objectionOutcomeBody, decisionBody, rescheduleBody, scrutineersBody, transitionBody, updatePollBody, writtenOpinionBody } from '../../shared/protocol/api.ts';
import { recordRescheduled } from '../services/opening.ts';
import { recordDeclaredNotVoted, signInSheet } from '../services/sign-in-sheet.ts';
import { meetingRecord, recordDecision, removeWrittenOpinion, setScrutineers, setWrittenOpinion } from '../services/meeting-facts.ts';
import { fail } from '../../shared/errors.ts';
import { requireUser, watchOnlyForScrutineers } from '../auth/session.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from '../services/audit.ts';
import { periodOf, recordObjectionOutcome } from '../services/objections.ts';
import { pollFor } from '../services/meetings.ts';
import { advancePoll, pollBundle, publicPollView, turnout } from '../services/polls.ts';
import { described, jsonBody } from '../validate.ts';

export function pollRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireUser(deps))
    .use(watchOnlyForScrutineers)
    .get('/:id', described({ summary: 'A poll with its keys and turnout', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      return c.json({ ...publicPollView(deps, poll), meetingId: poll.meetingId, turnout: turnout(deps, poll) });
    })
    .patch('/:id', jsonBody(updatePollBody, { summary: 'Edit the title or questions of a draft poll', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      if (poll.phase !== 'draft') fail('wrong_phase', 'only a draft poll can be edited');
      const changes = c.req.valid('json');
      // A preset's ballot is written by the server from its rule; hand edits could relabel "agree".
      if (changes.questions && poll.kind !== 'generic')
        fail('conflict', `the questions of a ${poll.kind} poll follow from its candidates: create the poll again instead`);
      q.runInTransaction(deps.db, () => {
        q.updatePoll(deps.db, poll.id, changes);
        appendAudit(deps.db, { actor: c.get('user').username, action: 'edit_poll', subject: poll.id, details: { fields: Object.keys(changes) } }, deps.now().toISOString());
      });
      return c.json(publicPollView(deps, q.getPoll(deps.db, poll.id)!));
    })
    .delete('/:id', described({ summary: 'Delete a draft poll', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      if (poll.phase !== 'draft') fail('wrong_phase', 'only a draft poll can be deleted');
      q.runInTransaction(deps.db, () => {
        q.deletePoll(deps.db, poll.id);
        appendAudit(deps.db, { actor: c.get('user').username, action: 'delete_poll', subject: poll.id, details: { title: poll.title } }, deps.now().toISOString());
      });
      return c.json({ ok: true });
    })
    .post('/:id/transition', jsonBody(transitionBody, { summary: 'Move the poll to its next phase (opening voting: with the head count)', access: 'organizer' }), async (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      const { to, headCount, headCountNote, strike } = c.req.valid('json');
      const opening = to === 'voting' ? { headCount: headCount!, headCountNote, strike } : undefined;
      const moved = await advancePoll(deps, poll.id, to, c.get('user').username, opening);
      return c.json({ id: moved.id, phase: moved.phase, turnout: turnout(deps, moved) });
    })
    .post('/:id/reschedule', jsonBody(rescheduleBody, { summary: 'Record 会议改期: the head count did not reach the quorum; the poll waits in check-in for the rescheduled meeting', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      return c.json(recordRescheduled(deps, poll.id, c.req.valid('json').headCount, c.get('user').username));
    })
    .get('/:id/checkins', described({ summary: 'The sign-in sheet: who has checked in, who has not, struck and late check-ins (never what they voted)', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      return c.json(signInSheet(deps, poll));
    })
    .put('/:id/declared-not-voted', jsonBody(declaredNotVotedBody, { summary: 'Record how many in the room said they did not vote (before close)', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      recordDeclaredNotVoted(deps, poll, c.req.valid('json').count, c.get('user').username);
      return c.json({ ok: true });
    })
    .put(
      '/:id/written-opinions/:voterId',
      jsonBody(writtenOpinionBody, { summary: 'Enter the written opinion of an absent voting member (before voting opens)', access: 'organizer' }),
      (c) => {
        const poll = pollFor(deps, c.req.param('id'), c.get('user'));
        setWrittenOpinion(deps, poll, c.req.param('voterId'), c.req.valid('json').choices, c.get('user').username);
        return c.json({ ok: true });
      },
    )
    .delete('/:id/written-opinions/:voterId', described({ summary: 'Remove a written opinion (before voting opens)', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      removeWrittenOpinion(deps, poll, c.req.param('voterId'), c.get('user').username);
      return c.json({ ok: true });
    })
    .put('/:id/scrutineers', jsonBody(scrutineersBody, { summary: 'Name the scrutineers (监票人, 计票人)', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      setScrutineers(deps, poll, c.req.valid('json').scrutineers, c.get('user').username);
      return c.json({ ok: true });
    })
    .put(
      '/:id/decisions/:questionId',
      jsonBody(decisionBody, { summary: "Record the committee's decision (or a pre-examination) beside an advisory result", access: 'organizer' }),
      (c) => {
        const poll = pollFor(deps, c.req.param('id'), c.get('user'));
        recordDecision(deps, poll, c.req.param('questionId'), c.req.valid('json'), c.get('user').username);
        return c.json({ ok: true });
      },
    )
    .get('/:id/record', described({ summary: "The unit's record: exclusions and written opinions with names, scrutineers", access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      return c.json(meetingRecord(deps, poll));
    })
    .get('/:id/objections', described({ summary: 'Objections to a published result, with their text and outcome', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      return c.json({ period: poll.phase === 'published' ? periodOf(deps, poll) : null, objections: q.listObjections(deps.db, poll.id).map(({ pollId: _p, ...o }) => o) });
    })
    .put(
      '/:id/objections/:objectionId',
      jsonBody(objectionOutcomeBody, { summary: 'Record the outcome of an objection: proceed, defer or reject, with a note', access: 'organizer' }),
      (c) => {
        const poll = pollFor(deps, c.req.param('id'), c.get('user'));
        recordObjectionOutcome(deps, poll, c.req.param('objectionId'), c.req.valid('json'), c.get('user').username);
        return c.json({ ok: true });
      },
    )
    .get('/:id/bundle', described({ summary: 'The signed tally bundle (after close)', access: 'organizer' }), (c) => {
      const poll = pollFor(deps, c.req.param('id'), c.get('user'));
      return c.json(pollBundle(deps, poll));
    });
}
