/**
 * The append-only, hash-chained log of administrative acts (opened, closed, keys destroyed,
 * published, roster changed, slips printed …). Each entry's hash covers the JCS form of its
 * fields and the previous entry's hash, so altering or removing a past entry breaks the chain.
 * Never used for a ballot, nor for an ordinary check-in; a check-in that replaces a waiting one and
 * a candidate's key request are recorded (both name someone the sign-in sheet names anyway, and
 * tokens are signed for everyone at the opening, so neither joins a ballot to a voter).
 */
import { canonicalJson } from '../../shared/crypto/jcs.ts';
import { auditEntryHash as entryHash, GENESIS_HASH, recordDigest, type RecordAnchor } from '../../shared/audit/record.ts';
import type { Db } from '../db/open.ts';
import { insertAuditEntry, lastAuditEntry, listAuditEntries, listPollsOfMeeting, type AuditRow } from '../db/queries.ts';

export { GENESIS_HASH };

export interface AuditAct {
  actor: string;
  action: string;
  subject: string;
  details?: Record<string, unknown>;
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

/** The entries about a meeting and its polls, in order: the unit's record (全程纪实) of that meeting. */
export function meetingEntries(db: Db, meetingId: string): AuditRow[] {
  const subjects = new Set([meetingId, ...listPollsOfMeeting(db, meetingId).map((p) => p.id)]);
  return listAuditEntries(db).filter((e) => subjects.has(e.subject));
}

/** The anchor of a meeting's record now: its last entry's seq and the digest of its entries. */
export function meetingRecordAnchor(db: Db, meetingId: string): RecordAnchor {
  const entries = meetingEntries(db, meetingId);
  const seq = entries.at(-1)?.seq ?? 0;
  return { seq, digest: recordDigest(entries, seq) };
}
