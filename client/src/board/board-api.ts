/**
 * Every server call of the public board and the tally sheet, typed, throwing ApiError on an
 * error response (never returning `{ error }` as data). The public routes need no login; the
 * organizer's bundle of a closed-but-unpublished poll goes with the session cookie (a GET needs
 * no CSRF header: server/auth/session.ts checks it only on state-changing methods).
 * A bundle is fetched as bytes and read as strict JSON (shared/strict-json.ts), like
 * `npm run verify` reads the file: a duplicate member or bytes that are not UTF-8 throw a
 * JsonRefusal instead of being read one way here and another way elsewhere.
 */
import type { PublicityPeriod } from '../../../shared/publicity.ts';
import type { z } from 'zod';
import { requestBytes, requestJson } from '../../../shared/protocol/api-client.ts';
import type { objectionBody } from '../../../shared/protocol/api.ts';
import { parseStrictJson } from '../../../shared/strict-json.ts';

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
  /** The period as the server counts it (work calendar, cut-off time): the one objections are taken in. */
  publicity: PublicityPeriod;
  /** From this local time (HH:MM) a publication's period starts the next working day. */
  publicityCutoff: string;
}

/** A public read, without cookies (or, for the organizer's own bundle, with the session cookie). */
const getJson = <T>(path: string, credentials: RequestCredentials = 'omit') =>
  requestJson<T>(path, { credentials, cache: 'no-store', referrerPolicy: 'no-referrer' });

/** A bundle as served, read strictly: its parsed value, unvalidated (the verifier judges it). */
const getBundle = async (path: string, credentials: RequestCredentials = 'omit'): Promise<unknown> =>
  parseStrictJson(await requestBytes(path, { credentials, cache: 'no-store', referrerPolicy: 'no-referrer' }));

export const publishedBundlePath = (pollId: string) => `/api/public/polls/${encodeURIComponent(pollId)}/bundle`;

export interface ObjectionSummary {
  status: 'not_started' | 'running' | 'ended';
  period: { firstDay: string; lastDay: string; workingDays: number };
  /** Null until the period has ended. */
  received: number | null;
  outcomes: { proceed: number; defer: number; reject: number; pending: number } | null;
  /** Objections one member's voting code may send about this result a day (the server's setting). */
  memberObjectionsPerDay: number;
}

/**
 * Sent without cookies: an objection carries nothing of the sender but what they typed (a
 * member's voting code, if they add it, proves membership and is not stored).
 */
const postJson = <T>(path: string, body: unknown) =>
  requestJson<T>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
    referrerPolicy: 'no-referrer',
  });

export const boardApi = Object.freeze({
  decisions: async (pollId: string) =>
    (
      await getJson<{ decisions: { questionId: string; step: string; outcome: string; decidedBy: string; date: string; note: string }[] }>(
        `/api/public/polls/${encodeURIComponent(pollId)}/decisions`,
      )
    ).decisions,
  objectionSummary: (pollId: string) => getJson<ObjectionSummary>(`/api/public/polls/${encodeURIComponent(pollId)}/objections`),
  fileObjection: (pollId: string, body: z.input<typeof objectionBody>) =>
    postJson<{ id: string; receivedOn: string }>(`/api/public/polls/${encodeURIComponent(pollId)}/objections`, body),
  publishedPolls: async () => (await getJson<{ polls: PublishedPollItem[] }>('/api/public/polls')).polls,
  /** The bundle as strict JSON, unvalidated: the verifier is what judges it. Throws JsonRefusal for JSON it refuses. */
  publishedBundle: (pollId: string) => getBundle(publishedBundlePath(pollId)),
  signer: () => getJson<{ alg: string; publicKey: string }>('/api/public/signer'),
  meetingTitle: async (meetingId: string) =>
    (await getJson<{ title: string }>(`/api/public/meetings/${encodeURIComponent(meetingId)}`)).title,
  /** Organizer only: the signed bundle of a closed poll, published or not. */
  organizerBundle: (pollId: string) => getBundle(`/api/polls/${encodeURIComponent(pollId)}/bundle`, 'same-origin'),
});
