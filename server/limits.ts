/**
 * Fair limits: what one client may take of what every meeting shares. Every number is a setting
 * (server/config.ts reads them from the environment; README's settings table lists them) and
 * every refusal is a 429 that says, in Chinese and in English, when to try again (`Retry-After`,
 * `retryAfterSeconds`, `messageZh`).
 *
 * Counts live in this process's memory only, never in the database or a log: a limit keyed on a
 * client's address or a voting code must not become a record of who did what when. A count is
 * forgotten when its window ends (or, under a flood of distinct keys, when the table is full).
 *
 * Addresses are counted twice where one client could hold many of them: per address and per
 * network (IPv4 /24, IPv6 /56, the block one home subscriber usually gets). An IPv6 address
 * alone would be no limit at all: one /64 holds 2^64 of them, so an IPv6 "address" is its /64.
 *
 * A key that names a person (a voting code) is never held as is, nor as the hash the database
 * keeps of it: counters hold an HMAC of it under a secret drawn when the process starts and kept
 * only in its memory (`privateKey`), so someone who reads the process's memory and the database
 * still cannot tell whose code a count belongs to (the database holds no plain code).
 */
import ipaddr from 'ipaddr.js';
import { createHmac, randomBytes } from 'node:crypto';
import { AppError } from '../shared/errors.ts';
import { refusalMessages } from '../shared/wait-words.ts';

const PROCESS_SECRET = randomBytes(32);

/** The key a counter holds for something that names a person: HMAC-SHA-256 under this process's own secret. */
export const privateKey = (...parts: string[]): string => createHmac('sha256', PROCESS_SECRET).update(JSON.stringify(parts)).digest('base64url');

export interface Rate {
  count: number;
  windowMs: number;
}

const MINUTE = 60_000;
/** A network holds many addresses (a campus NAT pool, a dormitory, a home's /56): where no share of its own is set, four times an address's. */
export const NETWORK_SHARE = 4;

/** Every limit, with its default; README's settings table names the environment variable of each. */
export interface LimitSettings {
  /** Reverse proxies in front of the server whose X-Forwarded-For is trusted (0: the socket's address). */
  trustProxy: number;
  /** Failed sign-ins per (account, address), and per browser that signed in before: the owner signing in from elsewhere is not refused. */
  signInFailures: Rate;
  /** Failed sign-ins per address, whatever the account (guessing many accounts from one place). */
  signInFailuresPerAddress: Rate;
  /**
   * Failed sign-ins per account from every browser that has not signed in to it before, all
   * networks together; the owner's own browser (its device cookie) is never counted here.
   */
  signInFailuresPerAccount: Rate;
  /** Objections per address, and per network (IPv4 /24, IPv6 /56). */
  objectionsPerAddress: Rate;
  objectionsPerNetwork: Rate;
  /** Objections without a voting code per poll and day (the public share); members have their own. */
  publicObjectionsPerDay: number;
  /** Objections per voting code per poll and day (a member of the meeting's roster). */
  memberObjectionsPerDay: number;
  /**
   * Requests per voting code and network (look-up, check-in, candidate keys, self-evaluation,
   * comments): someone who holds a voter's code elsewhere cannot spend the voter's share.
   */
  requestsPerCode: Rate;
  /** Check-ins per voting code from all networks together (each replaces the last and is written to the record). */
  checkinsPerCode: Rate;
  /** Status reads per check-in (the waiting phone asks every few seconds). */
  statusPerCheckin: Rate;
  /**
   * Failed voter requests (a code or check-in that does not exist) per address and per network.
   * Raised to twice the largest roster on the server, so a campus behind one address is never
   * refused even if every voter mistypes once.
   */
  voterFailuresPerAddress: Rate;
  /** Live streams (projector pages) open to the public, in all, per meeting and per address. */
  liveStreams: number;
  liveStreamsPerMeeting: number;
  liveStreamsPerAddress: number;
  /** Live streams per signed-in account allowed to see the meeting (the projector): never counted with the public's. */
  liveStreamsPerAccount: number;
  /** A stream of a meeting with nothing open (no check-in, no voting) ends after this long. */
  liveIdleMs: number;
}

