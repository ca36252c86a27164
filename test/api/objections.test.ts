/**
 * Mass supervision through the HTTP API: objections to a published result during its publicity
 * period (anonymous or named), read and answered by the unit's organizer, counted on the board
 * once the period has ended, never shown in text to the public.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeeting } from '../helpers/meeting.ts';
import { organizerClient, startTestApp, type TestServer } from '../helpers/test-server.ts';

let t: TestServer;
// Monday 2026-11-30, 10:00 in Beijing: a five-working-day period runs Monday to Friday 2026-12-04.
let clock = Date.parse('2026-11-30T02:00:00Z');
let unitA: Awaited<ReturnType<typeof createMeeting>>;
let unitB: Awaited<ReturnType<typeof createMeeting>>;

beforeAll(async () => {
  t = startTestApp({ now: () => new Date(clock) });
  unitA = await createMeeting(t, { voters: 2, open: 'voting' });
  unitB = await createMeeting(t, { voters: 1, organizer: 'other-branch' });
});
afterAll(() => t?.close());

const object = (pollId: string, body: unknown) =>
  t.app.request(`/api/public/polls/${pollId}/objections`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const summary = async (pollId: string) => (await (await t.app.request(`/api/public/polls/${pollId}/objections`)).json()) as any;

describe('objections during the publicity period', () => {
  it('are refused before the result is published', async () => {
    const r = await object(unitA.pollId, { text: '候选人材料不实' });
    expect(r.status).toBe(404);
    expect(t.deps.db.$client.prepare('SELECT count(*) AS n FROM objections').get()).toEqual({ n: 0 });
  });

  it('are taken, anonymous or named, while the period runs; the public sees no count yet', async () => {
    for (const to of ['closed', 'published']) expect((await unitA.org.call('POST', `/api/polls/${unitA.pollId}/transition`, { to })).status).toBe(200);
    const anonymous = await object(unitA.pollId, { text: '该同志入党动机不端正，曾在宿舍说过……' });
    expect(anonymous.status).toBe(201);
    expect(((await anonymous.json()) as any).receivedOn).toBe('2026-11-30');
    clock += 3 * 24 * 3600 * 1000; // Thursday
    expect((await object(unitA.pollId, { text: '计票过程我有疑问', name: '王同学', contact: '138 0000 0000' })).status).toBe(201);
    expect(await summary(unitA.pollId)).toEqual({
      period: { firstDay: '2026-11-30', lastDay: '2026-12-04', workingDays: 5, uncoveredYears: [], afterCutoff: false },
      status: 'running',
      received: null,
      outcomes: null,
      memberObjectionsPerDay: 3,
    });
  });

  it('refuses bad input with a clear error and stores nothing', async () => {
    for (const body of [{}, { text: '短' }, { text: 'x'.repeat(2001) }, { text: '理由充分的异议', extra: 1 }, { text: '理由充分的异议', name: '' }]) {
      const r = await object(unitA.pollId, body);
      expect(r.status, JSON.stringify(body).slice(0, 40)).toBe(400);
    }
    expect(t.deps.db.$client.prepare('SELECT count(*) AS n FROM objections').get()).toEqual({ n: 2 });
  });

  it("go to the unit's organizer with their text, who records outcomes in the audit log; another branch gets 403", async () => {
    // Sessions last 12 hours and the clock has moved on: sign in again.
    unitA.org = await organizerClient(t, 'secretary');
    unitB.org = await organizerClient(t, 'other-branch');
    const listed = await unitA.org.call('GET', `/api/polls/${unitA.pollId}/objections`);
    expect(listed.body.objections.map((o: any) => [o.receivedOn, o.name, o.outcome])).toEqual([
      ['2026-11-30', null, null],
      ['2026-12-03', '王同学', null],
    ]);
    const [anonymous, named] = listed.body.objections;
    expect(Object.keys(anonymous).sort()).toEqual(['channel', 'contact', 'decidedBy', 'id', 'name', 'outcome', 'outcomeNote', 'receivedOn', 'text']);
    expect(anonymous.channel).toBe('public');

    expect((await unitB.org.call('GET', `/api/polls/${unitA.pollId}/objections`)).status).toBe(403);
    expect((await unitB.org.call('PUT', `/api/polls/${unitA.pollId}/objections/${named.id}`, { outcome: 'reject', note: 'x' })).status).toBe(403);
    expect((await unitA.org.call('PUT', `/api/polls/${unitA.pollId}/objections/nope`, { outcome: 'reject', note: 'x' })).status).toBe(404);
    expect((await unitA.org.call('PUT', `/api/polls/${unitA.pollId}/objections/${named.id}`, { outcome: 'maybe', note: 'x' })).status).toBe(400);

    expect((await unitA.org.call('PUT', `/api/polls/${unitA.pollId}/objections/${anonymous.id}`, { outcome: 'defer', note: '支部已约谈，待核实后再定' })).status).toBe(200);
    expect((await unitA.org.call('PUT', `/api/polls/${unitA.pollId}/objections/${named.id}`, { outcome: 'reject', note: '计票由两名监票人核对，无误' })).status).toBe(200);
    const audit = await unitA.org.call('GET', `/api/meetings/${unitA.meetingId}/audit`);
    expect(audit.body.entries.filter((e: any) => e.action === 'objection_outcome').map((e: any) => JSON.parse(e.details).outcome)).toEqual(['defer', 'reject']);
    expect(JSON.stringify(audit.body)).not.toContain('入党动机'); // the log records the act, not the objector's words
  });

  it('after the period: no more objections; the board shows the count and outcomes, never the text', async () => {
    clock = Date.parse('2026-12-04T15:59:00Z'); // 23:59 on Friday in Beijing: still open
    expect((await object(unitA.pollId, { text: '最后一天的异议' })).status).toBe(201);
    clock = Date.parse('2026-12-04T16:00:00Z'); // midnight in Beijing: closed
    const late = await object(unitA.pollId, { text: '过期的异议' });
    expect([late.status, ((await late.json()) as any).error.code]).toEqual([409, 'wrong_phase']);
    const shown = await summary(unitA.pollId);
    expect(shown).toEqual({
      period: { firstDay: '2026-11-30', lastDay: '2026-12-04', workingDays: 5, uncoveredYears: [], afterCutoff: false },
      status: 'ended',
      received: 3,
      outcomes: { proceed: 0, defer: 1, reject: 1, pending: 1 },
      memberObjectionsPerDay: 3,
    });
  });

  it('limits how many objections one connection files in an hour, without storing the address', async () => {
    clock = Date.parse('2026-12-07T02:00:00Z'); // Monday
    const fresh = await createMeeting(t, { voters: 1, open: 'voting' });
    for (const to of ['closed', 'published']) await fresh.org.call('POST', `/api/polls/${fresh.pollId}/transition`, { to });
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await object(fresh.pollId, { text: `第 ${i + 1} 条异议` })).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    clock += 61 * 60 * 1000;
    expect((await object(fresh.pollId, { text: '一小时后的异议' })).status).toBe(201);
    const columns = t.deps.db.$client.prepare(`SELECT name FROM pragma_table_xinfo('objections')`).all() as { name: string }[];
    expect(columns.map((c) => c.name)).not.toEqual(expect.arrayContaining([expect.stringMatching(/addr|ip|agent|session|created/)]));
    // No hidden rowid keeps the order in which objections arrived.
    expect(t.deps.db.$client.prepare(`SELECT wr FROM pragma_table_list WHERE name = 'objections'`).get()).toEqual({ wr: 1 });
  });

  it('are open from the moment of publication, even at a weekend before the first working day', async () => {
    clock = Date.parse('2026-12-12T02:00:00Z'); // Saturday in Beijing
    const weekend = await createMeeting(t, { voters: 1, open: 'voting' });
    for (const to of ['closed', 'published']) await weekend.org.call('POST', `/api/polls/${weekend.pollId}/transition`, { to });
    expect((await summary(weekend.pollId)).period).toEqual({ firstDay: '2026-12-14', lastDay: '2026-12-18', workingDays: 5, uncoveredYears: [], afterCutoff: false });
    expect((await object(weekend.pollId, { text: '周末看到公示后提出的异议' })).status).toBe(201);
  });
});
