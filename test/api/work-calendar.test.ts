/**
 * The work calendar through the HTTP API: publicity periods counted over public holidays and
 * 调休 working days (the shipped 2026 schedule), a year entered and corrected by an administrator
 * and nobody else, the period the board shows and the one objections are taken in always the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeeting } from '../helpers/meeting.ts';
import { organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';

let t: TestServer;
// Friday 9 October 2026, 10:00 in Beijing: the week after 国庆.
let clock = Date.parse('2026-10-09T02:00:00Z');
let pollId: string;

beforeAll(async () => {
  t = startTestApp({ now: () => new Date(clock) });
  seedUser(t, 'admin', 'admin');
  const meeting = await createMeeting(t, { voters: 2, open: 'voting' });
  pollId = meeting.pollId;
  expect((await meeting.org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
  expect((await meeting.org.call('POST', `/api/polls/${pollId}/transition`, { to: 'published' })).status).toBe(200);
  // Published on Wednesday 30 September at 10:00 Beijing time, the day before 国庆.
  t.deps.db.$client.prepare('UPDATE polls SET published_at = ?, publicity_first_day = NULL, publicity_last_day = NULL WHERE id = ?').run('2026-09-30T02:00:00.000Z', pollId);
});
afterAll(() => t?.close());

const publicItem = async () => ((await (await t.app.request('/api/public/polls')).json()) as any).polls.find((p: { id: string }) => p.id === pollId);
const objectionSummary = async () => (await (await t.app.request(`/api/public/polls/${pollId}/objections`)).json()) as any;
const object = () =>
  t.app.request(`/api/public/polls/${pollId}/objections`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '候选人材料不实' }) });

describe('publicity over 国庆, on the shipped 2026 calendar', () => {
  it('runs from 30 September to Monday 12 October (the holiday left out, Saturday 10 October counted), on the board and for objections alike', async () => {
    const expected = { firstDay: '2026-09-30', lastDay: '2026-10-12', workingDays: 5, uncoveredYears: [], afterCutoff: false };
    expect((await publicItem()).publicity).toEqual(expected);
    expect((await publicItem()).publicityCutoff).toBe('12:00');
    expect((await objectionSummary()).period).toEqual(expected);
    // On Monday to Friday alone it would have ended on 6 October; on the 9th objections are still taken.
    expect((await object()).status).toBe(201);
  });

  it('lists the calendar publicly: 2026 as shipped, with its source', async () => {
    const calendar = (await (await t.app.request('/api/public/calendar')).json()) as any;
    expect(calendar.cutoff).toBe('12:00');
    expect(calendar.years.map((y: any) => [y.year, y.origin, y.holidays.length, y.workdays])).toEqual([
      [2026, 'shipped', 33, ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']],
    ]);
    expect(calendar.years[0].source).toContain('国务院办公厅');
  });
});

describe('an administrator keeps the calendar', () => {
  const body = { source: '国务院办公厅关于2026年部分节假日安排的通知（更正）', holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08'], workdays: [] };

  it('refuses an organizer, a scrutineer and nobody signed in; nothing changes', async () => {
    const organizer = await organizerClient(t);
    expect((await organizer.call('PUT', '/api/calendar/2026', body)).status).toBe(403);
    expect((await t.app.request('/api/calendar/2026', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status).toBe(401);
    expect((await publicItem()).publicity.lastDay).toBe('2026-10-12');
  });

  it.each([
    ['a date of another year', { ...body, holidays: ['2027-01-01'] }, /2027-01-01 is not in 2026/],
    ['a day both off and working', { ...body, workdays: ['2026-10-08'] }, /both a holiday and a working day/],
    ['a weekday as a 调休 working day', { ...body, holidays: [], workdays: ['2026-10-09'] }, /2026-10-09 is a weekday/],
    ['a date that does not exist', { ...body, holidays: ['2026-02-30'] }, /a date that exists/],
  ])('refuses %s with a clear 400, changing nothing', async (_name, bad, message) => {
    const admin = await organizerClient(t, 'admin');
    const refused = await admin.call('PUT', '/api/calendar/2026', bad);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(message);
    expect((await publicItem()).publicity.lastDay).toBe('2026-10-12');
  });

  it('refuses a year that is not four digits', async () => {
    const admin = await organizerClient(t, 'admin');
    expect((await admin.call('PUT', '/api/calendar/26', body)).status).toBe(400);
    expect((await admin.call('DELETE', '/api/calendar/x2026')).status).toBe(400);
  });

  it('a corrected year replaces the shipped one at once (the period moves), is audited, and removing it brings the shipped one back', async () => {
    const admin = await organizerClient(t, 'admin');
    const saved = await admin.call('PUT', '/api/calendar/2026', { ...body, holidays: [...body.holidays, '2026-10-05'] });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ year: 2026, origin: 'entered', updatedBy: 'admin', holidays: body.holidays, workdays: [] });
    // 30 Sep, then 9, 12, 13, 14 October: the 8th is off and the 10th is no longer a working day.
    expect((await publicItem()).publicity.lastDay).toBe('2026-10-14');
    expect((await objectionSummary()).period.lastDay).toBe('2026-10-14');
    const audit = t.deps.db.$client.prepare("SELECT actor, action, subject FROM audit_log WHERE action LIKE '%calendar%'").all();
    expect(audit).toEqual([{ actor: 'admin', action: 'set_calendar_year', subject: '2026' }]);
    expect((await admin.call('DELETE', '/api/calendar/2026')).status).toBe(200);
    expect((await publicItem()).publicity.lastDay).toBe('2026-10-12');
    // The shipped year itself cannot be removed, only replaced.
    const again = await admin.call('DELETE', '/api/calendar/2026');
    expect(again.status).toBe(404);
    expect(again.body.error.message).toMatch(/cannot be removed, only replaced/);
  });

  it('never shortens a period announced at publication: removing holidays afterwards leaves its last day, adding one lengthens it', async () => {
    const admin = await organizerClient(t, 'admin');
    const org = await organizerClient(t);
    const meeting = await createMeeting(t, { voters: 2, open: 'voting' });
    await org.call('POST', `/api/polls/${meeting.pollId}/transition`, { to: 'closed' });
    // Published on Wednesday 30 September, 10:00: announced until Monday 12 October.
    const saved = clock;
    clock = Date.parse('2026-09-30T02:00:00Z');
    expect((await org.call('POST', `/api/polls/${meeting.pollId}/transition`, { to: 'published' })).status).toBe(200);
    clock = saved;
    const item = async () => ((await (await t.app.request('/api/public/polls')).json()) as any).polls.find((p: { id: string }) => p.id === meeting.pollId);
    expect((await item()).publicity.lastDay).toBe('2026-10-12');
    const publish = t.deps.db.$client.prepare("SELECT details FROM audit_log WHERE action = 'publish' AND subject = ?").get(meeting.pollId) as { details: string };
    expect(JSON.parse(publish.details)).toMatchObject({ firstDay: '2026-09-30', lastDay: '2026-10-12', cutoff: '12:00' });
    // A "correction" that drops 国庆 would end it on 6 October: the announced 12 October stands.
    expect((await admin.call('PUT', '/api/calendar/2026', { source: '更正（测试）', holidays: ['2026-01-01'], workdays: [] })).status).toBe(200);
    expect((await item()).publicity.lastDay).toBe('2026-10-12');
    expect((await (await t.app.request(`/api/public/polls/${meeting.pollId}/objections`)).json() as any).period.lastDay).toBe('2026-10-12');
    // One that adds a day off lengthens it.
    expect((await admin.call('PUT', '/api/calendar/2026', { ...body, holidays: [...body.holidays, '2026-10-09'] })).status).toBe(200);
    expect((await item()).publicity.lastDay).toBe('2026-10-15');
    expect((await admin.call('DELETE', '/api/calendar/2026')).status).toBe(200);
  });

  it('refuses a year without a single holiday: it would silence the warning and count nothing', async () => {
    const admin = await organizerClient(t, 'admin');
    const empty = await admin.call('PUT', '/api/calendar/2027', { source: 'placeholder', holidays: [], workdays: [] });
    expect([empty.status, empty.body.error.message]).toEqual([400, expect.stringContaining('every year has public holidays')]);
  });

  it('a year the calendar lacks is named on the board until it is entered', async () => {
    const admin = await organizerClient(t, 'admin');
    t.deps.db.$client.prepare('UPDATE polls SET published_at = ?, publicity_first_day = NULL, publicity_last_day = NULL WHERE id = ?').run('2026-12-28T02:00:00.000Z', pollId);
    expect((await publicItem()).publicity).toMatchObject({ lastDay: '2027-01-01', uncoveredYears: [2027] });
    const entered = await admin.call('PUT', '/api/calendar/2027', { source: '国务院办公厅关于2027年部分节假日安排的通知', holidays: ['2027-01-01'], workdays: [] });
    expect(entered.status).toBe(200);
    expect((await publicItem()).publicity).toMatchObject({ lastDay: '2027-01-04', uncoveredYears: [] });
    t.deps.db.$client.prepare('UPDATE polls SET published_at = ?, publicity_first_day = NULL, publicity_last_day = NULL WHERE id = ?').run('2026-09-30T02:00:00.000Z', pollId);
  });
});
