/**
 * Entry point: `npm start`. Opens (and migrates) the SQLite database under DATA_DIR, loads or
 * creates the installation's signing key, serves the API and the built client.
 */
import { serve } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createApp } from './app.ts';
import { changedLimitVariables, databaseFile, readConfig, unknownLimitVariables } from './config.ts';
import { loadOrCreateInstallationKey } from './crypto/installation-key.ts';
import { openDatabase } from './db/open.ts';
import { countUsers } from './db/queries.ts';
import { prepareDataDir } from './data-dir.ts';

let config: ReturnType<typeof readConfig>;
try {
  config = readConfig();
} catch (error) {
  // A setting that cannot be read: say which, without a stack trace, and stop.
  console.error(`anon-ballot: ${error instanceof Error ? error.message : String(error)} (see the settings table in README.md)`);
  process.exit(2);
}
for (const name of unknownLimitVariables()) console.warn(`warning: ${name} is not a setting this server knows; it is ignored (see the settings table in README.md)`);
prepareDataDir(config.dataDir);
const db = openDatabase(databaseFile(config.dataDir));
const installationKey = loadOrCreateInstallationKey(config.dataDir);
const app = createApp(
  { db, installationKey, now: () => new Date(), randomBytes: (n) => new Uint8Array(randomBytes(n)), publicOrigin: config.publicOrigin, limits: config.limits, publicityCutoff: config.publicityCutoff },
  { clientDir: resolve(join(import.meta.dirname, '..', 'dist', 'client')) },
);

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  console.log(`anon-ballot listening on http://localhost:${info.port}`);
  console.log(`data directory: ${config.dataDir}`);
  console.log(`bundle signing key (Ed25519, base64): ${installationKey.publicKeyBase64}`);
  const changed = changedLimitVariables();
  console.log(`fair limits: ${changed.length ? `defaults but ${changed.join(', ')}` : 'the defaults'}; TRUST_PROXY=${config.limits.trustProxy}`);
  console.log(`publicity periods: working days on the work calendar, from the next working day after ${config.publicityCutoff} (PUBLICITY_CUTOFF)`);
  if (countUsers(db) === 0)
    console.log('no accounts yet: create the first administrator with\n  npm run admin -- create-user --username admin --role admin');
});

function shutdown() {
  server.close();
  db.$client.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
