/**
 * Sets up meetings through the organizer API (in-process) and plays voters' devices with the very
 * code the browser runs (shared/protocol/voter-flow.ts): check in with the room code (pending),
 * open voting with a head count (every pending check-in signed at once), collect the tokens,
 * cast a poll's ballots in one request.
 */
import { createVoterApi, type VoterApi } from '../../shared/protocol/api-client.ts';
import type { PublicMeetingView } from '../../shared/protocol/api.ts';
import type { Choice } from '../../shared/protocol/poll.ts';
import {
  castPoll,
  checkInVoter,
  collectTokens,
  heldTokens,
  memoryStore,
  parseVotingFragment,
  voterSlot,
  type HeldReceipt,
  type HeldToken,
  type VoterStore,
} from '../../shared/protocol/voter-flow.ts';
import { expect } from 'vitest';
import { inProcessFetch, organizerClient, seedUser, type TestServer } from './test-server.ts';

export const agreeQuestion = (id: string, title = id) => ({ id, type: 'single', title, options: ['agree', 'disagree', 'abstain'] });

export type OrganizerClient = Awaited<ReturnType<typeof organizerClient>>;
export interface Slip {
  voterId: string;
  code: string;
  link: string;
}

/** A voter's device: its store, its slot, the meeting as it saw it at check-in. */
export interface Device {
  api: VoterApi;
  store: VoterStore;
  voter: string;
  code: string;
  meeting: PublicMeetingView;
}

export const voterApi = (t: TestServer) => createVoterApi('', inProcessFetch(t));

export async function roomCodeOf(org: OrganizerClient, meetingId: string): Promise<string> {
  const answer = await org.call('GET', `/api/meetings/${meetingId}/room-code`);
  if (answer.status !== 200) throw new Error(JSON.stringify(answer.body));
  return answer.body.roomCode as string;
}

/**
 * A meeting with one generic poll (two agree/disagree/abstain questions by default) and a roster
 * of `voters`; `open`: how far it goes — `checkin` (slips printed), or `voting` after the devices
 * of the first `checkIn` voters (default all) checked in and voting opened with that head count.
 */
export async function createMeeting(
  t: TestServer,
  options: { voters?: number; questions?: unknown[]; organizer?: string; open?: 'draft' | 'checkin' | 'voting'; checkIn?: number } = {},
) {
  const organizer = options.organizer ?? 'secretary';
  if (!t.deps.db.$client.prepare('SELECT 1 FROM users WHERE username = ?').get(organizer)) seedUser(t, organizer);
  const org = await organizerClient(t, organizer);
  const meeting = await org.call('POST', '/api/meetings', { title: 'Branch meeting' });
  const meetingId = meeting.body.id as string;
  const poll = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
    title: 'Acceptance',
    questions: options.questions ?? [agreeQuestion('c1'), agreeQuestion('c2')],
  });
  if (poll.status !== 201) throw new Error(JSON.stringify(poll.body));
  const pollId = poll.body.id as string;
  const voters = Array.from({ length: options.voters ?? 3 }, (_, i) => ({ name: `Voter ${i + 1}`, number: `N${String(i).padStart(4, '0')}` }));
  await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters });
  let slips: Slip[] = [];
  let roomCode = '';
  let devices: Device[] = [];
  if (options.open !== 'draft') {
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips;
    roomCode = await roomCodeOf(org, meetingId);
    if (options.open === 'voting') {
      for (const slip of slips.slice(0, options.checkIn ?? slips.length)) devices.push(await checkInSlip(t, slip, roomCode));
      await openVoting(org, pollId, devices.length);
      devices = await Promise.all(devices.map(async (d) => (await collect(d), d)));
    }
  }
  return { org, meetingId, pollId, slips, roomCode, devices };
}

/** A device checks in with the slip's link and the room code (pending until voting opens). */
export async function checkInSlip(t: TestServer, slip: { link: string }, roomCode: string, store: VoterStore = memoryStore()): Promise<Device> {
  const link = parseVotingFragment(new URL(slip.link).hash);
  const api = voterApi(t);
  const result = await checkInVoter(api, store, link.code!, roomCode, link.keySetFingerprint!);
  return { api, store, voter: voterSlot(link.code!), code: link.code!, meeting: result.meeting };
}

