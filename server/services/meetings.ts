/**
 * Meetings and their rosters. A meeting groups the polls voted on at one sitting; one voting
 * code per voter per meeting covers every poll the voter is eligible for (one slip per person).
 * Codes are shown once, when slips are generated, and stored only as hashes; generating a slip
 * again revokes the previous code, but never for a voter who has already checked in.
 */
import { fail } from '../../shared/errors.ts';
import { generateVotingCode, normalizeVotingCode } from '../../shared/protocol/voting-code.ts';
import { idSchema, type Question } from '../../shared/protocol/poll.ts';
import { ruleSchema, type Rule } from '../../shared/tally/rules.ts';
import { presetQuestions } from '../../shared/tally/presets.ts';
import type { z } from 'zod';
import type { addVotersBody, createPollBody } from '../../shared/protocol/api.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from './audit.ts';
import { hashVotingCode } from './checkin.ts';
import { fromHex } from '../../shared/encoding.ts';
import { keySetDigest, keySetFingerprint } from '../../shared/crypto/key-set.ts';
import { DEFAULT_PUBLICITY_WORKING_DAYS } from '../../shared/publicity.ts';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Random id matching the protocol's id pattern (16 characters, about 82 bits). */
export function randomId(deps: AppDeps): string {
  let id = '';
  for (const b of deps.randomBytes(16)) id += ID_ALPHABET[b % 36];
  return idSchema.parse(id);
}

/**
 * Who may see a meeting: the admin; its creator; the organizers and scrutineers of its unit.
 * An organizer of another unit gets 403, never the meeting.
 */
export function maySeeMeeting(user: q.UserRow, meeting: q.MeetingRow): boolean {
  if (user.role === 'admin' || meeting.ownerId === user.id) return true;
  return user.unitId !== null && meeting.unitId === user.unitId;
}

export function meetingFor(deps: AppDeps, meetingId: string, user: q.UserRow): q.MeetingRow {
  const meeting = q.getMeeting(deps.db, meetingId);
  if (!meeting) fail('not_found', 'no such meeting');
  if (!maySeeMeeting(user, meeting)) fail('forbidden', 'this meeting belongs to another unit');
  return meeting;
}

export function pollFor(deps: AppDeps, pollId: string, user: q.UserRow): q.PollRow {
  const poll = q.getPoll(deps.db, pollId);
  if (!poll) fail('not_found', 'no such poll');
  meetingFor(deps, poll.meetingId, user);
  return poll;
}

export function createMeeting(deps: AppDeps, title: string, user: q.UserRow): q.MeetingRow {
  const meeting = { id: randomId(deps), title, ownerId: user.id, unitId: user.unitId, createdAt: deps.now().toISOString(), roomCode: null, lateCheckIn: false };
  q.runInTransaction(deps.db, () => {
    q.insertMeeting(deps.db, meeting);
    appendAudit(deps.db, { actor: user.username, action: 'create_meeting', subject: meeting.id, details: { title } }, meeting.createdAt);
  });
  return meeting;
}

function assertRosterOpen(deps: AppDeps, meetingId: string) {
  const started = q.listPollsOfMeeting(deps.db, meetingId).find((p) => p.phase !== 'draft' && p.phase !== 'checkin');
  if (started) fail('wrong_phase', `poll "${started.title}" is already ${started.phase}; the roster is fixed`);
}

export function addVoters(deps: AppDeps, meetingId: string, input: z.output<typeof addVotersBody>, user: q.UserRow) {
  assertRosterOpen(deps, meetingId);
  const existing = new Set(q.listVoters(deps.db, meetingId).map((v) => v.number));
  const problems: string[] = [];
  input.voters.forEach((v, i) => {
    if (existing.has(v.number)) problems.push(`line ${i + 1}: number ${v.number} is already on the roster`);
    existing.add(v.number);
  });
  if (problems.length) fail('conflict', problems.slice(0, 10).join('; '));
  const rows = input.voters.map((v) => ({ id: randomId(deps), meetingId, name: v.name, number: v.number, groups: v.groups, status: v.status }));
  q.runInTransaction(deps.db, () => {
    q.insertVoters(deps.db, rows);
    appendAudit(deps.db, { actor: user.username, action: 'add_voters', subject: meetingId, details: { count: rows.length } }, deps.now().toISOString());
  });
  return rows.map(({ id, name, number, groups, status }) => ({ id, name, number, groups, status }));
}