export const DEFAULT_LIMITS: LimitSettings = {
  trustProxy: 0,
  signInFailures: { count: 5, windowMs: 15 * MINUTE },
  signInFailuresPerAddress: { count: 30, windowMs: 15 * MINUTE },
  signInFailuresPerAccount: { count: 100, windowMs: 15 * MINUTE },
  objectionsPerAddress: { count: 5, windowMs: 60 * MINUTE },
  objectionsPerNetwork: { count: 20, windowMs: 60 * MINUTE },
  publicObjectionsPerDay: 200,
  memberObjectionsPerDay: 3,
  requestsPerCode: { count: 60, windowMs: 10 * MINUTE },
  checkinsPerCode: { count: 20, windowMs: 10 * MINUTE },
  statusPerCheckin: { count: 120, windowMs: MINUTE },
  voterFailuresPerAddress: { count: 1000, windowMs: 10 * MINUTE },
  liveStreams: 200,
  liveStreamsPerMeeting: 20,
  liveStreamsPerAddress: 10,
  liveStreamsPerAccount: 5,
  liveIdleMs: 10 * MINUTE,
};

/** A refusal for a limit: 429, `Retry-After`, and the message in both languages. */
export class RateLimited extends AppError {
  readonly retryAfterSeconds: number;
  readonly messageZh: string;
  constructor(retryAfterMs: number, what: { en: string; zh: string }) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    const messages = refusalMessages(what, seconds);
    super('rate_limited', messages.en);
    this.retryAfterSeconds = seconds;
    this.messageZh = messages.zh;
  }
}

/** Entries a counter keeps at most; beyond it the oldest are forgotten first (memory stays bounded under a flood of keys). */
const MAX_KEYS = 100_000;

/**
 * Counts per key in a fixed window that starts at the key's first hit. `take` counts a hit and
 * refuses once the count is reached; `wait` and `add` split the two, for limits that count only
 * failures (checked before the work, added when it failed).
 */
export class Counter {
  private readonly entries = new Map<string, { start: number; count: number }>();
  constructor(readonly rate: Rate) {}

  /** Milliseconds until `key` may try again, or 0 if it may now. */
  wait(key: string, nowMs: number, count = this.rate.count): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    const left = entry.start + this.rate.windowMs - nowMs;
    if (left <= 0) {
      this.entries.delete(key);
      return 0;
    }
    return entry.count >= count ? left : 0;
  }

  add(key: string, nowMs: number): void {
    const entry = this.entries.get(key);
    if (entry && nowMs - entry.start < this.rate.windowMs) {
      entry.count++;
      return;
    }
    this.entries.delete(key);
    if (this.entries.size >= MAX_KEYS) this.prune(nowMs);
    this.entries.set(key, { start: nowMs, count: 1 });
  }

  /** Counts a hit, or throws RateLimited with `what` if the key has no hit left. */
  take(key: string, nowMs: number, what: { en: string; zh: string }, count = this.rate.count): void {
    const wait = this.wait(key, nowMs, count);
    if (wait > 0) throw new RateLimited(wait, what);
    this.add(key, nowMs);
  }

  clear(key: string): void {
    this.entries.delete(key);
  }

  /** Gives back one hit counted in advance (an attempt that turned out to be no failure). */
  refund(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    if (entry.count <= 1) this.entries.delete(key);
    else entry.count--;
  }

  /** Keys held now (for tests: what a limit remembers). */
  get size(): number {
    return this.entries.size;
  }

  private prune(nowMs: number) {
    for (const [key, entry] of this.entries) if (nowMs - entry.start >= this.rate.windowMs) this.entries.delete(key);
    // Still full: forget the oldest tenth (a Map iterates in insertion order).
    let drop = this.entries.size >= MAX_KEYS ? Math.ceil(MAX_KEYS / 10) : 0;
    for (const key of this.entries.keys()) {
      if (drop-- <= 0) break;
      this.entries.delete(key);
    }
  }
}

