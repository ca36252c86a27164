/**
 * The client's network address, for in-memory limits only (never stored or logged):
 * 'unknown' when there is no socket (in-process tests through app.request()).
 *
 * Behind reverse proxies (`TRUST_PROXY=n`, the number of proxies in front), the address is read
 * from X-Forwarded-For: each proxy appends the address it received the request from, so the
 * client is the n-th entry from the right. Entries further left are the client's own claims and
 * are never read; with fewer entries than proxies, the leftmost one there is.
 */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

function socketAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function clientAddress(c: Context, trustProxy = 0): string {
  const socket = socketAddress(c);
  if (trustProxy <= 0) return socket;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const chain = [socket, ...forwarded.reverse()];
  return chain[Math.min(trustProxy, chain.length - 1)]!;
}
