/**
 * Access control on every organizer and administrator route, taken from /api/openapi.json (its
 * `x-access`), so a route added later is covered without editing this file. Complements
 * test/api/access.test.ts, which checks a hand-written list of routes, the login rate limit and
 * the headers of one response. Refused requests must also write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { createMeeting } from '../helpers/meeting.ts';
import { REPO_ROOT } from './child-server.ts';
import { openDatabaseWatch } from './fuzz-harness.ts';

interface Route {
  method: string;
  template: string;
  access: string;
}

let t: TestServer;
let unitA: Awaited<ReturnType<typeof createMeeting>>;
let unitB: Awaited<ReturnType<typeof createMeeting>>;
let routes: Route[];
let voterOfA: string;
let watch: ReturnType<typeof openDatabaseWatch>;
let clock = Date.now();

beforeAll(async () => {
  t = startTestApp({ now: () => new Date(clock) });
  unitA = await createMeeting(t, { voters: 2 });
  unitB = await createMeeting(t, { voters: 1, organizer: 'other-branch' });
  seedUser(t, 'orgdept', 'admin');
  voterOfA = (await unitA.org.call('GET', `/api/meetings/${unitA.meetingId}/voters`)).body.voters[0].id;
  const doc = (await (await t.app.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, { 'x-access': string }>> };
  routes = Object.entries(doc.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), template, access: op['x-access'] })),
  );
  watch = openDatabaseWatch(t.dataDir);
});
afterAll(() => {
  watch?.close();
  t?.close();
});

const guarded = () => routes.filter((r) => r.access === 'organizer' || r.access === 'admin' || r.access === 'scrutineer');
const changesState = (r: Route) => r.method !== 'GET' && r.method !== 'HEAD';
const label = (r: Route) => `${r.method} ${r.template}`;

/** The route's path with unit A's ids: its meeting, its poll, one of its voters, a question. */
function pathOf(r: Route): string {
  return r.template
    .replace('{voterId}', voterOfA)
    .replace('{questionId}', 'c1')
    .replace('{id}', /^\/api\/(polls|cosign)\//.test(r.template) ? unitA.pollId : unitA.meetingId);
}

/**
 * A body the route's schema accepts: bodies are validated before the caller's rights to the
 * meeting are, so only a valid body shows what is refused is the caller. A new route with a body
 * needs its entry here (the test names the route when it gets a 400 instead).
 */
function bodyOf(r: Route): unknown {
  const bodies: Record<string, unknown> = {
    'POST /api/users': { username: 'intruder', password: 'long enough password', role: 'admin' },
    'POST /api/units': { name: 'Shadow branch' },
    'POST /api/meetings': { title: 'x' },
    'POST /api/meetings/{id}/voters': { voters: [{ name: 'X', number: 'X1' }] },
    'POST /api/meetings/{id}/polls': { title: 'x', questions: [{ id: 'a', type: 'single', title: 'a', options: ['agree', 'disagree'] }] },
    'POST /api/meetings/{id}/transition': { to: 'voting' },
    'POST /api/meetings/{id}/slips': {},
    'PUT /api/meetings/{id}/exclusions/{voterId}': { reason: 'abroad for a year', approvedBy: 'Committee' },
    'PATCH /api/polls/{id}': { title: 'y' },
    'POST /api/polls/{id}/transition': { to: 'voting', headCount: 1 },
    'PUT /api/polls/{id}/declared-not-voted': { count: 1 },
    'POST /api/polls/{id}/reschedule': { headCount: 0 },
    'PUT /api/calendar/{year}': { source: '国务院办公厅通知', holidays: ['2027-01-01'], workdays: [] },
    'PUT /api/meetings/{id}/late-check-in': { allowed: true, exposureAccepted: true },
    'PUT /api/polls/{id}/written-opinions/{voterId}': { choices: { c1: 'agree', c2: 'agree' } },
    'PUT /api/cosign/{id}/key': { publicKey: Buffer.alloc(32, 7).toString('base64') },
    'POST /api/cosign/{id}/signature': { signature: Buffer.alloc(64, 7).toString('base64') },
    'POST /api/cosign/{id}/opening-signature': { signature: Buffer.alloc(64, 7).toString('base64') },
    'POST /api/cosign/{id}/late-checkins/{voterId}/approve': { confirmationCode: 'ABCDEF' },
    'POST /api/cosign/{id}/candidate-keys/approve': { questionId: 'c1', fingerprint: '0123456789abcdef' },
    'PUT /api/polls/{id}/objections/{objectionId}': { outcome: 'reject', note: 'no grounds' },
    'PUT /api/polls/{id}/scrutineers': { scrutineers: [{ name: 'Zhao', role: 'supervisor' }] },
    'PUT /api/polls/{id}/decisions/{questionId}': { step: 'committee_decision', outcome: 'confirmed', decidedBy: 'Committee', date: '2026-11-30' },
  };
  return changesState(r) ? (bodies[label(r)] ?? {}) : undefined;
}

async function send(r: Route, headers: Record<string, string>) {
  const body = bodyOf(r);
  const response = await t.app.request(pathOf(r), {
    method: r.method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, code: ((await response.json()) as any).error?.code as string | undefined, wrote: watch.changedTables() };
}

describe('every organizer and administrator route of the OpenAPI document', () => {
  it('the document marks at least the known organizer routes', () => {
    expect(guarded().length).toBeGreaterThanOrEqual(20);
    expect(guarded().map(label)).toEqual(expect.arrayContaining(['POST /api/users', 'PUT /api/polls/{id}/scrutineers', 'GET /api/polls/{id}/record']));
  });

  it('without a session: 401 unauthenticated, nothing written', async () => {
    for (const r of guarded()) expect(await send(r, {}), label(r)).toEqual({ status: 401, code: 'unauthenticated', wrote: [] });
  });

  it("with a voter's code as cookie or bearer token: 401, nothing written", async () => {
    const code = unitA.slips[0]!.code;
    for (const r of guarded())
      expect(await send(r, { cookie: `ab_session=${code}`, authorization: `Bearer ${code}` }), label(r)).toEqual({ status: 401, code: 'unauthenticated', wrote: [] });
  });

  it("another unit's organizer: 403 on every route of this meeting and its poll, nothing written", async () => {
    const other = unitB.org;
    for (const r of guarded().filter((r) => r.template.includes('{id}')))
      expect(await send(r, { cookie: other.cookie, 'x-csrf-token': other.csrfToken }), label(r)).toEqual({ status: 403, code: 'forbidden', wrote: [] });
  });

  it("a voter of another unit's roster is not found through one's own meeting", async () => {
    const other = unitB.org;
    for (const r of guarded().filter((r) => r.template.includes('{voterId}'))) {
      const path = r.template.replace('{voterId}', voterOfA).replace('{id}', r.template.startsWith('/api/polls') ? unitB.pollId : unitB.meetingId);
      const response = await t.app.request(path, {
        method: r.method,
        headers: { cookie: other.cookie, 'x-csrf-token': other.csrfToken, 'content-type': 'application/json' },
        ...(changesState(r) ? { body: JSON.stringify(bodyOf(r)) } : {}),
      });
      expect(response.status, label(r)).toBe(404);
      expect(watch.changedTables(), label(r)).toEqual([]);
    }
  });

  it('a scrutineer: 403 on every route that changes anything but co-signing, nothing written; reading is allowed', async () => {
    seedUser(t, 'watcher', 'scrutineer');
    const scrutineer = await organizerClient(t, 'watcher');
    watch.changedTables(); // the sign-in wrote its session
    const changing = guarded().filter((r) => changesState(r) && r.access !== 'scrutineer' && !r.template.startsWith('/api/session'));
    expect(changing.length).toBeGreaterThan(10);
    for (const r of changing)
      expect(await send(r, { cookie: scrutineer.cookie, 'x-csrf-token': scrutineer.csrfToken }), label(r)).toEqual({ status: 403, code: 'forbidden', wrote: [] });
  });

  it('an organizer on an administrator route: 403, nothing written', async () => {
    const admins = guarded().filter((r) => r.access === 'admin');
    expect(admins.length).toBeGreaterThan(0);
    for (const r of admins)
      expect(await send(r, { cookie: unitA.org.cookie, 'x-csrf-token': unitA.org.csrfToken }), label(r)).toEqual({ status: 403, code: 'forbidden', wrote: [] });
  });

  it('a state-changing request without the CSRF token, or with another session’s: 403 csrf, nothing written', async () => {
    for (const r of guarded().filter(changesState)) {
      expect(await send(r, { cookie: unitA.org.cookie }), label(r)).toEqual({ status: 403, code: 'csrf', wrote: [] });
      expect(await send(r, { cookie: unitA.org.cookie, 'x-csrf-token': unitB.org.csrfToken }), label(r)).toEqual({ status: 403, code: 'csrf', wrote: [] });
    }
  });

  it('a cross-site or opaque Origin on any state-changing API route, voters’ included: 403 csrf, nothing written', async () => {
    const stateChanging = routes.filter(changesState);
    expect(stateChanging.map(label)).toEqual(expect.arrayContaining(['POST /api/ballots', 'POST /api/checkin', 'POST /api/session']));
    for (const r of stateChanging)
      for (const origin of ['https://evil.example', 'null', 'http://localhost.evil.example'])
        expect(await send(r, { cookie: unitA.org.cookie, 'x-csrf-token': unitA.org.csrfToken, origin }), `${label(r)} from ${origin}`).toEqual({
          status: 403,
          code: 'csrf',
          wrote: [],
        });
  });
});

describe('sessions end', () => {
  it('a session cookie replayed after sign-out is refused', async () => {
    const me = await organizerClient(t);
    expect((await me.call('DELETE', '/api/session')).status).toBe(200);
    watch.changedTables();
    const replay = await t.app.request(`/api/meetings/${unitA.meetingId}`, { headers: { cookie: me.cookie } });
    expect(replay.status).toBe(401);
  });

  it('a session is refused once it has expired (12 hours)', async () => {
    const me = await organizerClient(t);
    expect((await me.call('GET', '/api/session')).status).toBe(200);
    clock += 12 * 60 * 60 * 1000 + 1000;
    try {
      expect((await me.call('GET', '/api/session')).status).toBe(401);
    } finally {
      clock = Date.now();
    }
  });
});

describe('headers for deployment', () => {
  it('every kind of API answer carries the CSP, frame-ancestors none, nosniff and no-referrer', async () => {
    const answers = [
      await t.app.request('/api/public/signer'),
      await t.app.request('/api/nothing-here'),
      await t.app.request('/api/ballots', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
      await t.app.request(`/api/meetings/${unitA.meetingId}`, { headers: { cookie: unitA.org.cookie } }),
    ];
    for (const response of answers) {
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('HSTS is documented for the HTTPS deployment', () => {
    const deployment = readFileSync(join(REPO_ROOT, 'docs', 'deployment.md'), 'utf8');
    expect(deployment).toMatch(/Strict-Transport-Security: max-age=\d{7,}/);
  });
});
