/**
 * For the board and tally-sheet tests: a branch meeting accepting two candidates, run in-process
 * with the voters' own device code (test/helpers/meeting.ts), closed and published; the receipts
 * each device kept, as the voting page leaves them in localStorage; and a bundle "changed by the
 * server": one ballot's answer altered after the ballot box took it, its receipt recomputed (the
 * salt is published), the result counted again and the whole re-signed with the installation's
 * own key, so that every signature still verifies; and a protocol v1 bundle as v1 published them.
 */
import type { BrowserContext } from 'playwright-core';
import { expect } from 'vitest';
import { signBundle } from '../../shared/crypto/bundle-signature.ts';
import { ballotReceipt } from '../../shared/crypto/receipt.ts';
import { fromBase64, fromBase64Url, toHex } from '../../shared/encoding.ts';
import { resultOfBundle, type Bundle, type BundleV2 } from '../../shared/protocol/bundle.ts';
import { ruleSchema } from '../../shared/tally/rules.ts';
import type { Choice } from '../../shared/protocol/poll.ts';
import { STORE_PREFIX, type HeldReceipt } from '../../shared/protocol/voter-flow.ts';
import { castAll, checkInSlip, collect, openVoting, roomCodeOf, type Device } from './meeting.ts';
import { organizerClient, type TestServer } from './test-server.ts';

export interface PublishedMeeting {
  meetingId: string;
  pollId: string;
  /** The devices of the four members who checked in; the first three voted. */
  devices: Device[];
  /** Per voting device, the receipts it kept (one per candidate). */
  receipts: HeldReceipt[][];
}

/**
 * Five full members; the fifth is absent and sent a written opinion (agree on both). Four check
 * in, voting opens with a head count of 4, three vote, the fourth says in the room they did not
 * vote (recorded by the scrutineers; `declaredNotVoted` records another count). Two scrutineers are
 * named. `publish`: false leaves it closed.
 *
 *   张三 (c1): agree, agree, disagree + written agree → 3 of 5 expected: passed (3 needed)
 *   李四 (c2): agree, disagree, abstain + written agree → 2: not passed
 */
export async function publishedAcceptance(
  t: TestServer,
  options: { title: string; numberPrefix: string; publish?: boolean; declaredNotVoted?: number },
): Promise<PublishedMeeting> {
  const org = await organizerClient(t);
  const meetingId = (await org.call('POST', '/api/meetings', { title: options.title })).body.id as string;
  const poll = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
    title: '接收预备党员',
    kind: 'member_acceptance',
    publicityWorkingDays: 7,
    candidates: [
      { id: 'c1', name: '张三' },
      { id: 'c2', name: '李四' },
    ],
  });
  expect(poll.status).toBe(201);
  const pollId = poll.body.id as string;
  const voters = (
    await org.call('POST', `/api/meetings/${meetingId}/voters`, {
      voters: ['党员甲', '党员乙', '党员丙', '党员丁', '党员戊'].map((name, i) => ({ name, number: `${options.numberPrefix}${i}` })),
    })
  ).body.voters as { id: string }[];
  expect((await org.call('PUT', `/api/polls/${pollId}/written-opinions/${voters[4]!.id}`, { choices: { c1: 'agree', c2: 'agree' } })).status).toBe(200);
  expect((await org.call('PUT', `/api/polls/${pollId}/scrutineers`, { scrutineers: [{ name: '王芳', role: 'supervisor' }, { name: '李明', role: 'counter' }] })).status).toBe(200);
  expect((await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' })).status).toBe(200);
  const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { voterId: string; link: string }[];
  const roomCode = await roomCodeOf(org, meetingId);
  const devices: Device[] = [];
  for (const slip of slips.filter((s) => s.voterId !== voters[4]!.id)) devices.push(await checkInSlip(t, slip, roomCode));
  await openVoting(org, pollId, 4);
  for (const device of devices) await collect(device);
  const votes: Record<string, Choice>[] = [
    { c1: 'agree', c2: 'agree' },
    { c1: 'agree', c2: 'disagree' },
    { c1: 'disagree', c2: 'abstain' },
  ];
  const receipts: HeldReceipt[][] = [];
  for (const [i, answers] of votes.entries()) receipts.push(await castAll(devices[i]!, pollId, (q) => answers[q]!));
  expect((await org.call('PUT', `/api/polls/${pollId}/declared-not-voted`, { count: options.declaredNotVoted ?? 1 })).status).toBe(200);
  expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
  if (options.publish !== false) expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'published' })).status).toBe(200);
  return { meetingId, pollId, devices, receipts };
}

