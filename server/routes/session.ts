/** Organizer sign-in: POST /api/session, GET /api/session, DELETE /api/session. */
import { Hono } from 'hono';
import { loginBody } from '../../shared/protocol/api.ts';
import { login, logout, requireUser, sessionView } from '../auth/session.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { described, jsonBody } from '../validate.ts';

export function sessionRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .post('/', jsonBody(loginBody, { summary: 'Sign in; sets the session cookie and returns the CSRF token', access: 'public' }), async (c) => {
      const { username, password } = c.req.valid('json');
      return c.json(await login(deps, c, username, password));
    })
    .get('/', described({ summary: 'The signed-in user and the CSRF token', access: 'organizer' }), requireUser(deps), (c) =>
      c.json(sessionView(c)),
    )
    .delete('/', described({ summary: 'Sign out', access: 'organizer' }), requireUser(deps), (c) => {
      logout(deps, c);
      return c.json({ ok: true });
    });
}
