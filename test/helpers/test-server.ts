/**
 * Test servers: a real SQLite file in a fresh temporary directory, the real app, and either
 * in-process requests (`app.request`) or a real listening socket on 127.0.0.1.
 */
import { serve, type ServerType } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app.ts';
import type { AppDeps } from '../../server/context.ts';
import { databaseFile } from '../../server/config.ts';
import { loadOrCreateInstallationKey } from '../../server/crypto/installation-key.ts';
import { openDatabase } from '../../server/db/open.ts';
import { createUser } from '../../server/services/users.ts';

export interface TestServer {
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  dataDir: string;
  close(): void;
}

/** `options.clientDir`: a built client (index.html + assets/) for the app to serve, as in production. */
export function startTestApp(
  overrides: Partial<AppDeps> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'anon-ballot-')),
  options: { clientDir?: string } = {},
): TestServer {
  const db = openDatabase(databaseFile(dataDir));
  const deps: AppDeps = {
    db,
    installationKey: loadOrCreateInstallationKey(dataDir),
    now: () => new Date(),
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    ...overrides,
  };
  const app = createApp(deps, options);
  return {
    deps,
    app,
    dataDir,
    close() {
      db.$client.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function listen(app: TestServer['app']): Promise<{ url: string; server: ServerType; stop(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        server,
        stop: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

export const ORGANIZER_PASSWORD = 'correct horse battery staple';

export function seedUser(t: TestServer, username = 'secretary', role: 'admin' | 'organizer' | 'scrutineer' = 'organizer', unitId?: string) {
  return createUser(t.deps.db, { username, password: ORGANIZER_PASSWORD, role, ...(unitId ? { unitId } : {}) }, 'test', new Date());
}

/** A signed-in organizer's requests against the in-process app (cookie + CSRF header). */
export async function organizerClient(t: TestServer, username = 'secretary') {
  const login = await t.app.request('/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: ORGANIZER_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('ab_session='))!.split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await t.app.request(path, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  return { call, cookie, csrfToken };
}

/** fetch for shared/protocol/api-client.ts that goes to the in-process app. */
export const inProcessFetch = (t: TestServer) => (input: string, init?: RequestInit) => Promise.resolve(t.app.request(input, init));
