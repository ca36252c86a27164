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
import { castWithToken, checkInVoter, memoryStore, parseVotingFragment } from '../../shared/protocol/voter-flow.ts';
import { createOrganizerAccount, startChildServer, type ChildServer } from './child-server.ts';
import { runCrashScenario } from './crash-harness.ts';
import { castOverHttp, openMeetingForCheckin } from './meeting-over-http.ts';

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
  });
});

describe('restart mid-meeting: a poll in voting survives SIGKILL of the server process', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  it('keeps its keys, check-ins, ballots and the organizer session', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'anon-ballot-restart-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    createOrganizerAccount(dataDir);
    let server: ChildServer = await startChildServer(dataDir);
    cleanup.push(() => server.kill('SIGKILL'));
    const { org, meetingId, pollId, slips } = await openMeetingForCheckin(server.url, 4);
    const links = slips.map((s) => parseVotingFragment(new URL(s.link).hash));
    const devices = slips.map(() => memoryStore());
    const before = createVoterApi(server.url);
    const held = [];
    for (const i of [0, 1, 2]) held.push((await checkInVoter(before, devices[i]!, links[i]!.code!, links[i]!.fingerprints)).tokens[0]!);
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'voting' });
    const firstReceipt = await castWithToken(before, devices[0]!, held[0]!, { c1: 'agree', c2: 'disagree' });
    const keysBefore = (await before.meeting(meetingId)).polls[0]!.keys;
    const signerBefore = await (await fetch(`${server.url}/api/public/signer`)).json();

    const exit = await server.kill('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    server = await startChildServer(dataDir);
    const after = createVoterApi(server.url);

    // Keys: the same public keys and signer; the fingerprints on the slips still match.
    expect((await after.meeting(meetingId)).polls[0]!.keys).toEqual(keysBefore);
    expect(await (await fetch(`${server.url}/api/public/signer`)).json()).toEqual(signerBefore);
    // Check-ins and ballots: the turnout, the sign-in sheet (through the session from before the crash).
    expect(await after.turnout(pollId)).toEqual({ pollId, phase: 'voting', expected: 4, checkedIn: 3, ballotsCast: 1 });
    const sheet = await fetch(`${server.url}/api/polls/${pollId}/checkins`, { headers: { cookie: org.cookie } });
    expect(sheet.status).toBe(200);
    expect(((await sheet.json()) as any).checkedIn.map((v: { number: string }) => v.number)).toEqual(['N00000', 'N00001', 'N00002']);
    expect((await after.lookup(links[1]!.code!)).entitlements).toEqual([expect.objectContaining({ pollId, issued: true })]);

    // The private issuing key survived too: a voter who had not checked in gets a valid token now.
    held.push((await checkInVoter(after, devices[3]!, links[3]!.code!, links[3]!.fingerprints)).tokens[0]!);
    // Tokens issued before the crash are still good, and the ballot cast before it is still spent.
    for (const i of [1, 2, 3]) await castWithToken(after, devices[i]!, held[i]!, { c1: 'abstain', c2: 'agree' });
    const replay = await castOverHttp(server.url, held[0]!.token, { c1: 'agree', c2: 'disagree' });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ receipt: firstReceipt.receipt, replay: true });
    const changed = await castOverHttp(server.url, held[0]!.token, { c1: 'disagree', c2: 'disagree' });
    expect(changed.status).toBe(409);
    expect(await after.turnout(pollId)).toMatchObject({ checkedIn: 4, ballotsCast: 4 });
  });
});
