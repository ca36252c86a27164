/**
 * Opening check-in generates one RSA issuing key per (poll, group, question): 10 polls × 5
 * groups here, 50 keys, several seconds of CPU. They are generated on libuv's thread pool, not on
 * the event loop, so every other meeting on the server keeps being answered meanwhile. The real
 * server runs as a child process (as `npm start` runs it); from this process a probe asks for a
 * public page every 20 ms while the organizer opens check-in, and no probe may wait 100 ms or more.
 * (`npm run bench` measures the same at the opening of voting, where the signing happens.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrganizerAccount, signIn, startChildServer, type ChildServer } from './child-server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'anon-ballot-stall-'));
let server: ChildServer | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const GROUPS = ['g1', 'g2', 'g3', 'g4', 'g5'];

describe('opening check-in with many keys', () => {
  it('keeps answering other requests within 100 ms while 50 issuing keys are generated', async () => {
    createOrganizerAccount(dataDir);
    server = await startChildServer(dataDir);
    const org = await signIn(server.url);
    const meeting = await org.call('POST', '/api/meetings', { title: '十个投票的大会' });
    for (let i = 0; i < 10; i++)
      await org.call('POST', `/api/meetings/${meeting.id}/polls`, {
        title: `表决 ${i + 1}`,
        groups: GROUPS,
        questions: [{ id: 'c1', type: 'single', title: '候选人', options: ['agree', 'disagree', 'abstain'] }],
      });
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: GROUPS.map((g, i) => ({ name: `成员${i}`, number: `N${i}`, groups: [g] })) });
    // Another meeting's page, the request every projector and phone makes.
    const probeUrl = `${server.url}/api/public/signer`;
    expect((await fetch(probeUrl)).status).toBe(200);

    const waits: number[] = [];
    let opening = true;
    const probe = (async () => {
      while (opening) {
        const started = performance.now();
        const response = await fetch(probeUrl);
        await response.arrayBuffer();
        waits.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const started = performance.now();
    const opened = await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' });
    const took = performance.now() - started;
    opening = false;
    await probe;

    expect(opened.polls).toHaveLength(10);
    const keys = await fetch(`${server.url}/api/public/meetings/${meeting.id}`).then((r) => r.json() as Promise<{ polls: { keys: unknown[] }[] }>);
    expect(keys.polls.flatMap((p) => p.keys)).toHaveLength(50);
    // The premise: the opening took long enough for the probe to ask many times.
    expect(took).toBeGreaterThan(500);
    expect(waits.length).toBeGreaterThan(10);
    const longest = Math.max(...waits);
    console.log(`opening 50 keys: ${Math.round(took)} ms; ${waits.length} probes, longest ${longest.toFixed(1)} ms`);
    expect(longest).toBeLessThan(100);
  });
});
