/**
 * Fair limits (server/limits.ts) on a real listening server on 127.0.0.1: nobody takes what
 * others share. Clients speak from many addresses through X-Forwarded-For (TRUST_PROXY=1, as
 * behind the reverse proxy of docs/deployment.md) and, in one test, from real loopback addresses
 * without a proxy. Every refusal is a 429 that says when to try again, in Chinese and English.
 * (The live streams' shares are in test/api/live-events.test.ts, key generation off the event
 * loop in test/reliability/opening-stall.test.ts.)
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LimitSettings } from '../../server/limits.ts';
import { generateVotingCode } from '../../shared/protocol/voting-code.ts';
import { checkInSlip, createMeeting } from '../helpers/meeting.ts';
import { listen, ORGANIZER_PASSWORD, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { randomBytes } from 'node:crypto';

/** A server with its own limits, listening on 127.0.0.1, trusting one proxy unless told otherwise. */
async function serverWith(limits: Partial<LimitSettings>, now?: () => Date) {
  const t = startTestApp({ limits: { trustProxy: 1, ...limits }, ...(now ? { now } : {}) });
  const server = await listen(t.app);
  const post = (path: string, body: unknown, from = '192.0.2.1') =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify(body) });
  return {
    t,
    url: server.url,
    post,
    async stop() {
      await server.stop();
      t.close();
    },
  };
}

/** What a limit's refusal carries: 429, Retry-After, and when to try again in both languages. */
async function expectLimited(response: Response, message: RegExp) {
  expect(response.status).toBe(429);
  const body = (await response.json()) as { error: { code: string; message: string; messageZh: string; retryAfterSeconds: number } };
  expect(body.error.code).toBe('rate_limited');
  expect(body.error.message).toMatch(message);
  expect(body.error.message).toMatch(/; try again in \d+ (seconds?|minutes?|hours)$/);
  expect(body.error.messageZh).toMatch(/请在 \d+ (秒|分钟|小时)后再试。$/);
  expect(Number(response.headers.get('retry-after'))).toBe(body.error.retryAfterSeconds);
  expect(body.error.retryAfterSeconds).toBeGreaterThan(0);
  return body.error;
}

