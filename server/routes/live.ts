/**
 * The meeting room's live view (the projector), public like the turnout it shows.
 *
 *   GET /meetings/:id/events  with `Accept: text/event-stream` (as EventSource sends): a stream
 *                             of `state` events; without it: the same state once, as JSON (so a
 *                             page can show the first state and a clear error before streaming).
 *   GET /polls/:id/result     the result of a closed poll: counts, thresholds, verdicts and their
 *                             sentences — never the ballots (those come with the bundle at publish).
 *
 * Bounded work: the state of a meeting is read from the database at most once per interval
 * (1 s) however many streams watch it; a stream writes only when the state changed, and a
 * comment line as a heartbeat otherwise (every 15 s); a stream ends when its client goes away,
 * after sending the final state once every poll of the meeting is closed (the page then stops
 * listening), and with an `idle` event once its meeting has had nothing open (no check-in, no
 * voting) for `liveIdleMs` (the page then reads the state now and then, and listens again once
 * something opens).
 *
 * Fair shares (server/limits.ts). A signed-in account that may see the meeting (its projector)
 * has its own few streams, never counted with the public's, so nobody can take a meeting's
 * projector by opening streams. The public's streams are capped in all, per meeting and per
 * address (429 beyond, with when to try again).
 *
 * Privacy. Before a poll closes, a state carries only what GET /api/public/polls/:id/turnout
 * already returns to anyone — expected, checked in, submitted — plus public descriptions (titles,
 * questions, the key set fingerprint; in the three evaluations, the fingerprints of the
 * candidates' registered keys, as GET /api/public/meetings/:id shows them) and, once voting
 * opened, the opening statement (head count, check-ins signed and struck, tokens issued, the
 * record's digest). No choice, count of choices, token, receipt, name (but the candidates' the
 * questions carry) or room code: the projector page reads the room code and the 未签到名单 from
 * the organizer's routes, with the organizer's session. Timing: the stream tells at most once a
 * second that the number of submissions grew; anyone in the room sees a voter tap "submit"
 * anyway; what it tells is *that* someone voted at about that moment, never *how*: the ballots
 * table has no time or order and choice counts do not exist outside it before close. Every token
 * was signed at the same moment (the opening), so a submission hides among all who checked in.
 */
import { clientAddress } from '../client-address.ts';
import { signedInUser } from '../auth/session.ts';
import { addressKeys, limitsOf, NETWORK_SHARE, RateLimited } from '../limits.ts';
import { Hono, type Context } from 'hono';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { fail } from '../../shared/errors.ts';
import { isV2 } from '../../shared/protocol/bundle.ts';
import { maySeeMeeting, meetingKeySetFingerprint } from '../services/meetings.ts';
import { ID_PATTERN } from '../../shared/protocol/poll.ts';
import type { LiveMeetingState, LivePoll, LiveResult } from '../../shared/protocol/live.ts';
import type { AppDeps } from '../context.ts';
import { listPollsOfMeetingWithoutBundle } from '../db/live-queries.ts';
import * as q from '../db/queries.ts';
import { candidateKeyFingerprints, pollBundle, pollQuestions, turnout } from '../services/polls.ts';
import { described } from '../validate.ts';
import { openingCosignatures, openingStatement } from '../services/opening.ts';
import { openingStatementDigestHex } from '../../shared/crypto/opening-statement.ts';


export interface LiveOptions {
  /** How often a meeting's state is read while streams watch it. */
  intervalMs?: number;
  heartbeatMs?: number;
  /** A public stream ends after this long; the page's EventSource reconnects at once. */
  publicStreamMs?: number;
}

export const LIVE_DEFAULTS = { intervalMs: 1000, heartbeatMs: 15_000, publicStreamMs: 30 * 60_000 } as const;
/** A public stream whose client stopped reading (its last write never finishes) is cut this long after its end. */
const STUCK_GRACE_MS = 10_000;
/** The page's next try after a refused stream: it reads the state meanwhile. */
const REFUSED_RETRY_MS = 30_000;

/** Open streams per key (in memory only); a key is dropped when its last stream ends. */
class StreamCounts {
  private readonly counts = new Map<string, number>();
  get(key: string) {
    return this.counts.get(key) ?? 0;
  }
  add(key: string, by: 1 | -1) {
    const next = this.get(key) + by;
    if (next > 0) this.counts.set(key, next);
    else this.counts.delete(key);
  }
}
/** EventSource waits this long before reconnecting after a dropped connection. */
const RECONNECT_MS = 3000;
const RESULT_CACHE_LIMIT = 500;

const wantsEventStream = (c: Context) => /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(c.req.header('accept') ?? '');

