/**
 * The real server process killed with SIGKILL: under a steady cast load (see crash-harness.ts for
 * the scenario and what it does and does not prove), and in the middle of a meeting.
 * About 20 s on an idle 2-core machine, 40 s on a busy one: each start of the child process
 * (`node --import tsx server/main.ts`) costs 1.3–3.5 s. `npm run soak` runs 50 kills
 * (crash-safety.soak.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { castPoll, checkInVoter, collectTokens, heldTokens, memoryStore, parseVotingFragment, voterSlot } from '../../shared/protocol/voter-flow.ts';
import { createOrganizerAccount, signIn, startChildServer, type ChildServer } from './child-server.ts';
import { runCrashScenario } from './crash-harness.ts';
import { ballotsOf, castOverHttp, openMeetingForCheckin } from './meeting-over-http.ts';

describe('crash safety: SIGKILL under a steady cast load', () => {
  it('after each of 5 kills every acknowledged ballot is stored exactly once, and the final bundle verifies', async () => {
    // Enough tokens that casting (several hundred a second with group commit) never runs dry before the last kill.
    const result = await runCrashScenario({ voters: 400, kills: 5, killAfterMs: [20, 100], inFlight: 4 });
    const context = `seed ${result.seed}`;
    expect(result.problems, context).toEqual([]);
    expect(result.kills, context).toBe(5);
    // Casting ran between the kills (the harness also checks tokens were left at each kill).
    expect(result.acknowledged, context).toBeGreaterThan(result.kills);
    expect(result.stored, context).toBeGreaterThanOrEqual(result.acknowledged);
    expect(result.report.firstFailure, context).toBeUndefined();
    expect(result.report.ok, context).toBe(true);
    expect(result.bundleTokens.length, context).toBe(result.stored);
    // 400 check-ins of two blinded requests, the opening and 400 fetches come first: more than a minute on a busy machine.
  }, 240_000);
});

describe('restart mid-meeting: a poll survives SIGKILL of the server process', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  it('keeps its keys and pending check-ins across a kill during check-in, and its ballots and issued counts across a kill during voting', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'anon-ballot-restart-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    createOrganizerAccount(dataDir);
    let server: ChildServer = await startChildServer(dataDir);
    cleanup.push(() => server.kill('SIGKILL'));
    const { org, meetingId, pollId, slips, roomCode } = await openMeetingForCheckin(server.url, 4);
    const links = slips.map((s) => parseVotingFragment(new URL(s.link).hash));
    const stores = slips.map(() => memoryStore());
    const before = createVoterApi(server.url);
    const meetings = [];
    for (const i of [0, 1, 2]) meetings.push((await checkInVoter(before, stores[i]!, links[i]!.code!, roomCode, links[i]!.keySetFingerprint!)).meeting);
    const keysBefore = (await before.meeting(meetingId)).polls[0]!.keys;
    const signerBefore = await (await fetch(`${server.url}/api/public/signer`)).json();

    // A kill during check-in: the keys (still held for the opening) and the pending check-ins survive.
    expect((await server.kill('SIGKILL')).signal).toBe('SIGKILL');
    server = await startChildServer(dataDir);
    const after = createVoterApi(server.url);
    expect((await after.meeting(meetingId)).polls[0]!.keys).toEqual(keysBefore);
    expect(await (await fetch(`${server.url}/api/public/signer`)).json()).toEqual(signerBefore);
    expect(await after.turnout(pollId)).toMatchObject({ phase: 'checkin', expected: 4, checkedIn: 3, submitted: 0 });
    const sheet = await fetch(`${server.url}/api/polls/${pollId}/checkins`, { headers: { cookie: org.cookie } });
    expect(sheet.status).toBe(200);
    expect(((await sheet.json()) as any).voters.map((v: { state: string }) => v.state)).toEqual(['pending', 'pending', 'pending', 'none']);
    // The room code survived too: the fourth voter checks in now, and voting opens with all four.
    meetings.push((await checkInVoter(after, stores[3]!, links[3]!.code!, roomCode, links[3]!.keySetFingerprint!)).meeting);
    const orgAfter = await signIn(server.url);
    expect((await orgAfter.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting', headCount: 4 })).phase).toBe('voting');
    for (const i of [0, 1, 2, 3]) expect((await collectTokens(after, stores[i]!, voterSlot(links[i]!.code!), meetings[i]!)).ready).toEqual([pollId]);
    const poll = meetings[0]!.polls[0]!;
    const firstTokens = heldTokens(stores[0]!, voterSlot(links[0]!.code!), pollId);
    const firstReceipts = await castPoll(after, stores[0]!, voterSlot(links[0]!.code!), poll, meetings[0]!.signer, { c1: 'agree', c2: 'disagree' });

    // A kill during voting: ballots and the count of tokens issued per key survive.
    expect((await server.kill('SIGKILL')).signal).toBe('SIGKILL');
    server = await startChildServer(dataDir);
    const again = createVoterApi(server.url);
    expect(await again.turnout(pollId)).toMatchObject({ phase: 'voting', checkedIn: 4, submitted: 1, headCount: 4 });
    for (const i of [1, 2, 3]) await castPoll(again, stores[i]!, voterSlot(links[i]!.code!), poll, meetings[i]!.signer, { c1: 'abstain', c2: 'agree' });
    expect(await again.turnout(pollId)).toMatchObject({ checkedIn: 4, submitted: 4 });
    // The ballots cast before the kill are still spent: the same submission is a replay, another a refusal.
    const replay = await castOverHttp(server.url, ballotsOf(firstTokens, { c1: 'agree', c2: 'disagree' }));
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as any).receipts.map((r: { receipt: string }) => r.receipt).sort()).toEqual(firstReceipts.map((r) => r.receipt).sort());
    expect((await castOverHttp(server.url, ballotsOf(firstTokens, { c1: 'disagree', c2: 'disagree' }))).status).toBe(409);
    const audit = await fetch(`${server.url}/api/meetings/${meetingId}/audit`, { headers: { cookie: org.cookie } });
    expect(((await audit.json()) as any).chain.ok).toBe(true);
  });
});
