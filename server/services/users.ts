/** Organizer and administrator accounts. */
import { randomUUID } from 'node:crypto';
import { fail } from '../../shared/errors.ts';
import { hashPassword } from '../auth/password.ts';
import type { Db } from '../db/open.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from './audit.ts';

export function createUser(
  db: Db,
  input: { username: string; password: string; role: 'admin' | 'organizer' },
  actor: string,
  now: Date,
) {
  if (q.findUserByUsername(db, input.username)) fail('conflict', `the username ${input.username} is taken`);
  const passwordHash = hashPassword(input.password);
  const user = { id: randomUUID(), username: input.username, role: input.role, createdAt: now.toISOString() };
  q.runInTransaction(db, () => {
    q.insertUser(db, { ...user, passwordHash });
    appendAudit(db, { actor, action: 'create_user', subject: user.id, details: { username: user.username, role: user.role } }, user.createdAt);
  });
  return user;
}
