/** Settings from the environment (documented in the README's settings table). */
import { resolve } from 'node:path';
import { DEFAULT_LIMITS, type LimitSettings, type Rate } from './limits.ts';
import { DEFAULT_PUBLICITY_CUTOFF, isCutoff } from '../shared/publicity.ts';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicOrigin: string | undefined;
  limits: LimitSettings;
  /** PUBLICITY_CUTOFF: from this local time a publication's period starts the next working day. */
  publicityCutoff: string;
}

/**
 * The environment variable of each limit (server/limits.ts). A rate's variable sets its count;
 * its window stays the one README names.
 */
export const LIMIT_VARIABLES = {
  TRUST_PROXY: 'trustProxy',
  LIMIT_SIGNIN_FAILURES: 'signInFailures',
  LIMIT_SIGNIN_FAILURES_PER_ADDRESS: 'signInFailuresPerAddress',
  LIMIT_SIGNIN_FAILURES_PER_ACCOUNT: 'signInFailuresPerAccount',
  LIMIT_OBJECTIONS_PER_ADDRESS: 'objectionsPerAddress',
  LIMIT_OBJECTIONS_PER_NETWORK: 'objectionsPerNetwork',
  LIMIT_PUBLIC_OBJECTIONS_PER_DAY: 'publicObjectionsPerDay',
  LIMIT_MEMBER_OBJECTIONS_PER_DAY: 'memberObjectionsPerDay',
  LIMIT_REQUESTS_PER_CODE: 'requestsPerCode',
  LIMIT_CHECKINS_PER_CODE: 'checkinsPerCode',
  LIMIT_STATUS_PER_CHECKIN: 'statusPerCheckin',
  LIMIT_VOTER_FAILURES_PER_ADDRESS: 'voterFailuresPerAddress',
  LIMIT_LIVE_STREAMS: 'liveStreams',
  LIMIT_LIVE_STREAMS_PER_MEETING: 'liveStreamsPerMeeting',
  LIMIT_LIVE_STREAMS_PER_ADDRESS: 'liveStreamsPerAddress',
  LIMIT_LIVE_STREAMS_PER_ACCOUNT: 'liveStreamsPerAccount',
  LIVE_IDLE_MINUTES: 'liveIdleMs',
} as const satisfies Record<string, keyof LimitSettings>;

function readLimits(env: NodeJS.ProcessEnv): LimitSettings {
  const limits: LimitSettings = structuredClone(DEFAULT_LIMITS);
  for (const [variable, key] of Object.entries(LIMIT_VARIABLES) as [string, keyof LimitSettings][]) {
    const text = env[variable];
    if (text === undefined || text === '') continue;
    const value = Number(text);
    const least = key === 'trustProxy' ? 0 : 1;
    if (!/^[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < least)
      throw new Error(`${variable} must be a whole number${least ? ' of at least 1' : ''}, got ${JSON.stringify(text)}`);
    const current = limits[key];
    if (key === 'liveIdleMs') limits.liveIdleMs = value * 60_000;
    else if (typeof current === 'number') (limits[key] as number) = value;
    else (limits[key] as Rate) = { ...current, count: value };
  }
  return limits;
}

function readCutoff(text: string | undefined): string {
  if (text === undefined || text === '') return DEFAULT_PUBLICITY_CUTOFF;
  if (!isCutoff(text.trim())) throw new Error(`PUBLICITY_CUTOFF must be a time of day, HH:MM (24-hour), got ${JSON.stringify(text)}`);
  return text.trim();
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: resolve(env.DATA_DIR ?? 'data'),
    publicOrigin: env.PUBLIC_ORIGIN?.replace(/\/$/, '') || undefined,
    limits: readLimits(env),
    publicityCutoff: readCutoff(env.PUBLICITY_CUTOFF),
  };
}

export const databaseFile = (dataDir: string) => resolve(dataDir, 'ballot.db');

/** LIMIT_* or LIVE_* variables set in the environment that name no setting (a misspelling, say). */
export function unknownLimitVariables(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.keys(env).filter((name) => /^(LIMIT|LIVE)_/.test(name) && !(name in LIMIT_VARIABLES));
}

/** The limit settings given in the environment, as NAME=value, for the start-up line. */
export function changedLimitVariables(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.keys(LIMIT_VARIABLES)
    .filter((name) => name !== 'TRUST_PROXY' && env[name] !== undefined && env[name] !== '')
    .map((name) => `${name}=${env[name]}`);
}
