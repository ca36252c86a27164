/** Accounts, managed by an administrator: POST /api/users. */
import { Hono } from 'hono';
import { createUserBody } from '../../shared/protocol/api.ts';
import { requireUser } from '../auth/session.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { createUser } from '../services/users.ts';
import { jsonBody } from '../validate.ts';

export function userRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().post(
    '/',
    requireUser(deps, 'admin'),
    jsonBody(createUserBody, { summary: 'Create an organizer or administrator account', access: 'admin' }),
    (c) => c.json(createUser(deps.db, c.req.valid('json'), c.get('user').username, deps.now()), 201),
  );
}
