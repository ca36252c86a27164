/**
 * An organizer signed in over real HTTP, for command-line tools and tests that talk to a
 * running server: keeps the session cookie and sends the CSRF token on every call; a call
 * that gets an error response throws with its code and message.
 */
export interface OrganizerSession {
  cookie: string;
  csrfToken: string;
  call: <T = any>(method: string, path: string, body?: unknown) => Promise<T>;
}

export async function signInOverHttp(baseUrl: string, username: string, password: string): Promise<OrganizerSession> {
  const response = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(`sign-in of ${username} failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('ab_session='))!.split(';')[0]!;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const call = async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as any;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json?.error?.code}: ${json?.error?.message}`);
    return json as T;
  };
  return { cookie, csrfToken, call };
}
