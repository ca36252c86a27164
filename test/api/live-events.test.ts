/**
 * The projector's live stream (server/routes/live.ts) on a real listening server, read with
 * fetch as a browser's EventSource would: turnout changes as voters check in and cast, nothing
 * about choices travels before close, the result (counts, threshold, verdict sentence) arrives
 * after close and the stream ends, in the three evaluations each candidate's key fingerprint
 * follows its registration (and nothing else about the key travels). Fair shares: the public's
 * streams are capped in all, per meeting and per address (IPv6: per /64), refused with 429 and when
 * to retry; the organizer signed in always gets the projector's stream; a slot is freed when its
 * client goes away; a meeting with nothing open has its streams ended after the idle time.
 */
import { Hono } from 'hono';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleError } from '../../server/http-errors.ts';
import { liveRoutes } from '../../server/routes/live.ts';
import type { LiveMeetingState } from '../../shared/protocol/live.ts';
import { heldCandidateFingerprint, memoryStore } from '../../shared/protocol/voter-flow.ts';
import { checkInSlip, collect, openAcceptanceMeeting, openEvaluationMeeting, openVoting, tokensOf, type Device } from '../helpers/meeting.ts';
import { listen, ORGANIZER_PASSWORD, organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { sessionRoutes } from '../../server/routes/session.ts';
import type { LimitSettings } from '../../server/limits.ts';

let t: TestServer;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  t = startTestApp();
  seedUser(t);
  server = await listen(t.app);
});
afterAll(async () => {
  await server?.stop();
  t?.close();
});

/** A branch meeting: accepting two candidates, `voters` full members, check-in open. */
const acceptanceMeeting = (voters: number) => openAcceptanceMeeting(t, { title: '第一党支部党员大会', candidates: ['张三', '李四'], voters });

interface SseEvent {
  event: string;
  data: string;
}

/**
 * Opens the stream as EventSource does and parses its events. `raw` keeps every byte received,
 * to search for what must never be sent; `next(test)` waits for an event that passes `test`.
 */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  let raw = '';
  let ended = false;
  const waiters = new Set<() => void>();
  if (response.ok) {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          raw += value;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const lines = block.split('\n');
            const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
            if (data.length === 0) continue; // a comment (heartbeat) or a bare retry
            events.push({ event: lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message', data: data.join('\n') });
          }
          for (const wake of waiters) wake();
        }
      } catch {
        // Aborted by the test.
      } finally {
        ended = true;
        for (const wake of waiters) wake();
      }
    })();
  }
  const eventNames = () => events.map((e) => e.event);
  const states = () => events.filter((e) => e.event === 'state').map((e) => JSON.parse(e.data) as LiveMeetingState);
  async function next(test: (state: LiveMeetingState) => boolean, what: string, timeoutMs = 8000): Promise<LiveMeetingState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = states().find(test);
      if (found) return found;
      if (ended) throw new Error(`the stream ended before: ${what}`);
      if (Date.now() > deadline) throw new Error(`no state within ${timeoutMs} ms: ${what}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
        setTimeout(wake, 200);
      });
    }
  }
  return {
    response,
    next,
    states,
    eventNames,
    raw: () => raw,
    ended: () => ended,
    close: () => abort.abort(),
  };
}

/** A device's whole submission for the poll, over HTTP. */
const cast = (device: Device, pollId: string, answers: Record<string, string>) =>
  fetch(`${server.url}/api/ballots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ballots: tokensOf(device, pollId).map((h) => ({ token: h.token, salt: h.salt, answer: answers[h.questionId] })) }),
  });

/** The members a poll may carry in the stream before close: turnout and public descriptions only (and the opening statement). */
const OPEN_POLL_KEYS = ['checkedIn', 'declaredNotVoted', 'expected', 'id', 'kind', 'phase', 'questions', 'refusedOverIssued', 'submitted', 'title'];

