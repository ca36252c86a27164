import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { createMeeting, tokensOf } from '../helpers/meeting.ts';

let t: TestServer;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  t = startTestApp();
  server = await listen(t.app);
});
afterAll(async () => {
  await server.stop();
  t.close();
});

const castOverHttp = (ballots: unknown[]) =>
  fetch(`${server.url}/api/ballots`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ballots }) });

describe('spending a token through a real listening server', () => {
  it('50 concurrent casts of one token with different answers: one accepted, 49 refused, one stored', async () => {
    const candidates = Array.from({ length: 6 }, (_, i) => `c${i}`);
    const { pollId, devices } = await createMeeting(t, {
      voters: 2,
      open: 'voting',
      questions: [{ id: 'rec', type: 'approval', title: 'Recommend', options: candidates, maxChoices: 6 }],
    });
    const [held] = tokensOf(devices[0]!, pollId);
    // 50 distinct subsets of six candidates: every request means a different ballot.
    const answers = Array.from({ length: 50 }, (_, i) => candidates.filter((_, bit) => ((i + 1) >> bit) & 1));
    const responses = await Promise.all(answers.map((answer) => castOverHttp([{ token: held!.token, salt: held!.salt, answer }])));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const bodies = await Promise.all(responses.filter((r) => r.status === 409).map((r) => r.json()));
    expect(bodies.every((b: any) => b.error.code === 'token_spent')).toBe(true);
    const stored = t.deps.db.$client.prepare('SELECT count(*) AS n FROM ballots WHERE poll_id = ?').get(pollId) as { n: number };
    expect(stored.n).toBe(1);
    expect(t.deps.db.$client.prepare('SELECT cast_count FROM poll_keys WHERE poll_id = ?').all(pollId)).toEqual([{ cast_count: 1 }]);
  });

  it('an identical replay returns the same receipts with 200; other answers get 409 token_spent', async () => {
    const { pollId, devices } = await createMeeting(t, { voters: 1, open: 'voting' });
    const ballots = tokensOf(devices[0]!, pollId).map((h) => ({ token: h.token, salt: h.salt, answer: h.questionId === 'c1' ? 'agree' : 'abstain' }));
    const first = await castOverHttp(ballots);
    expect(first.status).toBe(201);
    const firstBody = (await first.json()) as { receipts: unknown[]; replay: boolean };
    expect(firstBody.replay).toBe(false);
    const again = await castOverHttp(ballots);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ receipts: firstBody.receipts, replay: true });
    const changed = await castOverHttp(ballots.map((b) => ({ ...b, answer: 'disagree' })));
    expect(changed.status).toBe(409);
    expect(((await changed.json()) as any).error.code).toBe('token_spent');
  });
});