/**
 * The keys a client address is counted under: `address` (IPv4 as is, IPv6 its /64) and `network`
 * (IPv4 /24, IPv6 /56). An IPv4-mapped IPv6 address counts as the IPv4 address it carries; a port
 * or brackets a proxy may have written (`192.0.2.1:5000`, `[2001:db8::1]:443`) are left out.
 * Anything unparsable counts as one shared key, so it can never be a way around the limits.
 */
export function addressKeys(raw: string): { address: string; network: string } {
  let text = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^[0-9.]+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(text.replace(/%.*$/, ''));
  } catch {
    return { address: 'unparsed', network: 'unparsed' };
  }
  if (parsed.kind() === 'ipv4') {
    const octets = (parsed as ipaddr.IPv4).octets;
    return { address: octets.join('.'), network: `${octets.slice(0, 3).join('.')}.0/24` };
  }
  const parts = (parsed as ipaddr.IPv6).parts.map((p) => p.toString(16));
  // A /56 keeps the first three groups and the high byte of the fourth.
  const network = [...parts.slice(0, 3), ((parsed as ipaddr.IPv6).parts[3]! & 0xff00).toString(16)];
  return { address: `${parts.slice(0, 4).join(':')}::/64`, network: `${network.join(':')}::/56` };
}

/** The counters of one running app, made from its settings on first use (see `limitsOf`). */
export interface Limits {
  settings: LimitSettings;
  signInPerAccount: Counter;
  signInPerAddress: Counter;
  signInPerNetwork: Counter;
  signInPerAccountInAll: Counter;
  objectionsPerAddress: Counter;
  objectionsPerNetwork: Counter;
  memberObjections: Counter;
  requestsPerCode: Counter;
  checkinsPerCode: Counter;
  statusPerCheckin: Counter;
  voterFailuresPerAddress: Counter;
  voterFailuresPerNetwork: Counter;
}

const DAY = 24 * 60 * MINUTE;
const limitsByDeps = new WeakMap<object, Limits>();

/** The counters of the app whose dependencies are `deps` (one set per app, so tests do not share them). */
export function limitsOf(deps: { limits?: Partial<LimitSettings> | undefined }): Limits {
  let limits = limitsByDeps.get(deps);
  if (!limits) {
    const settings = { ...DEFAULT_LIMITS, ...deps.limits };
    limits = {
      settings,
      signInPerAccount: new Counter(settings.signInFailures),
      signInPerAddress: new Counter(settings.signInFailuresPerAddress),
      signInPerNetwork: new Counter({ ...settings.signInFailuresPerAddress, count: settings.signInFailuresPerAddress.count * NETWORK_SHARE }),
      signInPerAccountInAll: new Counter(settings.signInFailuresPerAccount),
      objectionsPerAddress: new Counter(settings.objectionsPerAddress),
      objectionsPerNetwork: new Counter(settings.objectionsPerNetwork),
      memberObjections: new Counter({ count: settings.memberObjectionsPerDay, windowMs: DAY }),
      requestsPerCode: new Counter(settings.requestsPerCode),
      checkinsPerCode: new Counter(settings.checkinsPerCode),
      statusPerCheckin: new Counter(settings.statusPerCheckin),
      voterFailuresPerAddress: new Counter(settings.voterFailuresPerAddress),
      // Its count is asked for each time (server/code-failures.ts): the share grows with the largest roster.
      voterFailuresPerNetwork: new Counter({ ...settings.voterFailuresPerAddress, count: settings.voterFailuresPerAddress.count * NETWORK_SHARE }),
    };
    limitsByDeps.set(deps, limits);
  }
  return limits;
}
