/** Accounts (administrators, organizers, scrutineers) and the units they belong to. */
import { randomUUID } from 'node:crypto';
import { fail } from '../../shared/errors.ts';
import { hashPassword } from '../auth/password.ts';
import type { Db } from '../db/open.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from './audit.ts';
import type { UserRole } from '../db/queries.ts';

export function createUser(
  db: Db,
  input: { username: string; password: string; role: UserRole; unitId?: string },
  actor: string,
  now: Date,
) {
  if (q.findUserByUsername(db, input.username)) fail('conflict', `the username ${input.username} is taken`);
  if (input.role === 'admin' && input.unitId !== undefined) fail('invalid_body', 'an administrator belongs to no unit');
  if (input.unitId !== undefined && !q.getUnit(db, input.unitId)) fail('invalid_body', 'no such unit');
  const passwordHash = hashPassword(input.password);
  const user = { id: randomUUID(), username: input.username, role: input.role, unitId: input.unitId ?? null, createdAt: now.toISOString() };
  q.runInTransaction(db, () => {
    q.insertUser(db, { ...user, passwordHash });
    appendAudit(
      db,
      { actor, action: 'create_user', subject: user.id, details: { username: user.username, role: user.role, unitId: user.unitId } },
      user.createdAt,
    );
  });
  return user;
}

/** A unit of the organization tree (university → college → branch). */
export function createUnit(db: Db, input: { name: string; parentId?: string }, actor: string, now: Date) {
  if (input.parentId !== undefined && !q.getUnit(db, input.parentId)) fail('invalid_body', 'no such parent unit');
  const unit = { id: randomUUID(), name: input.name, parentId: input.parentId ?? null, createdAt: now.toISOString() };
  q.runInTransaction(db, () => {
    q.insertUnit(db, unit);
    appendAudit(db, { actor, action: 'create_unit', subject: unit.id, details: { name: unit.name, parentId: unit.parentId } }, unit.createdAt);
  });
  return unit;
}
