/** What every route and service receives: the database, the signing key, a clock and randomness. */
import type { Db } from './db/open.ts';
import type { InstallationKey } from './crypto/installation-key.ts';
import type { UserRow } from './db/queries.ts';
import type { LimitSettings } from './limits.ts';

export interface AppDeps {
  db: Db;
  installationKey: InstallationKey;
  now: () => Date;
  randomBytes: (length: number) => Uint8Array;
  /** Public origin used in voting links (e.g. https://vote.example.edu); defaults to the request's origin. */
  publicOrigin?: string;
  /** Limits that differ from the defaults (server/limits.ts; the environment's LIMIT_* settings). */
  limits?: Partial<LimitSettings>;
  /** Local time (HH:MM) from which a publication's period starts the next working day (PUBLICITY_CUTOFF; default 12:00). */
  publicityCutoff?: string;
}

export type AppEnv = { Variables: { user: UserRow; csrfToken: string } };
