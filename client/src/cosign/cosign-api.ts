/**
 * The scrutineer's server calls: sign in, read the poll, register a key, co-sign. Every call
 * throws ApiError on an error answer. State-changing calls carry the session's CSRF token.
 */
import { ApiError } from '../../../shared/protocol/api-client.ts';
import type { Bundle } from '../../../shared/protocol/bundle.ts';

export interface CosignView {
  poll: { id: string; title: string; phase: 'draft' | 'checkin' | 'voting' | 'closed' | 'published' };
  me: { name: string; role: 'supervisor' | 'counter'; publicKey: string | null } | null;
  bundle: Bundle | null;
}

interface Session {
  user: { username: string; role: string };
  csrfToken: string;
}

let csrfToken = '';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError('network', 'the server could not be reached', 0);
  }
  const parsed = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  if (!response.ok) throw new ApiError(parsed?.error?.code ?? 'http_error', parsed?.error?.message ?? `HTTP ${response.status}`, response.status);
  return parsed as T;
}

const remember = (session: Session) => {
  csrfToken = session.csrfToken;
  return session.user;
};

export const cosignApi = Object.freeze({
  /** The signed-in user, or undefined when nobody is signed in. */
  session: async () => {
    try {
      return remember(await call<Session>('GET', '/api/session'));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'unauthenticated') return undefined;
      throw error;
    }
  },
  signIn: async (username: string, password: string) => remember(await call<Session>('POST', '/api/session', { username, password })),
  view: (pollId: string) => call<CosignView>('GET', `/api/cosign/${encodeURIComponent(pollId)}`),
  registerKey: (pollId: string, publicKey: string) => call<{ publicKey: string }>('PUT', `/api/cosign/${encodeURIComponent(pollId)}/key`, { publicKey }),
  cosign: (pollId: string, signature: string) => call<{ ok: true }>('POST', `/api/cosign/${encodeURIComponent(pollId)}/signature`, { signature }),
});
