/**
 * The data directory holds the ballot box (ballot.db and its -wal and -shm files) and the
 * installation's signing key: only the server's own account may read them. Before anything is
 * opened, the process's umask is set to 077, so every file it creates (SQLite's WAL and shared
 * memory, a VACUUM's copy, the key) is 0600 and every directory 0700; a directory or files left
 * readable by an earlier version are narrowed at start.
 *
 * Call once, at the start of a command that owns the process (the server, the admin tool, the
 * demo): the umask is the whole process's.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function prepareDataDir(dataDir: string): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  for (const name of readdirSync(dataDir)) {
    const path = join(dataDir, name);
    const stat = lstatSync(path);
    if (stat.isFile()) chmodSync(path, 0o600);
    else if (stat.isDirectory()) chmodSync(path, 0o700);
  }
}
