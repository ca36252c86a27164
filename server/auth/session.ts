/**
 * Organizer sessions: a random cookie (HttpOnly, SameSite=Strict, Secure behind HTTPS) whose
 * SHA-256 is stored server-side, plus a per-session CSRF token that every state-changing
 * request must echo in `x-csrf-token` (compared in constant time). A request whose Origin
 * header names another site is refused before anything else.
 * The ballot route never passes through here: it reads no cookie at all.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AppError, fail } from '../../shared/errors.ts';
import { equalBytes, toBase64Url, toHex, utf8 } from '../../shared/encoding.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import * as q from '../db/queries.ts';
import { checkPassword, DUMMY_PASSWORD_HASH } from './password.ts';
import { clientAddress } from '../client-address.ts';
import { addressKeys, Counter, limitsOf, privateKey, RateLimited } from '../limits.ts';
import { createHmac } from 'node:crypto';

export const SESSION_COOKIE = 'ab_session';
const SESSION_MS = 12 * 60 * 60 * 1000;

const hashToken = (token: string) => toHex(sha256(utf8(token)));

const isHttps = (c: Context) =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

const DEVICE_COOKIE = 'ab_device';
const DEVICE_MS = 365 * 24 * 60 * 60 * 1000;

/** The key that signs device cookies, derived from the installation's key (so it outlives restarts). */
function deviceKey(deps: AppDeps): Buffer {
  return createHmac('sha256', deps.installationKey.secretKey).update('anon-ballot/device-cookie/v1').digest();
}

const deviceMac = (deps: AppDeps, username: string, nonce: string) =>
  createHmac('sha256', deviceKey(deps)).update(JSON.stringify([username, nonce])).digest('base64url');

/** The nonce of this browser's device cookie for `username`, if it carries a genuine one. */
function knownDevice(deps: AppDeps, c: Context, username: string): string | undefined {
  const value = getCookie(c, DEVICE_COOKIE);
  const match = value ? /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
  if (!match) return undefined;
  return equalBytes(utf8(match[2]!), utf8(deviceMac(deps, username, match[1]!))) ? match[1] : undefined;
}

/**
 * Sign-in. Failures are counted in memory (server/limits.ts), each attempt before its password
 * is checked (so many sent at once cannot all pass) and given back when the password is right:
 *  - from a browser that signed in to this account before (it holds a device cookie the server
 *    signed, for this account): per that browser only. Whatever anyone else does, on any
 *    network or this one, the owner's own browser signs in with the right password.
 *  - from any other browser: per (account, address), per address, per network, and per account
 *    from everywhere together (guessing one password from many networks stays bounded).
 * A refused attempt checks no password.
 */
export async function login(deps: AppDeps, c: Context, username: string, password: string) {
  const limits = limitsOf(deps);
  const nowMs = deps.now().getTime();
  const device = knownDevice(deps, c, username);
  const { address, network } = addressKeys(clientAddress(c, limits.settings.trustProxy));
  const fromHere = { en: 'too many failed sign-ins from this address', zh: '从这个网络地址登录失败的次数太多' };
  // Each counter with the key it counts under, and what its refusal says.
  const counted: [Counter, string, { en: string; zh: string }][] = device
    ? [[limits.signInPerAccount, privateKey('device', device), { en: 'too many failed sign-ins in this browser', zh: '这个浏览器登录失败的次数太多' }]]
    : [
        [limits.signInPerAccount, JSON.stringify([username, address]), fromHere],
        [limits.signInPerAddress, address, fromHere],
        [limits.signInPerNetwork, network, fromHere],
        [
          limits.signInPerAccountInAll,
          username,
          { en: 'too many failed sign-ins to this account from browsers that have not signed in to it before', zh: '从未登录过这个账号的浏览器登录失败的次数太多' },
        ],
      ];
  const waits = counted.map(([counter, key]) => counter.wait(key, nowMs));
  const longest = waits.indexOf(Math.max(...waits));
  if (waits[longest]! > 0) throw new RateLimited(waits[longest]!, counted[longest]![2]);
  for (const [counter, key] of counted) counter.add(key, nowMs);
  const user = q.findUserByUsername(deps.db, username);
  const valid = (await checkPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH)) && user !== undefined;
  if (!valid || !user) fail('bad_credentials', 'wrong username or password');
  const [first, ...shared] = counted;
  first![0].clear(first![1]);
  for (const [counter, key] of shared) counter.refund(key);
  const nonce = toBase64Url(deps.randomBytes(16));
  setCookie(c, DEVICE_COOKIE, `${nonce}.${deviceMac(deps, username, nonce)}`, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c),
    path: '/api/session',
    maxAge: DEVICE_MS / 1000,
  });
  q.deleteExpiredSessions(deps.db, nowMs);
  const token = toBase64Url(deps.randomBytes(32));
  const csrfToken = toBase64Url(deps.randomBytes(32));
  q.insertSession(deps.db, { tokenHash: hashToken(token), userId: user.id, csrfToken, expiresAt: nowMs + SESSION_MS });
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c),
    path: '/',
    maxAge: SESSION_MS / 1000,
  });
  return { user: { id: user.id, username: user.username, role: user.role, unitId: user.unitId }, csrfToken };
}

export function logout(deps: AppDeps, c: Context) {
  const token = getCookie(c, SESSION_COOKIE);
  if (token) q.deleteSession(deps.db, hashToken(token));
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/**
 * Refuses cross-site requests: the Origin header, when present, must be this server's origin —
 * PUBLIC_ORIGIN (scheme and host) when it is set, as behind a reverse proxy, else the Host.
 */
export function sameOriginOnly(publicOrigin: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      let sameOrigin = false;
      try {
        const sent = new URL(origin);
        sameOrigin = publicOrigin ? sent.origin === new URL(publicOrigin).origin : sent.host === (c.req.header('host') ?? new URL(c.req.url).host);
      } catch {
        sameOrigin = false;
      }
      if (!sameOrigin) throw new AppError('csrf', 'cross-site request refused');
    }
    await next();
  };
}

/** The signed-in user of this request, if any (for public routes that give signed-in users more room). */
export function signedInUser(deps: AppDeps, c: Context): q.UserRow | undefined {
  const token = getCookie(c, SESSION_COOKIE);
  return token ? q.findSession(deps.db, hashToken(token), deps.now().getTime())?.user : undefined;
}

/** Requires a signed-in user (and a matching CSRF token on state-changing methods). */
export function requireUser(deps: AppDeps, role?: 'admin'): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const found = token ? q.findSession(deps.db, hashToken(token), deps.now().getTime()) : undefined;
    if (!found) fail('unauthenticated', 'sign in first');
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const sent = c.req.header('x-csrf-token') ?? '';
      if (!equalBytes(utf8(sent), utf8(found.session.csrfToken)))
        fail('csrf', 'missing or wrong x-csrf-token header');
    }
    if (role && found.user.role !== role) fail('forbidden', 'only an administrator may do this');
    c.set('user', found.user);
    c.set('csrfToken', found.session.csrfToken);
    await next();
  };
}

/** Scrutineers watch: every method but GET and HEAD is refused to them (co-signing has its own route). */
export const watchOnlyForScrutineers: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('user').role === 'scrutineer' && c.req.method !== 'GET' && c.req.method !== 'HEAD')
    fail('forbidden', 'a scrutineer can watch and co-sign, not change');
  await next();
};

export function sessionView(c: Context<AppEnv>) {
  const user = c.get('user');
  return { user: { id: user.id, username: user.username, role: user.role, unitId: user.unitId }, csrfToken: c.get('csrfToken') };
}
