/**
 * The data directory is the server's alone: after start, a meeting, a close and a publish, the
 * directory is 0700 and every file in it (ballot.db, its -wal and -shm, the installation key)
 * 0600. The directory here starts as an earlier version left it (0755, the database 0644), and
 * the real server (a child process, as `npm start` runs it) narrows both at start.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrganizerAccount, startChildServer, type ChildServer } from './child-server.ts';
import { ballotsOf, castOverHttp, checkInAll, choicesFor, openMeetingForCheckin } from './meeting-over-http.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'anon-ballot-modes-'));
let server: ChildServer | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every entry of the data directory with its permission bits, e.g. { 'ballot.db': 0o600 }. */
function modes(): Record<string, number> {
  return Object.fromEntries(readdirSync(dataDir).map((name) => [name, statSync(join(dataDir, name)).mode & 0o777]));
}

function expectPrivate(when: string) {
  expect(statSync(dataDir).mode & 0o777, `the data directory ${when}`).toBe(0o700);
  const files = modes();
  expect(Object.keys(files), when).toEqual(expect.arrayContaining(['ballot.db', 'installation-key.json']));
  for (const [name, mode] of Object.entries(files)) expect(mode.toString(8), `${name} ${when}`).toBe('600');
}

describe('the data directory', () => {
  it('is 0700 with every file 0600 after start, a meeting, a close and a publish, even if an earlier version left it open', async () => {
    createOrganizerAccount(dataDir);
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'ballot.db'), 0o644);
    expect(modes()['ballot.db']).toBe(0o644); // the premise: readable by everyone before the server starts

    server = await startChildServer(dataDir);
    expectPrivate('after start');

    const meeting = await openMeetingForCheckin(server.url, 3);
    const tokens = await checkInAll(server.url, meeting);
    for (const [i, held] of tokens.entries()) expect((await castOverHttp(server.url, ballotsOf(held, choicesFor(i)))).status).toBe(201);
    expect(Object.keys(modes())).toEqual(expect.arrayContaining(['ballot.db-wal', 'ballot.db-shm']));
    expectPrivate('while voting');

    await meeting.org.call('POST', `/api/polls/${meeting.pollId}/transition`, { to: 'closed' });
    await meeting.org.call('POST', `/api/polls/${meeting.pollId}/transition`, { to: 'published' });
    expectPrivate('after close and publish');
  });
});