/** Opens voting in one poll with this head count (and strikes); throws with the answer on a refusal. */
export async function openVoting(org: OrganizerClient, pollId: string, headCount: number, extra: { headCountNote?: string; strike?: string[] } = {}) {
  const answer = await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting', headCount, ...extra });
  if (answer.status !== 200) throw new Error(`opening refused: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** The device fetches its blind signatures and turns them into verified tokens. */
export async function collect(device: Device) {
  return collectTokens(device.api, device.store, device.voter, device.meeting);
}

export const tokensOf = (device: Device, pollId: string): HeldToken[] => heldTokens(device.store, device.voter, pollId);

/** Casts every ballot the device holds for the poll; `answer` picks each question's answer. */
export async function castAll(device: Device, pollId: string, answer: (questionId: string) => Choice = () => 'agree'): Promise<HeldReceipt[]> {
  const poll = device.meeting.polls.find((p) => p.id === pollId)!;
  const answers = Object.fromEntries(tokensOf(device, pollId).map((t) => [t.questionId, answer(t.questionId)]));
  return castPoll(device.api, device.store, device.voter, poll, device.meeting.signer, answers);
}

/**
 * A branch general meeting accepting `candidates` (names), with `voters` full members and
 * check-in open, slips printed: the organizer's client, the ids, the slips, the room code and the
 * key set fingerprint.
 */
export async function openAcceptanceMeeting(t: TestServer, options: { title: string; candidates: string[]; voters: number; numberPrefix?: string }) {
  const org = await organizerClient(t);
  const meetingId = (await org.call('POST', '/api/meetings', { title: options.title })).body.id as string;
  const poll = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
    title: '接收预备党员',
    kind: 'member_acceptance',
    candidates: options.candidates.map((name, i) => ({ id: `c${i + 1}`, name })),
  });
  expect(poll.status).toBe(201);
  const roster = Array.from({ length: options.voters }, (_, i) => ({ name: `党员${i + 1}`, number: `${options.numberPrefix ?? 'N'}${i}` }));
  expect((await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: roster })).status).toBe(201);
  expect((await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' })).status).toBe(200);
  const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body;
  return {
    org,
    meetingId,
    pollId: poll.body.id as string,
    slips: slips.slips as Slip[],
    keySetFingerprint: slips.keySetFingerprint as string,
    roomCode: await roomCodeOf(org, meetingId),
  };
}

/**
 * The three evaluations with `candidates` (names), each a member of the class, beside
 * `representatives` teacher representatives; check-in open, slips printed. `slipOf(name)`: that
 * person's slip.
 */
export async function openEvaluationMeeting(t: TestServer, options: { title: string; candidates: string[]; representatives?: number; numberPrefix?: string }) {
  const org = await organizerClient(t);
  const meetingId = (await org.call('POST', '/api/meetings', { title: options.title })).body.id as string;
  const number = (i: number) => `${options.numberPrefix ?? 'S'}${String(i).padStart(2, '0')}`;
  const poll = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
    title: '发展对象“三评”',
    kind: 'three_evaluations',
    candidates: options.candidates.map((name, i) => ({ id: `c${i + 1}`, name, number: number(i) })),
  });
  expect(poll.status).toBe(201);
  const roster = [
    ...options.candidates.map((name, i) => ({ name, number: number(i), groups: ['members'] })),
    ...Array.from({ length: options.representatives ?? 2 }, (_, i) => ({ name: `老师${i + 1}`, number: `T${i}`, groups: ['representatives'] })),
  ];
  expect((await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: roster })).status).toBe(201);
  expect((await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' })).status).toBe(200);
  const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body;
  return {
    org,
    meetingId,
    pollId: poll.body.id as string,
    slips: slips.slips as (Slip & { name: string })[],
    slipOf: (name: string) => (slips.slips as (Slip & { name: string })[]).find((s) => s.name === name)!,
    keySetFingerprint: slips.keySetFingerprint as string,
    roomCode: await roomCodeOf(org, meetingId),
  };
}
