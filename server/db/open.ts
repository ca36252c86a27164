/**
 * Opens the embedded SQLite database, sets the pragmas the ballot box relies on, applies the
 * committed migrations and checks the result.
 *
 * Durability: an acknowledged ballot must survive a crash or a power loss. WAL mode with
 * `synchronous = FULL` syncs the WAL on every commit (with NORMAL, the default better-sqlite3
 * is built with, the last commits before a power loss can be lost). Both are read back and
 * asserted, so a build or a file system that ignores them stops the server at start.
 */
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.ts';
import { keepStatements } from './kept-statements.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'drizzle');

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = keepStatements(new Database(file));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // Overwrite deleted content (destroyed issuing keys, revoked code hashes) instead of leaving it in free pages.
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('busy_timeout = 5000');
  const journal = sqlite.pragma('journal_mode', { simple: true });
  const synchronous = sqlite.pragma('synchronous', { simple: true });
  if (file !== ':memory:' && journal !== 'wal') throw new Error(`SQLite refused WAL mode (journal_mode=${journal})`);
  if (synchronous !== 2) throw new Error(`SQLite refused synchronous=FULL (synchronous=${synchronous})`);
  const db = drizzle(sqlite, { schema, casing: 'snake_case' });
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  const ballotsTable = sqlite.prepare(`SELECT wr FROM pragma_table_list WHERE name = 'ballots'`).get() as
    | { wr: number }
    | undefined;
  if (ballotsTable?.wr !== 1) throw new Error('the ballots table must be WITHOUT ROWID');
  return db as Db;
}

/**
 * Rewrites the database file so that no page keeps the order in which rows arrived. Even in a
 * WITHOUT ROWID table SQLite places each new record where the page has room, so the positions
 * of ballot records in the file (and the WAL) follow arrival order. After VACUUM every table is
 * laid out again in key order, i.e. ballots in nonce order. Called when a poll closes.
 */
export function compactDatabase(db: Db): void {
  checkpointDatabase(db);
  db.$client.exec('VACUUM');
  checkpointDatabase(db);
}

/**
 * Copies the WAL into the database file and truncates it, so that no old page image (a destroyed
 * issuing key, say) stays in the -wal file; with `secure_delete` the freed space in the database
 * file itself is overwritten.
 */
export function checkpointDatabase(db: Db): void {
  const [result] = db.$client.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  // Another connection reading (a backup, say) keeps part of the WAL; the next checkpoint retries.
  if (result && result.busy !== 0) console.warn('warning: the WAL could not be fully checkpointed');
}