/** A check-in id in the right form that names no check-in. */
const bogusCheckinId = () => Array.from(randomBytes(26), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
const randomCode = () => generateVotingCode((n) => new Uint8Array(randomBytes(n)));

describe('sign-in', () => {
  let s: Awaited<ReturnType<typeof serverWith>>;
  beforeAll(async () => {
    s = await serverWith({ signInFailures: { count: 5, windowMs: 15 * 60_000 }, signInFailuresPerAddress: { count: 8, windowMs: 15 * 60_000 } });
    seedUser(s.t, 'secretary');
    for (let i = 0; i < 12; i++) seedUser(s.t, `organizer${i}`);
  });
  afterAll(() => s?.stop());
  const signIn = (username: string, password: string, from: string) => s.post('/api/session', { username, password }, from);

  it("five wrong passwords from elsewhere do not lock the owner out; the guesser is refused, with when to retry", async () => {
    for (let i = 0; i < 5; i++) expect((await signIn('secretary', `guess ${i}`, '203.0.113.66')).status).toBe(401);
    const refused = await expectLimited(await signIn('secretary', ORGANIZER_PASSWORD, '203.0.113.66'), /too many failed sign-ins from this address/);
    expect(refused.retryAfterSeconds).toBeGreaterThan(14 * 60);
    expect(refused.message).toMatch(/try again in 15 minutes$/);
    // The owner, from their own address, still signs in.
    expect((await signIn('secretary', ORGANIZER_PASSWORD, '198.51.100.7')).status).toBe(200);
  });

  it('one address guessing many accounts is stopped after its share, whichever account it tries next', async () => {
    for (let i = 0; i < 8; i++) expect((await signIn(`organizer${i}`, 'wrong password', '203.0.113.77')).status).toBe(401);
    await expectLimited(await signIn('organizer9', 'wrong password', '203.0.113.77'), /from this address/);
    // A refused attempt checks no password: the right one is refused as well, and another address is not.
    await expectLimited(await signIn('organizer10', ORGANIZER_PASSWORD, '203.0.113.77'), /from this address/);
    expect((await signIn('organizer10', ORGANIZER_PASSWORD, '203.0.113.78')).status).toBe(200);
  });

  it('many attempts sent at once are counted before their passwords are checked: no more than the share is ever checked', async () => {
    const attempts = await Promise.all(Array.from({ length: 30 }, (_, i) => signIn('organizer11', i === 29 ? ORGANIZER_PASSWORD : `guess ${i}`, '203.0.113.88')));
    const statuses = attempts.map((r) => r.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(24);
    expect(statuses.every((status) => status === 401 || status === 429 || status === 200)).toBe(true);
  });

  it("the owner's own browser (it signed in before) is never refused for others' failures, on the owner's network or from everywhere", async () => {
    const own = await serverWith({
      signInFailuresPerAddress: { count: 4, windowMs: 15 * 60_000 },
      signInFailuresPerAccount: { count: 6, windowMs: 15 * 60_000 },
    });
    try {
      seedUser(own.t, 'secretary');
      seedUser(own.t, 'colleague');
      const signInWith = (username: string, password: string, from: string, cookie?: string) =>
        fetch(`${own.url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...(cookie ? { cookie } : {}) },
          body: JSON.stringify({ username, password }),
        });
      const first = await signInWith('secretary', ORGANIZER_PASSWORD, '10.1.1.1');
      expect(first.status).toBe(200);
      const device = first.headers.getSetCookie().find((c) => c.startsWith('ab_device='))!.split(';')[0]!;
      const colleagues = (await signInWith('colleague', ORGANIZER_PASSWORD, '10.1.1.1')).headers.getSetCookie().find((c) => c.startsWith('ab_device='))!.split(';')[0]!;
      // A student behind the same campus address fails 4 times; guessers elsewhere fail on the account 6 times in all.
      for (let i = 0; i < 4; i++) expect((await signInWith('someone', 'wrong password', '10.1.1.1')).status).toBe(401);
      for (let i = 0; i < 6; i++) expect((await signInWith('secretary', 'wrong password', `198.51.${i}.9`)).status).toBe(401);
      // A new browser is refused, from the campus address and from anywhere else ...
      await expectLimited(await signInWith('secretary', ORGANIZER_PASSWORD, '10.1.1.1'), /too many failed sign-ins/);
      await expectLimited(await signInWith('secretary', ORGANIZER_PASSWORD, '192.0.2.123'), /too many failed sign-ins/);
      // ... and so is a forged device cookie, or one another account's browser holds ...
      await expectLimited(await signInWith('secretary', ORGANIZER_PASSWORD, '10.1.1.1', `ab_device=${'A'.repeat(22)}.${'B'.repeat(43)}`), /too many failed sign-ins/);
      await expectLimited(await signInWith('secretary', ORGANIZER_PASSWORD, '10.1.1.1', colleagues), /too many failed sign-ins/);
      // ... but the owner's own browser signs in.
      expect((await signInWith('secretary', ORGANIZER_PASSWORD, '10.1.1.1', device)).status).toBe(200);
      // That browser's own failures count for it alone: five, then it waits too.
      for (let i = 0; i < 5; i++) expect((await signInWith('secretary', 'wrong password', '10.1.1.1', device)).status).toBe(401);
      await expectLimited(await signInWith('secretary', ORGANIZER_PASSWORD, '10.1.1.1', device), /too many failed sign-ins/);
    } finally {
      await own.stop();
    }
  });

  it('without TRUST_PROXY, X-Forwarded-For is ignored: real loopback addresses are told apart, a forged header is not', async () => {
    const direct = await serverWith({ trustProxy: 0, signInFailures: { count: 2, windowMs: 60_000 } });
    try {
      seedUser(direct.t, 'secretary');
      const port = new URL(direct.url).port;
      const fromLoopback = (localAddress: string, password: string, forged: string) =>
        new Promise<number>((resolve, reject) => {
          const body = JSON.stringify({ username: 'secretary', password });
          const req = request(
            { host: '127.0.0.1', port, path: '/api/session', method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': forged } },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode!));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      expect(await fromLoopback('127.0.0.2', 'wrong password', '10.0.0.1')).toBe(401);
      expect(await fromLoopback('127.0.0.2', 'wrong password', '10.0.0.2')).toBe(401);
      expect(await fromLoopback('127.0.0.2', ORGANIZER_PASSWORD, '10.0.0.3')).toBe(429); // a new forged header does not help
      expect(await fromLoopback('127.0.0.3', ORGANIZER_PASSWORD, '10.0.0.1')).toBe(200); // another real address
    } finally {
      await direct.stop();
    }
  });
});

describe('objections', () => {
  // Monday 2026-11-30, 10:00 in Beijing: the publicity period runs to Friday.
  const clock = Date.parse('2026-11-30T02:00:00Z');
  let s: Awaited<ReturnType<typeof serverWith>>;
  let meeting: Awaited<ReturnType<typeof createMeeting>>;
  let other: Awaited<ReturnType<typeof createMeeting>>;
  beforeAll(async () => {
    s = await serverWith({ publicObjectionsPerDay: 40, memberObjectionsPerDay: 2 }, () => new Date(clock));
    meeting = await createMeeting(s.t, { voters: 3, open: 'voting' });
    other = await createMeeting(s.t, { voters: 1, open: 'checkin' });
    for (const to of ['closed', 'published']) expect((await meeting.org.call('POST', `/api/polls/${meeting.pollId}/transition`, { to })).status).toBe(200);
  });
  afterAll(() => s?.stop());
  const object = (body: Record<string, unknown>, from: string) => s.post(`/api/public/polls/${meeting.pollId}/objections`, body, from);

  it('are limited per address and per network: an IPv4 /24 and an IPv6 /64 each hold only their share', async () => {
    // Mistyped or foreign codes first: refused, and they do not use up the sender's objections.
    for (const wrong of [randomCode(), other.slips[0]!.code, randomCode()]) expect((await object({ text: '填错投票码的异议', code: wrong }, '198.51.100.10')).status).toBe(403);
    for (let i = 0; i < 5; i++) expect((await object({ text: `同一地址的第 ${i + 1} 条` }, '198.51.100.10')).status).toBe(201);
    await expectLimited(await object({ text: '同一地址的第 6 条' }, '198.51.100.10'), /from this address/);
    // Other addresses of the same /24: 20 in all for the network, 5 of them used above.
    for (let i = 11; i < 26; i++) expect((await object({ text: `同一网段的异议 ${i}` }, `198.51.100.${i}`)).status).toBe(201);
    await expectLimited(await object({ text: '同一网段的又一条' }, '198.51.100.200'), /from this network/);
    // Every address of one IPv6 /64 is one: five, then refused, whatever the interface id.
    for (let i = 1; i <= 5; i++) expect((await object({ text: `IPv6 异议 ${i}` }, `2001:db8:5:6::${i.toString(16)}`)).status).toBe(201);
    await expectLimited(await object({ text: 'IPv6 异议 6' }, '2001:db8:5:6:aaaa:bbbb:cccc:dddd'), /from this address/);
    // Other /64s of the same /56 (one home's block) share its 20.
    for (let i = 1; i <= 15; i++) expect((await object({ text: `同一 /56 的异议 ${i}` }, `2001:db8:5:${(6 + i).toString(16)}::1`)).status).toBe(201);
    await expectLimited(await object({ text: '同一 /56 的又一条' }, '2001:db8:5:ff::1'), /from this network/);
  });

  it('junk from many networks fills the public share of the day, never the members: a member objects with their voting code', async () => {
    // The public share is 40 a day, all taken above: junk from a fresh network is refused.
    const junk = await expectLimited(await object({ text: '垃圾异议来自又一个网段' }, '203.0.113.5'), /share of objections without a voting code is used up/);
    expect(junk.messageZh).toMatch(/会议名单上的成员仍可凭投票码提出异议/);
    // Until the school's next calendar day (midnight in Beijing, 14 hours after 10:00).
    expect(junk.retryAfterSeconds).toBe(14 * 3600);

    // The board reads the members' share from the server, which applies its setting (2 here).
    const summary = (await (await fetch(`${s.url}/api/public/polls/${meeting.pollId}/objections`)).json()) as { memberObjectionsPerDay: number };
    expect(summary.memberObjectionsPerDay).toBe(2);
    const code = meeting.slips[0]!.code;
    const member = await object({ text: '我是本支部党员，对计票有疑问', code }, '203.0.113.5');
    expect(member.status).toBe(201);
    // Two a day per code; the third is refused, and another member still objects.
    expect((await object({ text: '我是本支部党员，补充一点', code: code.toLowerCase() }, '203.0.113.5')).status).toBe(201);
    const memberFull = await expectLimited(await object({ text: '我是本支部党员，再补充', code }, '203.0.113.5'), /this voting code has sent as many objections/);
    expect(memberFull.retryAfterSeconds).toBe(14 * 3600); // the next school day, not 24 hours
    expect((await object({ text: '另一位党员的异议', code: meeting.slips[1]!.code }, '203.0.113.5')).status).toBe(201);

    // A code of another meeting, or one that does not exist, proves nothing.
    for (const wrong of [other.slips[0]!.code, randomCode()]) {
      const refused = await object({ text: '冒充成员的异议', code: wrong }, '192.0.2.200');
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as any).error.code).toBe('not_eligible');
    }
  });

  it('a member objection stores no trace of the code: only that it came from a member', async () => {
    const rows = s.t.deps.db.$client.prepare(`SELECT * FROM objections WHERE channel = 'member'`).all() as Record<string, unknown>[];
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0]!).sort()).toEqual(['channel', 'contact', 'decided_by', 'id', 'name', 'outcome', 'outcome_note', 'poll_id', 'received_on', 'text']);
    const stored = JSON.stringify(s.t.deps.db.$client.prepare('SELECT * FROM objections').all());
    const voters = s.t.deps.db.$client.prepare('SELECT id, code_hash FROM voters WHERE meeting_id = ?').all(meeting.meetingId) as { id: string; code_hash: string }[];
    for (const voter of voters) {
      expect(stored).not.toContain(voter.code_hash);
      expect(stored).not.toContain(voter.id);
    }
    for (const slip of meeting.slips) expect(stored).not.toContain(slip.code.replace(/-/g, ''));
  });
});

describe('voting codes', () => {
  it('a campus behind one address, every voter mistyping once, is never refused: the failure share grows with the roster', async () => {
    const s = await serverWith({ voterFailuresPerAddress: { count: 10, windowMs: 10 * 60_000 } });
    try {
      const campus = await createMeeting(s.t, { voters: 40, open: 'checkin' });
      for (const slip of campus.slips) {
        expect((await s.post('/api/checkin/lookup', { code: randomCode() }, '10.20.30.40')).status).toBe(404);
        expect((await s.post('/api/checkin/lookup', { code: slip.code }, '10.20.30.40')).status).toBe(200);
      }
      // 40 failures so far, under twice the roster (80) though the setting says 10; a flood past it is refused.
      let status = 404;
      let sent = 0;
      while (status === 404 && sent < 100) {
        status = (await s.post('/api/checkin/lookup', { code: randomCode() }, '10.20.30.40')).status;
        sent++;
      }
      expect(sent).toBe(41);
      const refused = await expectLimited(await s.post('/api/checkin/lookup', { code: randomCode() }, '10.20.30.40'), /voting codes that do not exist/);
      expect(refused.messageZh).toMatch(/无效投票码太多/);
      // A valid code is never refused for what others behind the same address sent.
      expect((await s.post('/api/checkin/lookup', { code: campus.slips[0]!.code }, '10.20.30.40')).status).toBe(200);
      // Another network's unknown codes are its own.
      expect((await s.post('/api/checkin/lookup', { code: randomCode() }, '10.99.0.1')).status).toBe(404);
    } finally {
      await s.stop();
    }
  });

  it("check-ins that do not exist are refused once their sender failed too often; the real phone's status read is not", async () => {
    const s = await serverWith({ voterFailuresPerAddress: { count: 10, windowMs: 10 * 60_000 } });
    try {
      const m = await createMeeting(s.t, { voters: 2, open: 'checkin' });
      const device = await checkInSlip(s.t, m.slips[0]!, m.roomCode);
      const checkinId = checkinIdOf(device);
      // Roster of 2: the allowance is the setting, 10.
      for (let i = 0; i < 10; i++) expect((await s.post('/api/checkin/status', { checkinId: bogusCheckinId() }, '10.20.30.40')).status).toBe(200);
      await expectLimited(await s.post('/api/checkin/status', { checkinId: bogusCheckinId() }, '10.20.30.40'), /voting codes that do not exist/);
      const real = await s.post('/api/checkin/status', { checkinId }, '10.20.30.40');
      expect(real.status).toBe(200);
      expect(((await real.json()) as any).polls).toHaveLength(1);
    } finally {
      await s.stop();
    }
  });

  it('requests are counted per voting code and network: someone holding the code elsewhere cannot spend the voter\'s share; the waiting phone per check-in', async () => {
    const s = await serverWith({ requestsPerCode: { count: 4, windowMs: 10 * 60_000 }, statusPerCheckin: { count: 3, windowMs: 60_000 } });
    try {
      const m = await createMeeting(s.t, { voters: 2, open: 'checkin' });
      const [mine, theirs] = m.slips as [(typeof m.slips)[number], (typeof m.slips)[number]];
      for (let i = 0; i < 4; i++) expect((await s.post('/api/checkin/lookup', { code: mine.code }, `192.0.2.${10 + i}`)).status).toBe(200);
      // The same code typed another way is the same code.
      const spent = await expectLimited(await s.post('/api/checkin/lookup', { code: mine.code.toLowerCase().replace(/-/g, ' ') }, '192.0.2.99'), /too many requests with this voting code from this network/);
      expect(spent.messageZh).toMatch(/投票码发出的请求太频繁/);
      // The voter in the room, on another network, is not refused; nor is another code on the first network.
      expect((await s.post('/api/checkin/lookup', { code: mine.code }, '198.51.100.20')).status).toBe(200);
      expect((await s.post('/api/checkin/lookup', { code: theirs.code }, '192.0.2.99')).status).toBe(200);

      // The other voter checks in and the phone then asks for its state.
      const device = await checkInSlip(s.t, theirs, m.roomCode);
      const checkinId = checkinIdOf(device);
      for (let i = 0; i < 3; i++) expect((await s.post('/api/checkin/status', { checkinId }, '192.0.2.99')).status).toBe(200);
      await expectLimited(await s.post('/api/checkin/status', { checkinId }, '192.0.2.99'), /asked for its check-in too often/);
    } finally {
      await s.stop();
    }
  });
});

describe('the room code', () => {
  it("wrong room codes lock a voting code on the sender's network only: the voter in the room still checks in", async () => {
    const s = await serverWith({});
    try {
      const m = await createMeeting(s.t, { voters: 2, open: 'checkin' });
      const slip = m.slips[0]!;
      const wrong = m.roomCode === '000000' ? '111111' : '000000';
      const attempt = (from: string) =>
        s.post('/api/checkin', { code: slip.code, roomCode: wrong, requests: [{ pollId: m.pollId, group: 'members', questionId: 'c1', blindedMessage: 'AAAA' }] }, from);
      for (let i = 0; i < 10; i++) expect((await attempt('203.0.113.40')).status).toBe(403);
      const locked = await attempt('203.0.113.40');
      expect([locked.status, ((await locked.json()) as any).error.code]).toEqual([429, 'room_code_locked']);
      // The voter, in the room on another network, with the room code on the projector.
      const device = await checkInSlip(s.t, slip, m.roomCode);
      expect(checkinIdOf(device)).toBeTruthy();
    } finally {
      await s.stop();
    }
  });

  it('check-ins of one voting code are bounded from all networks together (each replaces the last and is written to the record)', async () => {
    const s = await serverWith({ checkinsPerCode: { count: 3, windowMs: 10 * 60_000 } });
    try {
      const m = await createMeeting(s.t, { voters: 2, open: 'checkin' });
      for (let i = 0; i < 3; i++) await checkInSlip(s.t, m.slips[0]!, m.roomCode);
      await expect(checkInSlip(s.t, m.slips[0]!, m.roomCode)).rejects.toMatchObject({ code: 'rate_limited' });
      const replacements = s.t.deps.db.$client.prepare(`SELECT count(*) AS n FROM audit_log WHERE action = 'replace_checkin'`).get() as { n: number };
      expect(replacements.n).toBe(2);
      // Another voter is not touched.
      await checkInSlip(s.t, m.slips[1]!, m.roomCode);
    } finally {
      await s.stop();
    }
  });
});

/** The check-in id a device keeps (what its waiting screen asks the status of). */
function checkinIdOf(device: Awaited<ReturnType<typeof checkInSlip>>): string {
  const id = device.store
    .keys()
    .map((key) => device.store.get(key)!)
    .flatMap((text) => [...text.matchAll(/"checkinId":"([^"]+)"/g)].map((match) => match[1]!))[0]!;
  expect(id).toMatch(/^[a-z0-9]{26}$/);
  return id;
}
