/** Sets up a meeting through the organizer API (in-process) and returns what voters need. */
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { checkInVoter, memoryStore, parseVotingFragment, type HeldToken, type VoterStore } from '../../shared/protocol/voter-flow.ts';
import { expect } from 'vitest';
import { inProcessFetch, organizerClient, seedUser, type TestServer } from './test-server.ts';

export const agreeQuestion = (id: string, title = id) => ({ id, type: 'single', title, options: ['agree', 'disagree', 'abstain'] });

export async function createMeeting(
  t: TestServer,
  options: { voters?: number; questions?: unknown[]; organizer?: string; open?: 'draft' | 'checkin' | 'voting' } = {},
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
  const voters = Array.from({ length: options.voters ?? 3 }, (_, i) => ({ name: `Voter ${i + 1}`, number: `N${String(i).padStart(4, '0')}` }));
  await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters });
  let slips: { voterId: string; code: string; link: string }[] = [];
  if (options.open !== 'draft') {
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips;
    if (options.open === 'voting') await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'voting' });
  }
  return { org, meetingId, pollId: poll.body.id as string, slips };
}

export async function checkInSlip(t: TestServer, slip: { link: string }, store: VoterStore = memoryStore()): Promise<{ store: VoterStore; token: HeldToken }> {
  const link = parseVotingFragment(new URL(slip.link).hash);
  const result = await checkInVoter(createVoterApi('', inProcessFetch(t)), store, link.code!, link.fingerprints);
  return { store, token: result.tokens[0]! };
}

/**
 * A branch general meeting accepting `candidates` (names), with `voters` full members and
 * check-in open, slips printed: the organizer's client, the ids, the slips and the fingerprints.
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
  return { org, meetingId, pollId: poll.body.id as string, slips: slips.slips as { link: string }[], fingerprints: slips.fingerprints as string[] };
}
