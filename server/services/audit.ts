/**
 * The append-only, hash-chained log of administrative acts (opened, closed, keys destroyed,
 * published, roster changed, slips printed …). Each entry's hash covers the JCS form of its
 * fields and the previous entry's hash, so altering or removing a past entry breaks the chain.
 * Never used for anything a voter does: no check-in, no ballot.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalJson } from '../../shared/crypto/jcs.ts';
import { toHex, utf8 } from '../../shared/encoding.ts';
import type { Db } from '../db/open.ts';
import { insertAuditEntry, lastAuditEntry, type AuditRow } from '../db/queries.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditAct {
  actor: string;
  action: string;
  subject: string;
  details?: Record<string, unknown>;
}

function entryHash(entry: Omit<AuditRow, 'hash'>): string {
  const { seq, at, actor, action, subject, details, prevHash } = entry;
  return toHex(sha256(utf8(canonicalJson({ seq, at, actor, action, subject, details, prevHash }))));
}

/** Appends one entry; call inside the transaction that performs the act. */
export function appendAudit(db: Db, act: AuditAct, at: string): void {
  const previous = lastAuditEntry(db);
  const entry = {
    seq: (previous?.seq ?? 0) + 1,
    at,
    actor: act.actor,
    action: act.action,
    subject: act.subject,
    details: canonicalJson(act.details ?? {}),
    prevHash: previous?.hash ?? GENESIS_HASH,
  };
  insertAuditEntry(db, { ...entry, hash: entryHash(entry) });
}

export type ChainCheck = { ok: true; entries: number } | { ok: false; entries: number; brokenAt: number; reason: string };

export function checkAuditChain(entries: readonly AuditRow[]): ChainCheck {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq)
      return { ok: false, entries: entries.length, brokenAt: entry.seq, reason: `entry ${expectedSeq} is missing` };
    if (entry.prevHash !== prevHash)
      return { ok: false, entries: entries.length, brokenAt: entry.seq, reason: 'does not follow the previous entry' };
    if (entryHash(entry) !== entry.hash)
      return { ok: false, entries: entries.length, brokenAt: entry.seq, reason: 'content does not match its hash' };
    prevHash = entry.hash;
    expectedSeq++;
  }
  return { ok: true, entries: entries.length };
}
