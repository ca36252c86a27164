import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizerClient, ORGANIZER_PASSWORD, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { createMeeting } from '../helpers/meeting.ts';

let t: TestServer;
let ctx: Awaited<ReturnType<typeof createMeeting>>;
beforeAll(async () => {
  t = startTestApp({ limits: { signInFailures: { count: 3, windowMs: 60_000 } } });
  ctx = await createMeeting(t, { voters: 2 });
  seedUser(t, 'other-branch');
  seedUser(t, 'orgdept', 'admin');
});
afterAll(() => t.close());

const organizerRoutes = () => [
  ['GET', '/api/meetings'],
  ['POST', '/api/meetings', { title: 'x' }],
  ['GET', `/api/meetings/${ctx.meetingId}`],
  ['GET', `/api/meetings/${ctx.meetingId}/voters`],
  ['POST', `/api/meetings/${ctx.meetingId}/voters`, { voters: [{ name: 'x', number: 'y' }] }],
  ['POST', `/api/meetings/${ctx.meetingId}/polls`, { title: 'x', questions: [{ id: 'a', type: 'single', title: 'a', options: ['agree', 'disagree'] }] }],
  ['POST', `/api/meetings/${ctx.meetingId}/transition`, { to: 'voting' }],
  ['POST', `/api/meetings/${ctx.meetingId}/slips`, {}],
  ['GET', `/api/meetings/${ctx.meetingId}/audit`],
  ['GET', `/api/polls/${ctx.pollId}`],
  ['PATCH', `/api/polls/${ctx.pollId}`, { title: 'y' }],
  ['POST', `/api/polls/${ctx.pollId}/transition`, { to: 'voting', headCount: 1 }],
  ['GET', `/api/polls/${ctx.pollId}/checkins`],
  ['PUT', `/api/polls/${ctx.pollId}/declared-not-voted`, { count: 1 }],
  ['GET', `/api/meetings/${ctx.meetingId}/room-code`],
  ['POST', `/api/meetings/${ctx.meetingId}/room-code`],
  ['PUT', `/api/meetings/${ctx.meetingId}/late-check-in`, { allowed: false }],
  ['GET', `/api/polls/${ctx.pollId}/bundle`],
] as [string, string, unknown?][];

const request = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
  t.app.request(path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('who may do what', () => {
  it('every organizer route without a session is 401', async () => {
    for (const [method, path, body] of organizerRoutes()) {
      const response = await request(method, path, body, {});
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });

  it("another branch's organizer gets 403 on every route of this meeting", async () => {
    const other = await organizerClient(t, 'other-branch');
    for (const [method, path, body] of organizerRoutes().filter(([, p]) => p !== '/api/meetings')) {
      const response = await request(method, path, body, { cookie: other.cookie, 'x-csrf-token': other.csrfToken });
      expect(response.status, `${method} ${path}`).toBe(403);
    }
    const list = await other.call('GET', '/api/meetings');
    expect(list.body.meetings).toEqual([]);
  });

  it("a voter's code is not a session", async () => {
    for (const [method, path, body] of organizerRoutes()) {
      const response = await request(method, path, body, { cookie: `ab_session=${ctx.slips[0]!.code}`, authorization: `Bearer ${ctx.slips[0]!.code}` });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });

  it('state-changing requests need the CSRF token and a same-site origin', async () => {
    const me = await organizerClient(t);
    const noToken = await request('POST', '/api/meetings', { title: 'x' }, { cookie: me.cookie });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as any).error.code).toBe('csrf');
    const wrongToken = await request('POST', '/api/meetings', { title: 'x' }, { cookie: me.cookie, 'x-csrf-token': 'guess' });
    expect(wrongToken.status).toBe(403);
    const crossSite = await request('POST', '/api/meetings', { title: 'x' }, { cookie: me.cookie, 'x-csrf-token': me.csrfToken, origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    const sameSite = await request('POST', '/api/meetings', { title: 'x' }, { cookie: me.cookie, 'x-csrf-token': me.csrfToken, origin: 'http://localhost' });
    expect(sameSite.status).toBe(201);
  });

  it('only an administrator creates accounts; the session cookie is HttpOnly and SameSite=Strict', async () => {
    const organizer = await organizerClient(t);
    const refused = await organizer.call('POST', '/api/users', { username: 'newbie', password: 'long enough password', role: 'organizer' });
    expect(refused.status).toBe(403);
    const login = await t.app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'orgdept', password: ORGANIZER_PASSWORD }),
    });
    // Both cookies (the session, and the device cookie that lets this browser past others' failed sign-ins) are HttpOnly and Strict.
    const cookies = login.headers.getSetCookie();
    expect(cookies.map((c) => c.split('=')[0]).sort()).toEqual(['ab_device', 'ab_session']);
    for (const cookie of cookies) expect(cookie).toMatch(/HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly/);
    expect(cookies.find((c) => c.startsWith('ab_device='))).toMatch(/Path=\/api\/session/);
    const admin = await organizerClient(t, 'orgdept');
    const created = await admin.call('POST', '/api/users', { username: 'newbie', password: 'long enough password', role: 'organizer' });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toMatch(/password/i);
    const admins = await admin.call('GET', `/api/meetings/${ctx.meetingId}`);
    expect(admins.status).toBe(200);
  });

  it('rate-limits failed sign-ins per account and address with 429 (test/api/fair-limits.test.ts: from elsewhere)', async () => {
    seedUser(t, 'target');
    const attempt = (password: string) =>
      t.app.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'target', password }) });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong password')).status).toBe(401);
    const limited = await attempt(ORGANIZER_PASSWORD);
    expect(limited.status).toBe(429);
    const body = (await limited.json()) as any;
    expect(body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBe(60);
    expect(body.error).toMatchObject({ retryAfterSeconds: 60, message: expect.stringMatching(/try again in 1 minute$/), messageZh: expect.stringMatching(/请在 1 分钟后再试。$/) });
  });

  it('sets security headers: CSP without inline script, no framing, no referrer', async () => {
    const response = await t.app.request('/api/public/signer');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/unsafe-inline/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });
});
