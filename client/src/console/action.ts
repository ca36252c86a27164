/**
 * One console action in flight: a busy flag (so a double click sends once) and the error it
 * ended with, as a sentence for the organizer: what went wrong in their words, then the
 * server's own message, which names the poll, the voter or the line concerned. A limit's
 * refusal is the exception: it says when to try again, in the page's language, and nothing more
 * (the server's English would only repeat it).
 */
import { createSignal } from 'solid-js';
import { waitText } from '../i18n/wait.ts';
import { ApiError } from './api.ts';
import { ct, type ConsoleKey } from './i18n.ts';

const KNOWN: Record<string, ConsoleKey> = {
  network: 'error.network',
  unauthenticated: 'error.unauthorized',
  csrf: 'error.unauthorized',
  forbidden: 'error.forbidden',
  not_found: 'error.not_found',
  wrong_phase: 'error.wrong_phase',
  conflict: 'error.conflict',
  invalid_body: 'error.invalid_body',
  not_eligible: 'error.not_eligible',
  invalid_choices: 'error.invalid_body',
  rate_limited: 'error.rate_limited',
  bad_credentials: 'error.bad_credentials',
  // Protocol v2
  head_count: 'error.head_count',
  no_quorum: 'error.no_quorum',
  over_issued: 'error.over_issued',
  room_code: 'error.room_code',
  room_code_locked: 'error.room_code_locked',
  already_issued: 'error.already_issued',
  unknown_code: 'error.unknown_code',
  candidate_number: 'error.candidate_number',
};

/** An error already put in the organizer's words (say, a refusal explained from the sign-in sheet): shown as it is. */
export class ExplainedError extends Error {
  override name = 'ExplainedError';
}

export function errorText(error: unknown): string {
  if (error instanceof ExplainedError) return error.message;
  if (error instanceof ApiError) {
    if (error.code === 'rate_limited' && error.retryAfterSeconds !== undefined) return ct('error.rate_limited_wait', { wait: waitText(error.retryAfterSeconds) });
    const key = KNOWN[error.code] ?? 'error.generic';
    return error.code === 'network' ? ct(key) : ct('error.withDetail', { summary: ct(key), detail: error.message });
  }
  return ct('error.withDetail', { summary: ct('error.generic'), detail: error instanceof Error ? error.message : String(error) });
}

export function createAction() {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  return {
    busy,
    error,
    setError,
    /** Runs `task` unless one is already running; returns whether it succeeded. */
    async run(task: () => Promise<unknown>): Promise<boolean> {
      if (busy()) return false;
      setBusy(true);
      setError(undefined);
      try {
        await task();
        return true;
      } catch (caught) {
        setError(errorText(caught));
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}

export type Action = ReturnType<typeof createAction>;
