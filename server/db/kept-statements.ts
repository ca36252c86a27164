/**
 * Every prepared statement of a connection is kept for the connection's life, one per SQL text,
 * and handed out again when the same SQL is prepared (drizzle prepares each query anew).
 *
 * Why: better-sqlite3 12 finalizes a statement the garbage collector frees from a weak callback
 * that asks Node for the current environment; on Node 24 such a callback can run where there is
 * none, and the process aborts (`Assertion failed: (env) != nullptr` in
 * node::RemoveEnvironmentCleanupHook, from Statement::~Statement). A statement that is never
 * garbage never runs that callback. better-sqlite3 13 no longer has the callback but crashes on
 * Node 20, so both runtimes need this until 13 runs on both.
 *
 * What it costs: memory for one statement per distinct SQL text. The project's queries are fixed
 * texts with parameters; the longest variable ones (a list of ids) are bounded by the schemas.
 * A statement handed out again is reset to return rows as objects (drizzle switches some to raw).
 * `pragma()` goes through the same keeping (better-sqlite3 would prepare and drop one each call).
 * The same holds for an iterator (`iterate()`): the project never asks for one.
 */
import Database from 'better-sqlite3';

export function keepStatements(sqlite: Database.Database): Database.Database {
  const kept = new Map<string, Database.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  const keptPrepare = (source: string): Database.Statement => {
    let statement = kept.get(source);
    if (!statement) {
      statement = prepare(source);
      kept.set(source, statement);
    } else if (statement.reader) statement.raw(false).pluck(false).expand(false);
    return statement;
  };
  sqlite.prepare = keptPrepare as typeof sqlite.prepare;
  sqlite.pragma = ((source: string, options?: { simple?: boolean }) => {
    const statement = keptPrepare(`PRAGMA ${source}`);
    if (!statement.reader) {
      statement.run();
      return options?.simple ? undefined : [];
    }
    return options?.simple ? statement.pluck(true).get() : statement.all();
  }) as typeof sqlite.pragma;
  return sqlite;
}

/** A connection to the database file for reading only (tests, tools), with its statements kept. */
export function openReadOnly(file: string): Database.Database {
  return keepStatements(new Database(file, { readonly: true, fileMustExist: true }));
}