/** Puts what a device's voting page kept (its receipts) into this browser context's localStorage, before any page loads. */
export async function keepReceiptsInBrowser(context: BrowserContext, origin: string, devices: Device[]) {
  const entries = devices.flatMap((device) =>
    device.store
      .keys()
      .filter((key) => key.startsWith(`${STORE_PREFIX}receipts:`))
      .map((key) => [key, device.store.get(key)!] as const),
  );
  await context.addInitScript(
    ({ origin, entries }) => {
      if (location.origin === origin) for (const [key, value] of entries) localStorage.setItem(key, value);
    },
    { origin, entries },
  );
}

/**
 * What a dishonest server could publish: the ballot under the token whose nonce is `nonce` now
 * answers `answer`; its receipt is recomputed from the published salt, the result counted again
 * and the bundle re-signed with the installation's key. Every check of the verifier still passes.
 */
export function changedBallotBundle(bundle: BundleV2, nonce: string, answer: Choice, installationSecretKey: Uint8Array): BundleV2 {
  const ballots = bundle.ballots.map((ballot) => {
    const token = fromBase64Url(ballot.token, 'token');
    if (toHex(token.subarray(2, 34)) !== nonce) return ballot;
    return { ...ballot, answer, receipt: toHex(ballotReceipt(token, fromBase64(ballot.salt!, 'salt'), answer)) };
  });
  expect(ballots).not.toEqual(bundle.ballots);
  const { signature: _signature, cosignatures: _cosignatures, ...unsigned } = { ...bundle, ballots };
  return signBundle({ ...unsigned, result: resultOfBundle({ ...unsigned, result: bundle.result }) }, installationSecretKey);
}

/**
 * A protocol v1 bundle as v1 published them (one ballot answers every question; its receipt was
 * the SHA-256 of its token): 3 expected, 3 checked in, 张三 2 for, 1 against. Tokens and signature
 * are placeholders: only the pages that show a bundle read it, never the verifier.
 */
export function v1Bundle(pollId = 'v1poll000000'): Bundle {
  const partial = {
    format: 'anon-ballot-bundle/v1' as const,
    poll: {
      id: pollId,
      meetingId: 'v1meeting000',
      title: '接收预备党员（旧版）',
      kind: 'member_acceptance',
      questions: [{ id: 'c1', type: 'single' as const, title: '张三', options: ['agree', 'disagree', 'abstain'] }],
      rule: ruleSchema.parse({ kind: 'member_acceptance' }),
    },
    electorate: { expected: 3, checkedIn: 3, issued: { members: 3 } },
    tokenKeys: [{ group: 'members', keyId: 'a'.repeat(64), spki: 'AAAA' }],
    ballots: [
      { token: 'AAAA', choices: { c1: 'agree' } },
      { token: 'AAAB', choices: { c1: 'agree' } },
      { token: 'AAAC', choices: { c1: 'disagree' } },
    ],
    writtenOpinions: [],
    exclusions: [],
  };
  return {
    ...partial,
    scrutineers: [],
    result: resultOfBundle(partial as unknown as Bundle),
    closedAt: '2025-06-01T12:00:00.000Z',
    signer: { alg: 'Ed25519', publicKey: 'AAAA' },
    signature: 'AAAA',
  } as Bundle;
}
