/** Accounts, units and the work calendar, managed by an administrator: /api/users, /api/units, /api/calendar. */
import { Hono } from 'hono';
import { calendarYearBody, createUnitBody, createUserBody } from '../../shared/protocol/api.ts';
import { fail } from '../../shared/errors.ts';
import { removeCalendarYear, setCalendarYear } from '../services/calendar.ts';
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

/** The year in the path: four digits, 2000 to 2099. */
function yearParam(text: string): number {
  if (!/^20\d\d$/.test(text)) fail('invalid_body', 'the year must be four digits, 2000 to 2099');
  return Number(text);
}

export function calendarRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireUser(deps, 'admin'))
    .put('/:year', jsonBody(calendarYearBody, { summary: 'Enter or correct a year of the work calendar (holidays, 调休 working days, source); it replaces a shipped year', access: 'admin' }), (c) =>
      c.json(setCalendarYear(deps, yearParam(c.req.param('year')), c.req.valid('json'), c.get('user').username)),
    )
    .delete('/:year', described({ summary: "Remove an administrator's entry for a year (a shipped year applies again)", access: 'admin' }), (c) => {
      const year = yearParam(c.req.param('year'));
      removeCalendarYear(deps, year, c.get('user').username);
      return c.json({ removed: year });
    });
}
