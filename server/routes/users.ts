/** Accounts and units, managed by an administrator: /api/users, /api/units. */
import { Hono } from 'hono';
import { createUnitBody, createUserBody } from '../../shared/protocol/api.ts';
import { requireUser } from '../auth/session.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import * as q from '../db/queries.ts';
import { createUnit, createUser } from '../services/users.ts';
import { described, jsonBody } from '../validate.ts';

export function userRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireUser(deps, 'admin'))
    .post('/', jsonBody(createUserBody, { summary: 'Create an account: administrator, organizer or scrutineer of a unit', access: 'admin' }), (c) =>
      c.json(createUser(deps.db, c.req.valid('json'), c.get('user').username, deps.now()), 201),
    )
    .get('/', described({ summary: 'Every account with its role and unit (never a password hash)', access: 'admin' }), (c) =>
      c.json({ users: q.listUsers(deps.db) }),
    );
}

export function unitRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireUser(deps, 'admin'))
    .post('/', jsonBody(createUnitBody, { summary: 'Add a unit to the organization tree', access: 'admin' }), (c) =>
      c.json(createUnit(deps.db, c.req.valid('json'), c.get('user').username, deps.now()), 201),
    )
    .get('/', described({ summary: 'The organization tree, as a list of units with their parent', access: 'admin' }), (c) =>
      c.json({ units: q.listUnits(deps.db) }),
    );
}
