/**
 * Voting codes and check-ins that do not exist, counted against their sender (server/limits.ts):
 * per address and per network, and refused only once the sender has failed too often. The share
 * is never below twice the largest roster on the server, so a whole meeting behind one campus
 * address, each voter mistyping once, is never refused. Only unknown codes are ever counted or
 * refused here: a valid code is never refused for what others behind the same address sent.
 * Used wherever a voting code is taken: the voter's routes and a member's objection.
 */
import type { AppDeps } from './context.ts';
import * as q from './db/queries.ts';
import { limitsOf, NETWORK_SHARE, RateLimited } from './limits.ts';

const ROSTER_REFRESH_MS = 60_000;
const rosterByDeps = new WeakMap<AppDeps, { readAt: number; largest: number }>();

function allowance(deps: AppDeps, nowMs: number): number {
  let roster = rosterByDeps.get(deps);
  if (!roster || nowMs - roster.readAt >= ROSTER_REFRESH_MS) rosterByDeps.set(deps, (roster = { readAt: nowMs, largest: q.largestRosterSize(deps.db) }));
  return Math.max(limitsOf(deps).settings.voterFailuresPerAddress.count, 2 * roster.largest);
}

/** An unknown code or check-in from `client`: refused (429) if its sender already failed too often, else counted. */
export function countFailedCode(deps: AppDeps, client: { address: string; network: string }, nowMs: number): void {
  const limits = limitsOf(deps);
  const share = allowance(deps, nowMs);
  const wait = Math.max(
    limits.voterFailuresPerAddress.wait(client.address, nowMs, share),
    limits.voterFailuresPerNetwork.wait(client.network, nowMs, NETWORK_SHARE * share),
  );
  if (wait > 0) throw new RateLimited(wait, { en: 'too many voting codes that do not exist were sent from this network', zh: '从这个网络输入的无效投票码太多' });
  limits.voterFailuresPerAddress.add(client.address, nowMs);
  limits.voterFailuresPerNetwork.add(client.network, nowMs);
}