export function createPoll(deps: AppDeps, meetingId: string, input: z.output<typeof createPollBody>, user: q.UserRow) {
  // Printed slips carry the fingerprints of every key of the meeting; a poll added afterwards
  // would have a key no slip knows, and voters' clients would rightly refuse it.
  if (q.listVoters(deps.db, meetingId).some((v) => v.codeHash !== null))
    fail('wrong_phase', 'slips are already printed for this meeting: create a new meeting for another poll');
  let questions: Question[];
  let rule: Rule;
  let warnings: ReturnType<typeof presetQuestions>['warnings'] = [];
  if ('questions' in input) {
    questions = input.questions;
    rule = { kind: 'generic' };
  } else {
    const preset = ruleSchema.parse({ ...input.settings, kind: input.kind });
    if (preset.kind === 'generic') fail('invalid_body', 'a preset kind needs candidates');
    if (preset.kind === 'member_conversion')
      for (const id of preset.extendedBefore)
        if (!input.candidates.some((c) => c.id === id)) fail('invalid_body', `settings.extendedBefore: no candidate ${id}`);
    ({ questions, warnings } = presetQuestions(preset, input.title, input.candidates, input.maxChoices));
    rule = preset;
  }
  const candidateNumbers =
    'candidates' in input ? Object.fromEntries(input.candidates.filter((c) => c.number).map((c) => [c.id, c.number!])) : {};
  // The three evaluations rate by two anonymous groups, one issuing key each; self is not a ballot.
  const groups = rule.kind === 'three_evaluations' ? ['representatives', 'members'] : input.groups;
  const poll = {
    id: randomId(deps),
    meetingId,
    title: input.title,
    kind: rule.kind,
    phase: 'draft' as const,
    questions,
    rule,
    groups,
    candidateNumbers,
    publicityWorkingDays: input.publicityWorkingDays ?? DEFAULT_PUBLICITY_WORKING_DAYS,
    createdAt: deps.now().toISOString(),
  };
  q.runInTransaction(deps.db, () => {
    q.insertPoll(deps.db, poll);
    appendAudit(deps.db, { actor: user.username, action: 'create_poll', subject: poll.id, details: { meetingId, title: poll.title, kind: poll.kind } }, poll.createdAt);
  });
  return { poll: q.getPoll(deps.db, poll.id)!, warnings };
}

/**
 * The names of the units above a meeting's unit in the organization tree, nearest first (a
 * branch's college committee, then the university's): the bodies that may pre-examine (预审) and
 * approve its members. Empty for a meeting of no unit.
 */
export function higherUnits(deps: AppDeps, unitId: string | null): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  let current = unitId ? q.getUnit(deps.db, unitId) : undefined;
  while (current?.parentId && !seen.has(current.parentId)) {
    seen.add(current.parentId);
    current = q.getUnit(deps.db, current.parentId);
    if (current) names.push(current.name);
  }
  return names;
}

/** `origin/vote#m=<meeting>&c=<code>&k=<key set fingerprint>`: everything after # stays in the browser. */
export function votingLink(origin: string, meetingId: string, code: string, keySetFingerprint: string) {
  return `${origin}/vote#m=${meetingId}&c=${code}&k=${keySetFingerprint}`;
}

/** The fingerprint of the meeting's key set (shared/crypto/key-set.ts), or null before any key exists. */
export function meetingKeySetFingerprint(deps: AppDeps, meetingId: string): string | null {
  const keyIds = q.listMeetingKeyIds(deps.db, meetingId);
  return keyIds.length ? keySetFingerprint(keySetDigest(keyIds.map((id) => fromHex(id)))) : null;
}

export function generateSlips(deps: AppDeps, meetingId: string, origin: string, voterIds: string[] | undefined, user: q.UserRow) {
  const polls = q.listPollsOfMeeting(deps.db, meetingId);
  if (polls.length === 0) fail('wrong_phase', 'the meeting has no poll yet');
  const draft = polls.find((p) => p.phase === 'draft');
  if (draft) fail('wrong_phase', `poll "${draft.title}" is still a draft: open check-in first, so that its keys exist`);
  // After close a code only reads a candidate's comments: a new one would let the organizer read them.
  if (polls.every((p) => p.phase === 'closed' || p.phase === 'published')) fail('wrong_phase', 'every poll of the meeting is closed: no new voting code is needed');
  const keySet = meetingKeySetFingerprint(deps, meetingId)!;
  const roster = q.listVoters(deps.db, meetingId);
  const wanted = voterIds ? new Set(voterIds) : undefined;
  if (wanted) for (const id of wanted) if (!roster.some((v) => v.id === id)) fail('not_found', `no voter ${id} in this meeting`);
  const checkedIn = new Set(polls.flatMap((p) => q.listCheckedInVoterIds(deps.db, p.id)));
  const slips = roster
    .filter((v) => (wanted ? wanted.has(v.id) : true) && !checkedIn.has(v.id))
    .map((voter) => {
      const code = generateVotingCode(deps.randomBytes);
      return { voter, code, codeHash: hashVotingCode(normalizeVotingCode(code)) };
    });
  q.runInTransaction(deps.db, () => {
    for (const slip of slips) q.setVoterCodeHash(deps.db, slip.voter.id, slip.codeHash);
    appendAudit(deps.db, { actor: user.username, action: 'generate_slips', subject: meetingId, details: { count: slips.length } }, deps.now().toISOString());
  });
  return {
    keySetFingerprint: keySet,
    skippedCheckedIn: roster.filter((v) => checkedIn.has(v.id) && (!wanted || wanted.has(v.id))).length,
    slips: slips.map(({ voter, code }) => ({
      voterId: voter.id,
      name: voter.name,
      number: voter.number,
      code,
      link: votingLink(origin, meetingId, code, keySet),
    })),
  };
}
