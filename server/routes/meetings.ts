/** Meetings, rosters, polls of a meeting and voting slips (organizer). */
import { Hono } from 'hono';
import { addVotersBody, createMeetingBody, createPollBody, exclusionBody, lateCheckInBody, meetingTransitionBody, slipsBody } from '../../shared/protocol/api.ts';
import { drawNewRoomCode, setLateCheckIn } from '../services/sign-in-sheet.ts';
import { removeExclusion, setExclusion } from '../services/meeting-facts.ts';
import { fail } from '../../shared/errors.ts';
import { requireUser, watchOnlyForScrutineers } from '../auth/session.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import * as q from '../db/queries.ts';
import { checkAuditChain, meetingEntries } from '../services/audit.ts';
import { addVoters, createMeeting, createPoll, generateSlips, higherUnits, meetingKeySetFingerprint, meetingFor } from '../services/meetings.ts';
import { advancePoll, assertCandidatesOnRoster, turnout } from '../services/polls.ts';
import { described, jsonBody } from '../validate.ts';
import { assertOpeningFacts } from '../services/opening.ts';

const PREVIOUS = { checkin: 'draft', voting: 'checkin', closed: 'voting', published: 'closed' } as const;

export function meetingRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireUser(deps))
    .use(watchOnlyForScrutineers)
    .post('/', jsonBody(createMeetingBody, { summary: 'Create a meeting', access: 'organizer' }), (c) =>
      c.json(createMeeting(deps, c.req.valid('json').title, c.get('user')), 201),
    )
    .get('/', described({ summary: 'Meetings the signed-in organizer may run', access: 'organizer' }), (c) => {
      const user = c.get('user');
      return c.json({ meetings: q.listMeetings(deps.db, user.role === 'admin' ? undefined : user) });
    })
    .get('/:id', described({ summary: 'A meeting with its polls and their turnout', access: 'organizer' }), (c) => {
      const meeting = meetingFor(deps, c.req.param('id'), c.get('user'));
      const polls = q.listPollsOfMeeting(deps.db, meeting.id).map((p) => ({
        id: p.id,
        title: p.title,
        kind: p.kind,
        phase: p.phase,
        groups: p.groups,
        questions: p.questions,
        rule: p.rule,
        turnout: turnout(deps, p),
      }));
      const { roomCode: _roomCode, ...shown } = meeting;
      return c.json({ ...shown, polls, keySetFingerprint: meetingKeySetFingerprint(deps, meeting.id), higherUnits: higherUnits(deps, meeting.unitId) });
    })
    .get('/:id/voters', described({ summary: 'The roster (never the codes)', access: 'organizer' }), (c) => {
      const meeting = meetingFor(deps, c.req.param('id'), c.get('user'));
      return c.json({
        voters: q.listVoters(deps.db, meeting.id).map((v) => ({ id: v.id, name: v.name, number: v.number, groups: v.groups, status: v.status, hasCode: v.codeHash !== null })),
      });
    })
    .post('/:id/voters', jsonBody(addVotersBody, { summary: 'Add voters to the roster', access: 'organizer' }), (c) => {
      const meeting = meetingFor(deps, c.req.param('id'), c.get('user'));
      return c.json({ voters: addVoters(deps, meeting.id, c.req.valid('json'), c.get('user')) }, 201);
    })
    .post('/:id/polls', jsonBody(createPollBody, { summary: 'Add a poll (draft) to the meeting', access: 'organizer' }), (c) => {
      const meeting = meetingFor(deps, c.req.param('id'), c.get('user'));
      const { poll, warnings } = createPoll(deps, meeting.id, c.req.valid('json'), c.get('user'));
      return c.json({ ...poll, warnings }, 201);
    })
    .post(
      '/:id/transition',
      jsonBody(meetingTransitionBody, { summary: 'Move every poll of the meeting that is one phase behind `to` forward (opening voting: each with its head count)', access: 'organizer' }),
      async (c) => {
        const meeting = meetingFor(deps, c.req.param('id'), c.get('user'));
        const { to, openings } = c.req.valid('json');
        const ready = q.listPollsOfMeeting(deps.db, meeting.id).filter((p) => p.phase === PREVIOUS[to]);
        if (ready.length === 0) fail('wrong_phase', `no poll of this meeting is in ${PREVIOUS[to]}`);
        if (to === 'voting')
          for (const p of ready) {
            if (!openings?.[p.id]) fail('invalid_body', `openings.${p.id}: the head count of poll "${p.title}" is missing`);
            // Every poll checked before any opens: one poll without its quorum leaves them all in check-in.
            assertOpeningFacts(deps, p, openings[p.id]!);
          }
        // Every poll checked before any moves: one refused poll leaves the whole meeting in draft.
        if (to === 'checkin') for (const p of ready) assertCandidatesOnRoster(deps, p);
        const moved = [];
        for (const p of ready) moved.push(await advancePoll(deps, p.id, to, c.get('user').username, openings?.[p.id]));
        return c.json({ polls: moved.map((p) => ({ id: p.id, phase: p.phase })) });
      },
    )
    .post(
      '/:id/slips',
      jsonBody(slipsBody, { summary: 'Generate voting codes and links for slips (revokes earlier unused codes)', access: 'organizer' }),
      (c) => {
        const meeting = meetingFor(deps, c.req.param('id'), c.get('user'));
        const origin = deps.publicOrigin ?? new URL(c.req.url).origin;
        return c.json(generateSlips(deps, meeting.id, origin, c.req.valid('json').voterIds, c.get('user')));
      },
    )
    .put(
      '/:id/exclusions/:voterId',
      jsonBody(exclusionBody, { summary: 'Leave a member out of the expected count, with the reason and who approved it', access: 'organizer' }),
      (c) => {
        const meeting = meetingFor(deps, c.req.param('id'), c.get('user'));
        setExclusion(deps, meeting.id, c.req.param('voterId'), c.req.valid('json'), c.get('user').username);
        return c.json({ ok: true });
      },
    )
    .delete('/:id/exclusions/:voterId', described({ summary: 'Count an excluded member again', access: 'organizer' }), (c) => {
      const meeting = meetingFor(deps, c.req.param('id'), c.get('user'));
      removeExclusion(deps, meeting.id, c.req.param('voterId'), c.get('user').username);
      return c.json({ ok: true });
    })
    .get('/:id/room-code', described({ summary: 'The room code to show on the projector while check-in is open', access: 'organizer' }), (c) => {
      const meeting = meetingFor(deps, c.req.param('id'), c.get('user'));
      return c.json({ roomCode: meeting.roomCode });
    })
    .post('/:id/room-code', described({ summary: 'Draw a new room code (the old one stops working)', access: 'organizer' }), (c) => {
      const meeting = meetingFor(deps, c.req.param('id'), c.get('user'));
      return c.json({ roomCode: drawNewRoomCode(deps, meeting, c.get('user').username) });
    })
    .put('/:id/late-check-in', jsonBody(lateCheckInBody, { summary: 'Allow check-in after voting opens (each late check-in approved by a scrutineer)', access: 'organizer' }), (c) => {
      const meeting = meetingFor(deps, c.req.param('id'), c.get('user'));
      setLateCheckIn(deps, meeting, c.req.valid('json'), c.get('user').username);
      return c.json({ ok: true });
    })
    .get('/:id/audit', described({ summary: 'Audit log entries about this meeting and its polls', access: 'organizer' }), (c) => {
      const meeting = meetingFor(deps, c.req.param('id'), c.get('user'));
      const all = q.listAuditEntries(deps.db);
      return c.json({ chain: checkAuditChain(all), entries: meetingEntries(deps.db, meeting.id) });
    });
}
