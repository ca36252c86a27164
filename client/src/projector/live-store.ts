/**
 * The projector's view of a meeting, kept up to date by the server's event stream
 * (server/routes/live.ts). First one JSON read, which shows the state at once and names a
 * problem plainly (no such meeting); then an EventSource, which the browser reconnects by
 * itself after a dropped connection. Once the server says the state is final (every poll
 * closed) the store stops listening.
 *
 * Two ways the page ends up reading the state every RETRY_SECONDS instead of listening:
 *  - refused: the server turned the stream away (429: too many live pages in all, for this
 *    meeting, from this address, or for this account). EventSource only says "closed" and
 *    cannot read why, so the store asks once with fetch (the same request, `Accept:
 *    text/event-stream`) and keeps the server's reason to show it; it listens again once the
 *    refusal's Retry-After has passed. A 200 there means the refusal is over: that response
 *    is dropped at once (it holds a stream slot) and the EventSource opened again.
 *  - idle: the server ended the stream because the meeting had nothing open for a while; the
 *    store listens again as soon as a check-in or a vote is open.
 *
 * `status` says which of these the page is in, for the indicator in the corner of the screen.
 */
import { createSignal, onCleanup } from 'solid-js';
import type { LiveMeetingState } from '../../../shared/protocol/live.ts';
import { refusalReason } from '../../../shared/wait-words.ts';

export type { LiveMeetingState, LivePoll } from '../../../shared/protocol/live.ts';

/** The server's reason for refusing the stream, in its two languages; a missing one is said from the code. */
export interface StreamRefusal {
  zh?: string;
  en?: string;
}

export type LiveStatus =
  | { kind: 'loading' }
  /** Listening to the stream (or about to, right after the first read). */
  | { kind: 'live' }
  /** The stream dropped and the browser is reconnecting. */
  | { kind: 'reconnecting' }
  /** The state cannot be read: the server is out of reach; trying again every RETRY_SECONDS. */
  | { kind: 'offline' }
  | { kind: 'refused'; refusal: StreamRefusal }
  | { kind: 'idle' }
  | { kind: 'not_found' }
  | { kind: 'final' };

export const RETRY_SECONDS = 15;

class LiveReadError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LiveReadError';
  }
}

/** One read of the state; throws LiveReadError with the server's error code. */
async function readLiveState(url: string): Promise<LiveMeetingState> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'omit' });
  const body = (await response.json().catch(() => undefined)) as any;
  if (!response.ok) throw new LiveReadError(response.status, body?.error?.code ?? 'http_error', body?.error?.message ?? response.statusText);
  return body as LiveMeetingState;
}

/** What a 429 from the stream says: its reason in both languages and how long to stay away. */
async function readRefusal(response: Response): Promise<{ refusal: StreamRefusal; retryAfterSeconds: number }> {
  const error = ((await response.json().catch(() => undefined)) as any)?.error;
  // The page tries again by itself: only the reason is kept, not when.
  const zh = refusalReason(error?.messageZh);
  const en = refusalReason(error?.message);
  const seconds = [error?.retryAfterSeconds, Number(response.headers.get('retry-after'))].find((s) => Number.isSafeInteger(s) && s > 0) as number | undefined;
  return { refusal: { ...(zh ? { zh } : {}), ...(en ? { en } : {}) }, retryAfterSeconds: seconds ?? RETRY_SECONDS };
}

export function createLiveMeetingStore(meetingId: string) {
  const [state, setState] = createSignal<LiveMeetingState>();
  const [status, setStatus] = createSignal<LiveStatus>({ kind: 'loading' });
  const url = `/api/public/live/meetings/${encodeURIComponent(meetingId)}/events`;
  let source: EventSource | undefined;
  let probe: AbortController | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  /** After a refusal: not before this time (Date.now()) is the stream asked for again. */
  let listenAgainAt = 0;
  /** A probe answered 200 and no state has come since: a second closed stream waits for the next turn. */
  let probedOpen = false;

  function stop() {
    stopped = true;
    source?.close();
    source = undefined;
    probe?.abort();
    clearTimeout(retry);
  }

  function retryLater() {
    clearTimeout(retry);
    if (!stopped) retry = setTimeout(() => void start(), RETRY_SECONDS * 1000);
  }

  /** Shows a state; true when it is final (every poll closed), and the store stopped. */
  function show(next: LiveMeetingState): boolean {
    setState(next);
    if (!next.final) return false;
    stop();
    setStatus({ kind: 'final' });
    return true;
  }

  const somethingOpen = (next: LiveMeetingState) => next.polls.some((p) => p.phase === 'checkin' || p.phase === 'voting');

  function listen() {
    const events = new EventSource(url);
    source = events;
    events.addEventListener('state', (event) => {
      probedOpen = false;
      if (!show(JSON.parse((event as MessageEvent<string>).data) as LiveMeetingState)) setStatus({ kind: 'live' });
    });
    events.addEventListener('idle', () => {
      events.close();
      source = undefined;
      setStatus({ kind: 'idle' });
      retryLater();
    });
    events.addEventListener('gone', () => {
      stop();
      setStatus({ kind: 'not_found' });
    });
    events.addEventListener('error', () => {
      if (stopped) return;
      // CONNECTING: the connection dropped and the browser retries by itself.
      if (events.readyState !== EventSource.CLOSED) {
        if (status().kind === 'live') setStatus({ kind: 'reconnecting' });
        return;
      }
      // CLOSED: the browser gave up (the server answered other than 200): ask why.
      source = undefined;
      void askWhyClosed();
    });
  }

  /** The stream was closed by an answer EventSource cannot read: the same request once with fetch. */
  async function askWhyClosed() {
    probe = new AbortController();
    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: 'text/event-stream' }, cache: 'no-store', signal: probe.signal });
    } catch {
      if (stopped) return;
      setStatus({ kind: 'reconnecting' });
      return retryLater();
    }
    if (response.status === 200) {
      // Open after all (the refusal is over): drop this stream at once, it holds a slot.
      void response.body?.cancel().catch(() => {});
      if (stopped) return;
      if (probedOpen) return retryLater(); // closed again right after: no tight loop
      probedOpen = true;
      return listen();
    }
    if (stopped) return;
    if (response.status === 429) {
      const { refusal, retryAfterSeconds } = await readRefusal(response);
      listenAgainAt = Date.now() + retryAfterSeconds * 1000;
      setStatus({ kind: 'refused', refusal });
    } else if (response.status === 404) {
      stop();
      return setStatus({ kind: 'not_found' });
    } else {
      void response.body?.cancel().catch(() => {});
      setStatus({ kind: 'reconnecting' });
    }
    retryLater();
  }

  async function start() {
    try {
      const first = await readLiveState(url);
      if (stopped || show(first)) return;
      const mode = status().kind;
      if (mode === 'idle' && !somethingOpen(first)) return retryLater();
      if (mode === 'refused' && Date.now() < listenAgainAt) return retryLater();
      // Idle or refused: said until the stream's first state arrives.
      if (mode !== 'idle' && mode !== 'refused') setStatus({ kind: 'live' });
      listen();
    } catch (error) {
      if (error instanceof LiveReadError && error.status === 404) {
        stop();
        return void setStatus({ kind: 'not_found' });
      }
      setStatus({ kind: 'offline' });
      retryLater();
    }
  }

  void start();
  onCleanup(stop);
  return { state, status };
}
