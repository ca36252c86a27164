/**
 * The organization tree and the three roles through the HTTP API: the admin builds units and
 * accounts; an organizer sees and changes only their unit's meetings; a scrutineer of the unit
 * watches and cannot change. (Every route, one by one: test/reliability/access-every-route.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORGANIZER_PASSWORD, organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';

let t: TestServer;
let admin: Awaited<ReturnType<typeof organizerClient>>;
const unit: Record<string, string> = {};

beforeAll(async () => {
  t = startTestApp();
  seedUser(t, 'orgdept', 'admin');
  admin = await organizerClient(t, 'orgdept');
  const make = async (name: string, parentId?: string) => {
    const r = await admin.call('POST', '/api/units', { name, ...(parentId ? { parentId } : {}) });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  unit.university = await make('某大学党委');
  unit.college = await make('计算机学院党委', unit.university);
  unit.branchA = await make('本科生第一党支部', unit.college);
  unit.branchB = await make('本科生第二党支部', unit.college);
  for (const [username, role, unitId] of [
    ['secretary-a', 'organizer', unit.branchA],
    ['deputy-a', 'organizer', unit.branchA],
    ['secretary-b', 'organizer', unit.branchB],
    ['scrutineer-a', 'scrutineer', unit.branchA],
  ] as const)
    expect((await admin.call('POST', '/api/users', { username, password: ORGANIZER_PASSWORD, role, unitId })).status).toBe(201);
});
afterAll(() => t?.close());

describe('units and accounts (admin)', () => {
  it('lists the tree with each unit’s parent', async () => {
    const { body } = await admin.call('GET', '/api/units');
    const parentOf = Object.fromEntries(body.units.map((u: { name: string; parentId: string | null }) => [u.name, u.parentId]));
    expect(parentOf).toEqual({
      某大学党委: null,
      计算机学院党委: unit.university,
      本科生第一党支部: unit.college,
      本科生第二党支部: unit.college,
    });
  });

  it('refuses a unit under an unknown parent, an account in an unknown unit, an admin inside a unit', async () => {
    expect((await admin.call('POST', '/api/units', { name: 'x', parentId: 'nope' })).body.error.code).toBe('invalid_body');
    const bad = await admin.call('POST', '/api/users', { username: 'lost', password: ORGANIZER_PASSWORD, role: 'organizer', unitId: 'nope' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_body']);
    const adminInUnit = await admin.call('POST', '/api/users', { username: 'boss', password: ORGANIZER_PASSWORD, role: 'admin', unitId: unit.branchA });
    expect(adminInUnit.status).toBe(400);
    const { body } = await admin.call('GET', '/api/users');
    expect(body.users.map((u: { username: string }) => u.username)).not.toContain('lost');
    expect(JSON.stringify(body)).not.toMatch(/scrypt|password/i);
  });

  it('lists accounts with role and unit', async () => {
    const { body } = await admin.call('GET', '/api/users');
    expect(body.users).toContainEqual(expect.objectContaining({ username: 'scrutineer-a', role: 'scrutineer', unitId: unit.branchA }));
  });
});

describe("a unit's meetings", () => {
  let meetingId: string;
  let pollId: string;

  beforeAll(async () => {
    const a = await organizerClient(t, 'secretary-a');
    meetingId = (await a.call('POST', '/api/meetings', { title: '接收预备党员大会' })).body.id;
    await a.call('POST', `/api/meetings/${meetingId}/voters`, { voters: [{ name: '王一', number: '2024001' }] });
    pollId = (await a.call('POST', `/api/meetings/${meetingId}/polls`, { title: '接收', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '李四' }] })).body.id;
  });

  it('names the units above the branch, nearest first: who may pre-examine its development objects', async () => {
    const a = await organizerClient(t, 'secretary-a');
    expect((await a.call('GET', `/api/meetings/${meetingId}`)).body.higherUnits).toEqual(['计算机学院党委', '某大学党委']);
  });

  it('another organizer of the same unit sees and runs them', async () => {
    const deputy = await organizerClient(t, 'deputy-a');
    expect((await deputy.call('GET', '/api/meetings')).body.meetings.map((m: { id: string }) => m.id)).toEqual([meetingId]);
    expect((await deputy.call('PATCH', `/api/polls/${pollId}`, { title: '接收李四为预备党员' })).status).toBe(200);
  });

  it("another branch's organizer neither lists nor reads nor changes them: 403", async () => {
    const b = await organizerClient(t, 'secretary-b');
    expect((await b.call('GET', '/api/meetings')).body.meetings).toEqual([]);
    for (const [method, path, body] of [
      ['GET', `/api/meetings/${meetingId}`, undefined],
      ['GET', `/api/meetings/${meetingId}/voters`, undefined],
      ['GET', `/api/polls/${pollId}`, undefined],
      ['PATCH', `/api/polls/${pollId}`, { title: 'taken over' }],
      ['POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' }],
    ] as const) {
      const r = await b.call(method, path, body);
      expect([r.status, r.body.error?.code], `${method} ${path}`).toEqual([403, 'forbidden']);
    }
  });

  it("the unit's scrutineer reads them but cannot change anything", async () => {
    const s = await organizerClient(t, 'scrutineer-a');
    expect((await s.call('GET', '/api/meetings')).body.meetings.map((m: { id: string }) => m.id)).toEqual([meetingId]);
    expect((await s.call('GET', `/api/polls/${pollId}/record`)).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/api/meetings', { title: 'mine' }],
      ['POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' }],
      ['PATCH', `/api/polls/${pollId}`, { title: 'changed' }],
    ] as const) {
      const r = await s.call(method, path, body);
      expect([r.status, r.body.error?.code], `${method} ${path}`).toEqual([403, 'forbidden']);
    }
    expect((await s.call('GET', `/api/polls/${pollId}`)).body.title).toBe('接收李四为预备党员');
  });

  it('the admin sees every unit’s meetings', async () => {
    expect((await admin.call('GET', '/api/meetings')).body.meetings.map((m: { id: string }) => m.id)).toContain(meetingId);
  });
});