describe('the live stream of a meeting', () => {
  it('follows check-ins and casts, says nothing about choices before close, then sends the result and ends', async () => {
    const { org, meetingId, pollId, slips, roomCode, keySetFingerprint } = await acceptanceMeeting(5);
    const stream = await openStream(`${server.url}/api/public/live/meetings/${meetingId}/events`);
    try {
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const first = await stream.next(() => true, 'the first state');
      expect(first).toMatchObject({ meetingId, title: '第一党支部党员大会', checkinUrl: `${server.url}/vote`, final: false, keySetFingerprint });
      expect(first.polls).toHaveLength(1);
      expect(first.polls[0]).toMatchObject({ id: pollId, phase: 'checkin', expected: 5, checkedIn: 0, submitted: 0 });

      const devices = [];
      for (const slip of slips.slice(0, 3)) devices.push(await checkInSlip(t, slip, roomCode));
      await stream.next((s) => s.polls[0]!.checkedIn === 3, 'three checked in');

      await openVoting(org, pollId, 3);
      const opened = await stream.next((s) => s.polls[0]!.phase === 'voting', 'voting open');
      // The opening statement, for the room to read: head count, check-ins, tokens issued, the record's digest.
      expect(opened.polls[0]!.opening).toEqual({
        headCount: 3,
        headCountNote: '',
        checkedIn: 3,
        struck: 0,
        issued: 6,
        recordSeq: expect.any(Number),
        recordDigest: expect.stringMatching(/^[0-9a-f]{16}$/),
        // The statement's fingerprint, and no scrutineer with an account to co-sign it here.
        statementDigest: expect.stringMatching(/^[0-9a-f]{16}$/),
        cosigned: 0,
        cosigners: 0,
      });
      for (const d of devices) await collect(d);
      expect((await cast(devices[0]!, pollId, { c1: 'agree', c2: 'disagree' })).status).toBe(201);
      expect((await cast(devices[1]!, pollId, { c1: 'agree', c2: 'abstain' })).status).toBe(201);
      await stream.next((s) => s.polls[0]!.submitted === 2, 'two submitted');
      expect((await cast(devices[2]!, pollId, { c1: 'agree', c2: 'agree' })).status).toBe(201);
      const beforeClose = await stream.next((s) => s.polls[0]!.submitted === 3, 'three submitted');
      expect(beforeClose.polls[0]).toMatchObject({ expected: 5, checkedIn: 3, submitted: 3 });

      // Before close: only turnout and descriptions, never a count of choices, a name or the room code.
      for (const state of stream.states())
        for (const poll of state.polls) expect(Object.keys(poll).filter((k) => k !== 'opening').sort()).toEqual(OPEN_POLL_KEYS);
      expect(stream.raw()).not.toMatch(/"counts"|"result"|"verdict"|"token"|"receipt"|党员\d/);
      expect(stream.raw()).not.toContain(roomCode);
      // Each state is sent once: nothing is repeated while nothing changes.
      const texts = stream.states().map((s) => JSON.stringify(s));
      expect(new Set(texts).size).toBe(texts.length);

      expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
      const last = await stream.next((s) => s.final, 'the final state');
      const closed = last.polls[0]!.closed!;
      expect(last.polls[0]!.phase).toBe('closed');
      expect(closed.result.questions.map((q) => [q.id, q.counts, q.threshold, q.verdict])).toEqual([
        ['c1', { agree: 3, disagree: 0, abstain: 0 }, 3, 'passed'],
        ['c2', { agree: 1, disagree: 1, abstain: 1 }, 3, 'failed'],
      ]);
      // 5 expected: 3 needed ("more than half"), and the sentence says so.
      expect(closed.result.questions[0]!.explanation!.zh).toContain('超过应到会有表决权正式党员 5 人的半数');
      expect(JSON.stringify(last)).not.toMatch(/"ballots"|"token"/);
      await expect.poll(() => stream.ended(), { timeout: 5000 }).toBe(true);
    } finally {
      stream.close();
    }
  });

  it('without Accept: text/event-stream answers one JSON state (what the page shows first)', async () => {
    const { meetingId } = await acceptanceMeeting(2);
    const response = await fetch(`${server.url}/api/public/live/meetings/${meetingId}/events`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const state = (await response.json()) as LiveMeetingState;
    expect(state.polls[0]).toMatchObject({ expected: 2, checkedIn: 0, submitted: 0, phase: 'checkin' });
  });

  it('a meeting that does not exist is a 404 with a JSON error, streamed or not', async () => {
    for (const accept of ['text/event-stream', 'application/json'])
      for (const id of ['nosuchmeeting000', '%00', 'x'.repeat(300)]) {
        const response = await fetch(`${server.url}/api/public/live/meetings/${id}/events`, { headers: { accept } });
        expect(response.status, `${accept} ${id.slice(0, 20)}`).toBe(404);
        expect(((await response.json()) as any).error.code).toBe('not_found');
      }
  });
});

describe('the candidates’ keys in the three evaluations', () => {
  it('carries each candidate’s fingerprint by question, null until registered, not another device’s waiting keys, and nothing else of the key', async () => {
    const { org, meetingId, pollId, slipOf, roomCode } = await openEvaluationMeeting(t, { title: '发展对象评议', candidates: ['王芳', '李明', '张伟'] });
    const stream = await openStream(`${server.url}/api/public/live/meetings/${meetingId}/events`);
    try {
      const first = await stream.next(() => true, 'the first state');
      expect(first.polls[0]!.candidateKeyFingerprints).toEqual({ c1: null, c2: null, c3: null });

      // 李明 checks in on his phone: it makes his key and registers it; the stream shows its fingerprint.
      const phone = await checkInSlip(t, slipOf('李明'), roomCode);
      const fingerprint = heldCandidateFingerprint(phone.store, phone.voter, pollId)!;
      expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
      await stream.next((s) => s.polls[0]!.candidateKeyFingerprints!.c2 !== null, '李明 registered');
      expect(stream.states().at(-1)!.polls[0]!.candidateKeyFingerprints).toEqual({ c1: null, c2: fingerprint, c3: null });

      // A later check-in with his code on another device: its keys wait for a scrutineer's
      // approval (test/api/candidate-key-approval.test.ts); the stream keeps showing his.
      const other = await checkInSlip(t, slipOf('李明'), roomCode, memoryStore());
      const waiting = heldCandidateFingerprint(other.store, other.voter, pollId)!;
      expect(waiting).not.toBe(fingerprint);

      // Still there while voting; only turnout, descriptions and the fingerprints before close.
      await checkInSlip(t, slipOf('老师1'), roomCode);
      await openVoting(org, pollId, 2);
      const voting = await stream.next((s) => s.polls[0]!.phase === 'voting', 'voting open');
      expect(voting.polls[0]!.candidateKeyFingerprints).toEqual({ c1: null, c2: fingerprint, c3: null });
      expect(stream.states().every((state) => state.polls[0]!.candidateKeyFingerprints?.c2 !== waiting)).toBe(true);
      for (const state of stream.states())
        for (const poll of state.polls) expect(Object.keys(poll).filter((k) => k !== 'opening').sort()).toEqual([...OPEN_POLL_KEYS, 'candidateKeyFingerprints'].sort());
      const keys = (await other.api.meeting(meetingId)).polls[0]!.candidateKeys!;
      expect(keys).toHaveLength(1);
      expect(stream.raw()).not.toContain(keys[0]!.signingKey);
      expect(stream.raw()).not.toContain(keys[0]!.boxKey);
      expect(stream.raw()).not.toMatch(/"signingKey"|"boxKey"/);
      expect(stream.raw()).not.toContain(roomCode);

      // Closed: the result replaces the list (the bundle lists the keys).
      expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
      const last = await stream.next((s) => s.final, 'the final state');
      expect(last.polls[0]!.candidateKeyFingerprints).toBeUndefined();
    } finally {
      stream.close();
    }
  });
});

describe('the result of a closed poll', () => {
  it('is refused before close, given after close with counts and verdicts but no ballots, 404 for unknown polls', async () => {
    const { org, pollId, slips, roomCode } = await acceptanceMeeting(3);
    const device = await checkInSlip(t, slips[0]!, roomCode);
    await checkInSlip(t, slips[1]!, roomCode);
    await openVoting(org, pollId, 2);
    await collect(device);
    expect((await cast(device, pollId, { c1: 'agree', c2: 'agree' })).status).toBe(201);

    const early = await fetch(`${server.url}/api/public/live/polls/${pollId}/result`);
    expect(early.status).toBe(409);
    expect(((await early.json()) as any).error.code).toBe('wrong_phase');

    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const response = await fetch(`${server.url}/api/public/live/polls/${pollId}/result`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(Object.keys(body).sort()).toEqual(['checkedIn', 'closedAt', 'expected', 'kind', 'pollId', 'present', 'questions', 'result', 'title']);
    expect(body).toMatchObject({ expected: 3, checkedIn: 2, present: 2, result: { ballotsCast: 2, quorum: { met: true } } });
    expect(body.result.questions[0]).toMatchObject({ counts: { agree: 1, disagree: 0, abstain: 0 }, threshold: 2, verdict: 'failed' });

    const unknown = await fetch(`${server.url}/api/public/live/polls/nosuchpoll000000/result`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.code).toBe('not_found');
  });
});

/**
 * A live route with its own limits (`limits`: server/limits.ts) on its own listening server;
 * TRUST_PROXY=1, so a test can speak from many addresses with X-Forwarded-For.
 */
async function cappedLive(limits: Partial<LimitSettings>, options: { publicStreamMs?: number } = {}) {
  const deps = { ...t.deps, limits: { trustProxy: 1, ...limits } };
  const small = new Hono().route('/api/public/live', liveRoutes(deps, { intervalMs: 50, heartbeatMs: 100, ...options })).route('/api/session', sessionRoutes(deps));
  small.onError(handleError);
  const capped = await listen(small as unknown as TestServer['app']);
  const open: Awaited<ReturnType<typeof openStream>>[] = [];
  return {
    url: (meetingId: string) => `${capped.url}/api/public/live/meetings/${meetingId}/events`,
    /** Opens a stream from `from` (an address, as a proxy would forward it) and keeps it to close at the end. */
    async open(meetingId: string, from = '192.0.2.1', headers: Record<string, string> = {}) {
      const stream = await openStream(`${capped.url}/api/public/live/meetings/${meetingId}/events`, { 'x-forwarded-for': from, ...headers });
      if (stream.response.ok) open.push(stream);
      return stream;
    },
    async signIn(username: string) {
      const response = await fetch(`${capped.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: ORGANIZER_PASSWORD }),
      });
      expect(response.status).toBe(200);
      return response.headers.getSetCookie().find((c) => c.startsWith('ab_session='))!.split(';')[0]!;
    },
    async stop() {
      for (const stream of open) stream.close();
      await capped.stop();
    },
  };
}

async function expectRefused(stream: Awaited<ReturnType<typeof openStream>>, message: RegExp) {
  expect(stream.response.status).toBe(429);
  expect(stream.response.headers.get('retry-after')).toBe('30');
  const error = ((await stream.response.json()) as any).error;
  expect(error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 30 });
  expect(error.message).toMatch(message);
  expect(error.message).toMatch(/try again in 30 seconds$/);
  expect(error.messageZh).toMatch(/请在 30 秒后再试。$/);
}

describe('fair shares of the live streams', () => {
  it('refuses a stream beyond the public cap with 429 and when to retry, sends heartbeats, and frees a slot when its client goes away', async () => {
    const { meetingId } = await acceptanceMeeting(2);
    const live = await cappedLive({ liveStreams: 2 });
    try {
      const first = await live.open(meetingId, '192.0.2.1');
      const second = await live.open(meetingId, '192.0.2.2');
      for (const stream of [first, second]) expect(stream.response.status).toBe(200);
      await first.next(() => true, 'the first state');
      await expect.poll(() => first.raw(), { timeout: 5000 }).toContain(': heartbeat');
      await expectRefused(await live.open(meetingId, '192.0.2.3'), /too many live pages are open on this server/);
      // A plain JSON read is not a stream and is still answered.
      expect((await fetch(live.url(meetingId))).status).toBe(200);

      first.close();
      await expect
        .poll(async () => (await live.open(meetingId, '192.0.2.3')).response.status, { timeout: 5000 })
        .toBe(200);
    } finally {
      await live.stop();
    }
  });

  it('refuses one address (an IPv6 address: its /64) more streams than its share', async () => {
    const { meetingId } = await acceptanceMeeting(1);
    const live = await cappedLive({ liveStreamsPerAddress: 2 });
    try {
      expect((await live.open(meetingId, '2001:db8:1:2::10')).response.status).toBe(200);
      expect((await live.open(meetingId, '2001:db8:1:2:ffff::99')).response.status).toBe(200);
      await expectRefused(await live.open(meetingId, '2001:db8:1:2::abcd'), /from this network address/);
      expect((await live.open(meetingId, '2001:db8:1:3::10')).response.status).toBe(200); // another /64
    } finally {
      await live.stop();
    }
  });

  it("streams from many addresses fill one meeting's public share, not another meeting's, and never the projector of the organizer signed in", async () => {
    const target = await acceptanceMeeting(1);
    const other = await acceptanceMeeting(1);
    seedUser(t, 'outsider');
    const live = await cappedLive({ liveStreams: 4, liveStreamsPerMeeting: 3, liveStreamsPerAccount: 2 });
    try {
      for (let i = 1; i <= 3; i++) expect((await live.open(target.meetingId, `198.51.100.${i}`)).response.status).toBe(200);
      await expectRefused(await live.open(target.meetingId, '198.51.100.4'), /of this meeting/);
      expect((await live.open(other.meetingId, '203.0.113.1')).response.status).toBe(200);
      await expectRefused(await live.open(other.meetingId, '203.0.113.2'), /on this server/);

      // The meeting's organizer, signed in, still gets the projector's stream (twice: a spare laptop), from anywhere.
      const cookie = await live.signIn('secretary');
      for (const from of ['198.51.100.1', '203.0.113.9']) {
        const projector = await live.open(target.meetingId, from, { cookie });
        expect(projector.response.status).toBe(200);
        await projector.next((s) => s.meetingId === target.meetingId, 'the projector state');
      }
      await expectRefused(await live.open(target.meetingId, '203.0.113.9', { cookie }), /this account has 2 live pages open/);
      // An organizer of another unit is the public here: no share of this meeting's.
      const outsider = await live.signIn('outsider');
      await expectRefused(await live.open(target.meetingId, '203.0.113.10', { cookie: outsider }), /too many live pages are open on this server/);
    } finally {
      await live.stop();
    }
  });

  it('gives every slot back: HEAD never streams, and pipelined requests on a socket that closed are let go', async () => {
    const { meetingId } = await acceptanceMeeting(1);
    const live = await cappedLive({ liveStreamsPerMeeting: 2, liveStreamsPerAddress: 50 });
    try {
      for (let i = 0; i < 5; i++) {
        const head = await fetch(live.url(meetingId), { method: 'HEAD', headers: { accept: 'text/event-stream', 'x-forwarded-for': '192.0.2.60' } });
        expect(head.status).toBe(200);
        expect(head.headers.get('content-type')).toMatch(/^application\/json/);
      }
      // Three streams asked for on one connection, one after another without waiting, then the connection dropped.
      const { port } = new URL(live.url(meetingId));
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const path = new URL(live.url(meetingId)).pathname;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nX-Forwarded-For: 192.0.2.61\r\n\r\n`.repeat(3));
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.destroy();
      // Both slots of the meeting are free again within a few intervals.
      await expect
        .poll(async () => {
          const a = await live.open(meetingId, '192.0.2.62');
          const b = await live.open(meetingId, '192.0.2.63');
          a.close();
          b.close();
          return [a.response.status, b.response.status];
        }, { timeout: 5000, interval: 200 })
        .toEqual([200, 200]);
    } finally {
      await live.stop();
    }
  });

  it("ends a public stream after its lifetime (the page reconnects) and gives its slot back; the organizer's projector stream goes on", async () => {
    const { meetingId } = await acceptanceMeeting(1);
    const live = await cappedLive({ liveStreamsPerMeeting: 1 }, { publicStreamMs: 400 });
    try {
      const cookie = await live.signIn('secretary');
      const projector = await live.open(meetingId, '192.0.2.70', { cookie });
      const watcher = await live.open(meetingId, '192.0.2.71');
      expect([projector.response.status, watcher.response.status]).toEqual([200, 200]);
      await expectRefused(await live.open(meetingId, '192.0.2.72'), /of this meeting/);
      await expect.poll(() => watcher.ended(), { timeout: 5000 }).toBe(true);
      expect((await live.open(meetingId, '192.0.2.72')).response.status).toBe(200);
      expect(projector.ended()).toBe(false);
    } finally {
      await live.stop();
    }
  });

  it('ends a stream with `idle` once its meeting has had nothing open for the idle time; a meeting in check-in keeps streaming', async () => {
    const { meetingId } = await acceptanceMeeting(1);
    const org = await organizerClient(t);
    const quiet = (await org.call('POST', '/api/meetings', { title: '还没有开始签到的会议' })).body.id as string;
    const live = await cappedLive({ liveIdleMs: 300 });
    try {
      const idle = await live.open(quiet, '192.0.2.50');
      const busy = await live.open(meetingId, '192.0.2.51');
      expect([idle.response.status, busy.response.status]).toEqual([200, 200]);
      await expect.poll(() => idle.ended(), { timeout: 5000 }).toBe(true);
      expect(idle.eventNames()).toEqual(['state', 'idle']);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(busy.ended()).toBe(false);
    } finally {
      await live.stop();
    }
  });
});