export function liveRoutes(deps: AppDeps, options: LiveOptions = {}) {
  const { intervalMs, heartbeatMs, publicStreamMs } = { ...LIVE_DEFAULTS, ...options };
  const limits = limitsOf(deps).settings;
  let publicStreams = 0;
  const publicByMeeting = new StreamCounts();
  const publicByAddress = new StreamCounts();
  const publicByNetwork = new StreamCounts();
  const byAccount = new StreamCounts();

  /**
   * Takes a stream slot for this request, or throws 429: the signed-in account's own share if it
   * may see the meeting, else the public's. Returns how to give the slot back.
   */
  function admit(c: Context, meetingId: string): { release: () => void; public: boolean } {
    const refuse = (what: { en: string; zh: string }): never => {
      throw new RateLimited(REFUSED_RETRY_MS, what);
    };
    const user = signedInUser(deps, c);
    const meeting = user ? q.getMeeting(deps.db, meetingId) : undefined;
    if (user && meeting && maySeeMeeting(user, meeting)) {
      if (byAccount.get(user.id) >= limits.liveStreamsPerAccount)
        refuse({ en: `this account has ${limits.liveStreamsPerAccount} live pages open already (close one)`, zh: `这个账号已打开 ${limits.liveStreamsPerAccount} 个实时页面（可先关闭一个）` });
      byAccount.add(user.id, 1);
      return { release: () => byAccount.add(user.id, -1), public: false };
    }
    const { address, network } = addressKeys(clientAddress(c, limits.trustProxy));
    if (publicStreams >= limits.liveStreams) refuse({ en: 'too many live pages are open on this server', zh: '服务器上打开的实时页面太多' });
    if (publicByMeeting.get(meetingId) >= limits.liveStreamsPerMeeting)
      refuse({ en: 'too many live pages of this meeting are open (the organizer signed in is never refused)', zh: '这个会议打开的实时页面太多（已登录的支部书记、组织委员不受此限）' });
    if (publicByAddress.get(address) >= limits.liveStreamsPerAddress || publicByNetwork.get(network) >= NETWORK_SHARE * limits.liveStreamsPerAddress)
      refuse({ en: 'too many live pages are open from this network address', zh: '从这个网络地址打开的实时页面太多' });
    publicStreams++;
    publicByMeeting.add(meetingId, 1);
    publicByAddress.add(address, 1);
    publicByNetwork.add(network, 1);
    return {
      release: () => {
        publicStreams--;
        publicByMeeting.add(meetingId, -1);
        publicByAddress.add(address, -1);
        publicByNetwork.add(network, -1);
      },
      public: true,
    };
  }
  /** Per meeting, the last state read and when: shared by every stream watching it. */
  const recent = new Map<string, { at: number; state: Omit<LiveMeetingState, 'checkinUrl'> | undefined }>();
  /** Results of closed polls never change: parsed from the bundle once. */
  const results = new Map<string, LiveResult>();

  function closedResult(pollId: string): LiveResult {
    const cached = results.get(pollId);
    if (cached) return cached;
    const bundle = pollBundle(deps, q.getPoll(deps.db, pollId)!);
    const result: LiveResult = {
      closedAt: bundle.closedAt,
      expected: bundle.electorate.expected,
      checkedIn: bundle.electorate.checkedIn,
      present: isV2(bundle) ? bundle.electorate.present : bundle.electorate.checkedIn,
      result: bundle.result,
    };
    if (results.size >= RESULT_CACHE_LIMIT) results.clear();
    results.set(pollId, result);
    return result;
  }

  function readState(meetingId: string): Omit<LiveMeetingState, 'checkinUrl'> | undefined {
    const meeting = q.getMeeting(deps.db, meetingId);
    if (!meeting) return undefined;
    const rows = listPollsOfMeetingWithoutBundle(deps.db, meeting.id);
    const polls = rows
      .filter((p) => p.phase !== 'draft')
      .map((p): LivePoll => {
        const { expected, checkedIn, submitted, refusedOverIssued, declaredNotVoted } = turnout(deps, p);
        // Read each interval like the turnout: a key registered (or replaced) shows within a second.
        const keys = p.kind === 'three_evaluations' && (p.phase === 'checkin' || p.phase === 'voting') ? { candidateKeyFingerprints: candidateKeyFingerprints(deps, p) } : {};
        const base = { id: p.id, title: p.title, kind: p.kind, phase: p.phase, questions: pollQuestions(p), expected, checkedIn, submitted, refusedOverIssued, declaredNotVoted, ...keys };
        const opening = p.opening?.state === 'open' ? p.opening : undefined;
        const withOpening = opening
          ? {
              ...base,
              opening: {
                headCount: opening.headCount,
                headCountNote: opening.headCountNote,
                checkedIn: opening.checkedIn,
                struck: opening.struck,
                issued: Object.values(opening.issued).reduce((a, b) => a + b, 0),
                recordSeq: opening.anchor.seq,
                recordDigest: opening.anchor.digest.slice(0, 16),
                statementDigest: openingStatementDigestHex(openingStatement(deps, p)!).slice(0, 16),
                cosigned: openingCosignatures(p).length,
                cosigners: p.scrutineers.filter((s) => s.account).length,
              },
            }
          : base;
        if (p.phase === 'closed' || p.phase === 'published') {
          const closed = closedResult(p.id);
          return { ...withOpening, expected: closed.expected, checkedIn: closed.checkedIn, closed };
        }
        return withOpening;
      });
    const final = rows.length > 0 && rows.every((p) => p.phase === 'closed' || p.phase === 'published');
    return { meetingId: meeting.id, title: meeting.title, keySetFingerprint: meetingKeySetFingerprint(deps, meeting.id), polls, final };
  }

  /** The meeting's state, read at most once per interval whoever asks. */
  function stateOf(meetingId: string) {
    if (!ID_PATTERN.test(meetingId)) return undefined;
    const now = performance.now();
    const hit = recent.get(meetingId);
    if (hit && now - hit.at < intervalMs) return hit.state;
    const state = readState(meetingId);
    for (const [id, entry] of recent) if (now - entry.at >= intervalMs) recent.delete(id);
    recent.set(meetingId, { at: now, state });
    return state;
  }

  /**
   * `socketGone`: whether the client's connection is gone (a pipelined request whose socket
   * closed gets no abort signal); `until`: when a public stream ends anyway (the page reconnects
   * and is admitted again, so a slot nobody reads cannot be held for good).
   */
  async function watch(stream: SSEStreamingApi, meetingId: string, checkinUrl: string, signal: AbortSignal, socketGone: () => boolean, until: number) {
    let gone = false;
    let wake = () => {};
    const leave = () => {
      gone = true;
      wake();
    };
    stream.onAbort(leave);
    signal.addEventListener('abort', leave);
    let lastSent = '';
    let lastWrite = performance.now();
    let idleSince: number | undefined;
    try {
      while (!gone && !socketGone() && performance.now() < until) {
        const state = stateOf(meetingId);
        if (!state) {
          // The meeting was deleted while watched.
          await stream.writeSSE({ event: 'gone', data: '{}' });
          return;
        }
        const text = JSON.stringify({ ...state, checkinUrl } satisfies LiveMeetingState);
        if (text !== lastSent) {
          await stream.writeSSE({ event: 'state', data: text, ...(lastSent ? {} : { retry: RECONNECT_MS }) });
          lastSent = text;
          lastWrite = performance.now();
        } else if (performance.now() - lastWrite >= heartbeatMs) {
          await stream.write(': heartbeat\n\n');
          lastWrite = performance.now();
        }
        if (state.final) return;
        const live = state.polls.some((p) => p.phase === 'checkin' || p.phase === 'voting');
        idleSince = live ? undefined : (idleSince ?? performance.now());
        if (idleSince !== undefined && performance.now() - idleSince >= limits.liveIdleMs) {
          await stream.writeSSE({ event: 'idle', data: '{}' });
          return;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, intervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } catch (error) {
      // A database error mid-stream: end this stream (the browser reconnects) without details.
      console.error('live stream ended:', error instanceof Error ? error.name : 'unknown error');
    } finally {
      signal.removeEventListener('abort', leave);
    }
  }

  return new Hono()
    .get(
      '/meetings/:id/events',
      described({
        summary: 'Live turnout of a meeting (and results once closed): server-sent events with Accept: text/event-stream, else one JSON state',
        access: 'public',
      }),
      (c) => {
        const meetingId = c.req.param('id');
        const state = stateOf(meetingId);
        if (!state) fail('not_found', 'no such meeting');
        const checkinUrl = `${deps.publicOrigin ?? new URL(c.req.url).origin}/vote`;
        // HEAD never streams: its body is thrown away without the stream being cancelled.
        if (!wantsEventStream(c) || c.req.method === 'HEAD') return c.json({ ...state, checkinUrl } satisfies LiveMeetingState);
        const slot = admit(c, meetingId);
        const node = (c.env ?? {}) as { incoming?: IncomingMessage; outgoing?: ServerResponse };
        const socketGone = () => node.incoming?.socket?.destroyed === true || node.outgoing?.destroyed === true;
        const until = performance.now() + (slot.public ? publicStreamMs : Infinity);
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          clearTimeout(cut);
          slot.release();
        };
        // A client that stops reading leaves a write waiting for good, and the loop with it: past
        // its end, such a stream is cut and its slot given back from here.
        const cut = slot.public
          ? setTimeout(() => {
              node.outgoing?.destroy();
              release();
            }, publicStreamMs + STUCK_GRACE_MS)
          : undefined;
        return streamSSE(c, async (stream) => {
          try {
            await watch(stream, meetingId, checkinUrl, c.req.raw.signal, socketGone, until);
          } finally {
            release();
          }
        });
      },
    )
    .get('/polls/:id/result', described({ summary: 'The result of a closed poll (counts, thresholds, verdicts; not the ballots)', access: 'public' }), (c) => {
      const poll = q.getPoll(deps.db, c.req.param('id'));
      if (!poll || poll.phase === 'draft') fail('not_found', 'no such poll');
      if (poll.phase !== 'closed' && poll.phase !== 'published') fail('wrong_phase', 'the poll is not closed yet: there is no result before close');
      return c.json({ pollId: poll.id, title: poll.title, kind: poll.kind, questions: pollQuestions(poll), ...closedResult(poll.id) });
    });
}
