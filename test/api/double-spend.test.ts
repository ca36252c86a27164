import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { checkInSlip, createMeeting } from '../helpers/meeting.ts';

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

const castOverHttp = (token: string, choices: unknown) =>
  fetch(`${server.url}/api/ballots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, choices }),
  });

describe('spending a token through a real listening server', () => {
  it('50 concurrent casts of one token with different choices: one accepted, 49 refused, one stored', async () => {
    const candidates = Array.from({ length: 6 }, (_, i) => `c${i}`);
    const { slips, pollId } = await createMeeting(t, {
      voters: 2,
      open: 'voting',
      questions: [{ id: 'rec', type: 'approval', title: 'Recommend', options: candidates, maxChoices: 6 }],
    });
    const { token } = await checkInSlip(t, slips[0]!);
    // 50 distinct subsets of six candidates: every request means a different ballot.
    const choices = Array.from({ length: 50 }, (_, i) => candidates.filter((_, bit) => ((i + 1) >> bit) & 1));
    const responses = await Promise.all(choices.map((c) => castOverHttp(token.token, { rec: c })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const bodies = await Promise.all(responses.filter((r) => r.status === 409).map((r) => r.json()));
    expect(bodies.every((b: any) => b.error.code === 'token_spent')).toBe(true);
    const stored = t.deps.db.$client.prepare('SELECT count(*) AS n FROM ballots WHERE poll_id = ?').get(pollId) as { n: number };
    expect(stored.n).toBe(1);
  });

  it('an identical replay returns the same receipt with 200; different choices get 409 token_spent', async () => {
    const { slips } = await createMeeting(t, { voters: 1, open: 'voting' });
    const { token } = await checkInSlip(t, slips[0]!);
    const first = await castOverHttp(token.token, { c1: 'agree', c2: 'abstain' });
    expect(first.status).toBe(201);
    const firstBody = (await first.json()) as { receipt: string; replay: boolean };
    expect(firstBody.replay).toBe(false);
    const again = await castOverHttp(token.token, { c2: 'abstain', c1: 'agree' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ receipt: firstBody.receipt, replay: true });
    const changed = await castOverHttp(token.token, { c1: 'disagree', c2: 'abstain' });
    expect(changed.status).toBe(409);
    expect(((await changed.json()) as any).error.code).toBe('token_spent');
  });
});
