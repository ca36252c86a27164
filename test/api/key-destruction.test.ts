/**
 * After voting opens no issuing private key exists anywhere: not in the database file, not in its
 * -wal or -shm, not in a copy taken then. The test keeps each key as it was while check-in was
 * open, opens voting, and scans the bytes of every file of the data directory for it. With late
 * check-in allowed the keys live on (for approvals) and are gone after close.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestServer } from '../helpers/test-server.ts';
import { castAll, checkInSlip, collect, createMeeting, openVoting } from '../helpers/meeting.ts';

let t: TestServer;
afterEach(() => t?.close());

/** Distinctive pieces of each private key: 48-byte windows from the middle of the PKCS#8 (the primes and exponents). */
function keyPieces(t: TestServer, pollId: string): Buffer[] {
  const rows = t.deps.db.$client.prepare('SELECT private_key FROM poll_keys WHERE poll_id = ?').all(pollId) as { private_key: Buffer | null }[];
  return rows.flatMap(({ private_key: key }) => {
    if (!key) throw new Error('no private key to look for');
    return [0.3, 0.5, 0.7, 0.9].map((at) => key.subarray(Math.floor(key.length * at), Math.floor(key.length * at) + 48));
  });
}

/** Every file under the data directory that holds one of the pieces, with how many it holds. */
function filesHolding(dir: string, pieces: Buffer[]): string[] {
  return readdirSync(dir).flatMap((name) => {
    const bytes = readFileSync(join(dir, name));
    const n = pieces.filter((p) => bytes.includes(p)).length;
    return n ? [`${name}: ${n} of ${pieces.length}`] : [];
  });
}

describe('issuing private keys after the opening', () => {
  it('exist in the files while check-in is open, and nowhere once voting opened: database, WAL, SHM, a copy', async () => {
    t = startTestApp();
    const { org, pollId, slips, roomCode } = await createMeeting(t, { voters: 6, open: 'checkin' });
    const pieces = keyPieces(t, pollId);
    expect(pieces.length).toBe(8);
    // The scan can see them: while check-in is open the keys are in the files.
    expect(filesHolding(t.dataDir, pieces).length).toBeGreaterThan(0);
    const devices = [];
    for (const slip of slips.slice(0, 4)) devices.push(await checkInSlip(t, slip, roomCode));
    await openVoting(org, pollId, 4);
    expect(t.deps.db.$client.prepare('SELECT count(*) AS n FROM poll_keys WHERE private_key IS NOT NULL').get()).toEqual({ n: 0 });
    expect(existsSync(join(t.dataDir, 'ballot.db-wal'))).toBe(true);
    expect(filesHolding(t.dataDir, pieces)).toEqual([]);
    // A copy of the files taken now (as a backup would) holds none either.
    for (const name of readdirSync(t.dataDir)) copyFileSync(join(t.dataDir, name), join(t.dataDir, `backup-${name}`));
    expect(filesHolding(t.dataDir, pieces)).toEqual([]);
    // And voting goes on: the tokens were signed before the keys went.
    for (const d of devices) await collect(d);
    expect(await castAll(devices[0]!, pollId)).toHaveLength(2);
  });

  it('with late check-in allowed, live on until close for the scrutineers’ approvals, then are gone', async () => {
    t = startTestApp();
    const { org, meetingId, pollId, slips, roomCode } = await createMeeting(t, { voters: 3, open: 'checkin' });
    const refused = await org.call('PUT', `/api/meetings/${meetingId}/late-check-in`, { allowed: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/timing/);
    expect((await org.call('PUT', `/api/meetings/${meetingId}/late-check-in`, { allowed: true, exposureAccepted: true })).status).toBe(200);
    const pieces = keyPieces(t, pollId);
    await checkInSlip(t, slips[0]!, roomCode);
    await openVoting(org, pollId, 1);
    expect(filesHolding(t.dataDir, pieces).length).toBeGreaterThan(0);
    // Once voting opened, the setting is fixed.
    expect((await org.call('PUT', `/api/meetings/${meetingId}/late-check-in`, { allowed: false })).status).toBe(409);
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    expect(filesHolding(t.dataDir, pieces)).toEqual([]);
  });
});
