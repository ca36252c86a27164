/**
 * Every server call of the public board and the tally sheet, typed, throwing ApiError on an
 * error response (never returning `{ error }` as data). The public routes need no login; the
 * organizer's bundle of a closed-but-unpublished poll goes with the session cookie (a GET needs
 * no CSRF header: server/auth/session.ts checks it only on state-changing methods).
 */
import { ApiError } from '../../../shared/protocol/api-client.ts';

/** An item of GET /api/public/polls. */
export interface PublishedPollItem {
  id: string;
  meetingId: string;
  title: string;
  kind: string;
  closedAt: string;
  /** When the result was published (ISO 8601): the publicity period counts from this day. */
  publishedAt: string;
  /** The publicity period in working days (the poll's setting). */
  publicityWorkingDays: number;
}

async function getJson<T>(path: string, credentials: RequestCredentials = 'omit'): Promise<{ body: T; text: string }> {
  let response: Response;
  try {
    response = await fetch(path, { credentials, cache: 'no-store', referrerPolicy: 'no-referrer' });
  } catch {
    throw new ApiError('network', 'the server could not be reached', 0);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError('bad_response', `the server answered ${response.status} with something that is not JSON`, response.status);
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`, response.status);
  }
  return { body: body as T, text };
}

export const publishedBundlePath = (pollId: string) => `/api/public/polls/${encodeURIComponent(pollId)}/bundle`;

export interface ObjectionSummary {
  status: 'not_started' | 'running' | 'ended';
  period: { firstDay: string; lastDay: string; workingDays: number };
  /** Null until the period has ended. */
  received: number | null;
  outcomes: { proceed: number; defer: number; reject: number; pending: number } | null;
}

async function postJson<T>(path: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new ApiError('network', 'the server could not be reached', 0);
  }
  const parsed = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  if (!response.ok) throw new ApiError(parsed?.error?.code ?? 'http_error', parsed?.error?.message ?? `HTTP ${response.status}`, response.status);
  return parsed as T;
}

export const boardApi = Object.freeze({
  decisions: async (pollId: string) =>
    (
      await getJson<{ decisions: { questionId: string; step: string; outcome: string; decidedBy: string; date: string; note: string }[] }>(
        `/api/public/polls/${encodeURIComponent(pollId)}/decisions`,
      )
    ).body.decisions,
  objectionSummary: async (pollId: string) => (await getJson<ObjectionSummary>(`/api/public/polls/${encodeURIComponent(pollId)}/objections`)).body,
  /** Sent without cookies: an objection carries nothing of the sender but what they typed. */
  fileObjection: (pollId: string, body: { text: string; name?: string; contact?: string }) =>
    postJson<{ id: string; receivedOn: string }>(`/api/public/polls/${encodeURIComponent(pollId)}/objections`, body),
  publishedPolls: async () => (await getJson<{ polls: PublishedPollItem[] }>('/api/public/polls')).body.polls,
  /** The bundle as parsed JSON, unvalidated: the verifier is what judges it. */
  publishedBundle: async (pollId: string) => (await getJson<unknown>(publishedBundlePath(pollId))).body,
  signer: async () => (await getJson<{ alg: string; publicKey: string }>('/api/public/signer')).body,
  meetingTitle: async (meetingId: string) =>
    (await getJson<{ title: string }>(`/api/public/meetings/${encodeURIComponent(meetingId)}`)).body.title,
  /** Organizer only: the signed bundle of a closed poll, published or not. */
  organizerBundle: async (pollId: string) => (await getJson<unknown>(`/api/polls/${encodeURIComponent(pollId)}/bundle`, 'same-origin')).body,
});
