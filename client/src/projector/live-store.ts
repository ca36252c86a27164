/**
 * The projector's view of a meeting, kept up to date by the server's event stream
 * (server/routes/live.ts). First one JSON read, which shows the state at once and names a
 * problem plainly (no such meeting); then an EventSource, which the browser reconnects by
 * itself after a dropped connection. If the stream is refused outright (too many projectors,
 * server restarting) the store reads again after a pause, so the figures still move. Once the
 * server says the state is final (every poll closed) the store stops listening. When the server
 * ends the stream as idle (the meeting had nothing open for a while), the store reads the state
 * every RETRY_SECONDS and listens again as soon as a check-in or a vote is open.
 */
import { createSignal, onCleanup } from 'solid-js';
import type { LiveMeetingState } from '../../../shared/protocol/live.ts';

export type { LiveMeetingState, LivePoll } from '../../../shared/protocol/live.ts';

export type LiveProblem = 'not_found' | 'offline' | 'reconnecting';

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

export function createLiveMeetingStore(meetingId: string) {
  const [state, setState] = createSignal<LiveMeetingState>();
  const [problem, setProblem] = createSignal<LiveProblem>();
  const url = `/api/public/live/meetings/${encodeURIComponent(meetingId)}/events`;
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  function stop() {
    stopped = true;
    source?.close();
    source = undefined;
    clearTimeout(retry);
  }

  function retryLater() {
    clearTimeout(retry);
    if (!stopped) retry = setTimeout(() => void start(), RETRY_SECONDS * 1000);
  }

  function show(next: LiveMeetingState) {
    setState(next);
    setProblem(undefined);
    if (next.final) stop();
  }

  const somethingOpen = (next: LiveMeetingState) => next.polls.some((p) => p.phase === 'checkin' || p.phase === 'voting');
  /** After an idle end: read now and then; listen again once something is open. */
  let idle = false;

  function listen() {
    const events = new EventSource(url);
    source = events;
    events.addEventListener('state', (event) => show(JSON.parse((event as MessageEvent<string>).data) as LiveMeetingState));
    events.addEventListener('idle', () => {
      events.close();
      source = undefined;
      idle = true;
      retryLater();
    });
    events.addEventListener('gone', () => {
      stop();
      setProblem('not_found');
    });
    events.addEventListener('error', () => {
      if (stopped) return;
      setProblem('reconnecting');
      // CLOSED: the browser gave up (the server refused the stream); CONNECTING: it retries itself.
      if (events.readyState === EventSource.CLOSED) {
        source = undefined;
        retryLater();
      }
    });
  }

  async function start() {
    try {
      const first = await readLiveState(url);
      if (stopped) return;
      show(first);
      if (first.final) return;
      if (idle && !somethingOpen(first)) return retryLater();
      idle = false;
      listen();
    } catch (error) {
      if (error instanceof LiveReadError && error.status === 404) {
        stop();
        return void setProblem('not_found');
      }
      setProblem('offline');
      retryLater();
    }
  }

  void start();
  onCleanup(stop);
  return { state, problem };
}
