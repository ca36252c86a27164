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
import { addressKeys, limitsOf, RateLimited } from '../limits.ts';

export const SESSION_COOKIE = 'ab_session';
const SESSION_MS = 12 * 60 * 60 * 1000;

const hashToken = (token: string) => toHex(sha256(utf8(token)));

const isHttps = (c: Context) =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

/**
 * Sign-in. Failures are counted per (account, client address), per address and per network, in
 * memory (see server/limits.ts): someone guessing a password from elsewhere never locks the owner
 * out of their own account, and one place guessing many accounts is stopped as well. A refused
 * attempt checks no password.
 */
export async function login(deps: AppDeps, c: Context, username: string, password: string) {
  const limits = limitsOf(deps);
  const nowMs = deps.now().getTime();
  const { address, network } = addressKeys(clientAddress(c, limits.settings.trustProxy));
  const accountKey = JSON.stringify([username, address]);
  const wait = Math.max(
    limits.signInPerAccount.wait(accountKey, nowMs),
    limits.signInPerAddress.wait(address, nowMs),
    limits.signInPerNetwork.wait(network, nowMs),
  );
  if (wait > 0) throw new RateLimited(wait, { en: 'too many failed sign-ins from this address', zh: '从这个网络地址登录失败的次数太多' });
  // Counted as a failure before the password is checked (which takes a while), so that many
  // attempts sent at once cannot all pass the check above; given back if the password is right.
  limits.signInPerAccount.add(accountKey, nowMs);
  limits.signInPerAddress.add(address, nowMs);
  limits.signInPerNetwork.add(network, nowMs);
  const user = q.findUserByUsername(deps.db, username);
  const valid = (await checkPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH)) && user !== undefined;
  if (!valid || !user) fail('bad_credentials', 'wrong username or password');
  limits.signInPerAccount.clear(accountKey);
  limits.signInPerAddress.refund(address);
  limits.signInPerNetwork.refund(network);
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
