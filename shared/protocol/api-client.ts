/**
 * The typed HTTP client of the voter's side, used by the browser client and by the Node demo
 * alike. Every call throws `ApiError` (code, message, status) on an error response; it never
 * returns `{ error }` as data. The cast request is sent with `credentials: 'omit'` and no header
 * but the content type, so nothing on it can identify the voter.
 */
import type { Choice } from './poll.ts';
import type { CandidateCommentsResponse, CandidateKeyRegistration, CastResponse, CheckinResponse, CheckinStatusResponse, LookupResponse, PublicMeetingView, TurnoutView } from './api.ts';
import type { Bundle } from './bundle.ts';

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** A limit's refusal (429): seconds until the server takes the request again. */
  readonly retryAfterSeconds: number | undefined;
  constructor(code: string, message: string, status: number, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The JSON body of an answer; throws ApiError for an error answer or a body that is not JSON. */
async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError('bad_response', `the server answered ${response.status} with something that is not JSON`, response.status);
  }
  if (!response.ok) throw errorOf(response, body);
  return body as T;
}

function errorOf(response: Response, body: unknown): ApiError {
  const error = (body as { error?: { code?: string; message?: string; retryAfterSeconds?: unknown } } | undefined)?.error;
  const wait = error?.retryAfterSeconds;
  const retryAfterSeconds = typeof wait === 'number' && Number.isSafeInteger(wait) && wait > 0 ? wait : undefined;
  return new ApiError(error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`, response.status, retryAfterSeconds);
}

async function send(url: string, init: RequestInit, fetchImpl: FetchLike): Promise<Response> {
  try {
    return await fetchImpl(url, init);
  } catch {
    throw new ApiError('network', 'the server could not be reached', 0);
  }
}

/**
 * One request to the server and its JSON answer: the one place every client of this project
 * (voter page, console, board, demo) turns a response into data or an ApiError. A request that
 * never reached the server is ApiError('network', …, 0).
 */
export async function requestJson<T>(url: string, init: RequestInit, fetchImpl: FetchLike = (i, options) => fetch(i, options)): Promise<T> {
  return readJson<T>(await send(url, init, fetchImpl));
}

/**
 * The body of a successful answer exactly as sent, for a reader that must judge the bytes itself
 * (the board reads a bundle as strict JSON); an error answer throws ApiError as requestJson does.
 */
export async function requestBytes(url: string, init: RequestInit, fetchImpl: FetchLike = (i, options) => fetch(i, options)): Promise<Uint8Array> {
  const response = await send(url, init, fetchImpl);
  if (!response.ok) return readJson<never>(response); // an error answer: throws its ApiError
  return new Uint8Array(await response.arrayBuffer());
}

export function createVoterApi(baseUrl: string, fetchImpl: FetchLike = (i, init) => fetch(i, init)) {
  const post = <T>(path: string, body: unknown): Promise<T> =>
    requestJson<T>(
      `${baseUrl}${path}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        cache: 'no-store',
      },
      fetchImpl,
    );
  const get = <T>(path: string): Promise<T> =>
    requestJson<T>(`${baseUrl}${path}`, { credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store' }, fetchImpl);
  return Object.freeze({
    lookup: (code: string) => post<LookupResponse>('/api/checkin/lookup', { code }),
    checkin: (code: string, roomCode: string, requests: { pollId: string; group: string; questionId: string; blindedMessage: string }[]) =>
      post<CheckinResponse>('/api/checkin', { code, roomCode, requests }),
    /** Identified by the check-in's random id only: its state, and the blind signatures once voting opened. */
    checkinStatus: (checkinId: string) => post<CheckinStatusResponse>('/api/checkin/status', { checkinId }),
    /** Every ballot of one voter for one poll; `comment`: three evaluations only, never blank. */
    cast: (ballots: { token: string; salt: string; answer: Choice; comment?: string }[]) => post<CastResponse>('/api/ballots', { ballots }),
    /** After close: the comments raters wrote to the candidate whose code this is. */
    candidateComments: (code: string) => post<CandidateCommentsResponse>('/api/self-evaluations/comments', { code }),
    /** Not anonymous: a candidate's own signed statement. */
    selfEvaluate: (code: string, pollId: string, scores: Record<string, number>, signature: string) =>
      post<{ questionId: string; scores: Record<string, number> }>('/api/self-evaluations', { code, pollId, scores, signature }),
    /** A candidate's own public keys, registered in the room before voting opens. */
    registerCandidateKey: (code: string, roomCode: string, pollId: string, keys: { signingKey: string; boxKey: string }) =>
      post<CandidateKeyRegistration>('/api/candidate-keys', { code, roomCode, pollId, ...keys }),
    meeting: (meetingId: string) => get<PublicMeetingView>(`/api/public/meetings/${encodeURIComponent(meetingId)}`),
    turnout: (pollId: string) => get<TurnoutView>(`/api/public/polls/${encodeURIComponent(pollId)}/turnout`),
    bundle: (pollId: string) => get<Bundle>(`/api/public/polls/${encodeURIComponent(pollId)}/bundle`),
  });
}

export type VoterApi = ReturnType<typeof createVoterApi>;
