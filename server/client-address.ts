/**
 * The client's network address, for in-memory limits only (never stored or logged):
 * 'unknown' when there is no socket (in-process tests through app.request()).
 */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
