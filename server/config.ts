/** Settings from the environment (documented in the README). */
import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicOrigin: string | undefined;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: resolve(env.DATA_DIR ?? 'data'),
    publicOrigin: env.PUBLIC_ORIGIN?.replace(/\/$/, '') || undefined,
  };
}

export const databaseFile = (dataDir: string) => resolve(dataDir, 'ballot.db');
