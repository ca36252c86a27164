/**
 * The record of a meeting (全程纪实): the audit log's entries about the meeting and its polls,
 * and the anchors that tie them to the signed bundle.
 *
 * Every audit entry's hash covers the JCS form of its fields and the previous entry's hash (one
 * chain for the whole installation, server/services/audit.ts). A meeting's record is its own
 * entries, in order; its **digest** at some moment is
 *
 *   SHA-256(frame("anon-ballot/v2/record", h₁, …, hₙ))   hᵢ = the 32 raw bytes of each entry's hash
 *
 * over the meeting's entries up to that moment. The opening of voting and the close put the
 * digest (and the last entry's seq) in the signed bundle, so the unit's exported record can be
 * checked against what was published: an entry altered, removed or inserted before an anchor
 * changes the digest. The record stays private to the unit (it names written-opinion authors);
 * only its digest is public.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalJson } from '../crypto/jcs.ts';
import { frame } from '../crypto/framing.ts';
import { fromHex, toHex, utf8 } from '../encoding.ts';

export const GENESIS_HASH = '0'.repeat(64);
export const RECORD_LABEL = 'anon-ballot/v2/record';

/** An audit entry as stored and exported (`details` is its JCS text). */
export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: string;
  prevHash: string;
  hash: string;
}

export interface RecordAnchor {
  seq: number;
  digest: string;
}

export function auditEntryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, at, actor, action, subject, details, prevHash } = entry;
  return toHex(sha256(utf8(canonicalJson({ seq, at, actor, action, subject, details, prevHash }))));
}

/** The digest of a meeting's entries (in seq order) up to and including `seq`. */
export function recordDigest(entries: readonly Pick<AuditEntry, 'seq' | 'hash'>[], seq: number): string {
  const hashes = entries.filter((e) => e.seq <= seq).map((e) => fromHex(e.hash, 'audit entry hash'));
  return toHex(sha256(frame(RECORD_LABEL, ...hashes)));
}

export type RecordCheck = { ok: true; entries: number } | { ok: false; reason: string; seq?: number };

/**
 * Checks a meeting's exported record against the anchors of its signed bundle: each entry's hash
 * is the hash of its fields, entries are in increasing seq order, and the digest up to each
 * anchor's seq is the anchor's digest (the entry at the anchor's seq must be in the record).
 */
export function checkRecord(entries: readonly AuditEntry[], anchors: readonly RecordAnchor[]): RecordCheck {
  for (const [i, entry] of entries.entries()) {
    if (i > 0 && entry.seq <= entries[i - 1]!.seq) return { ok: false, reason: 'entries are not in increasing order', seq: entry.seq };
    if (auditEntryHash(entry) !== entry.hash) return { ok: false, reason: 'an entry does not match its hash', seq: entry.seq };
  }
  for (const anchor of anchors) {
    if (!entries.some((e) => e.seq === anchor.seq)) return { ok: false, reason: `the anchored entry #${anchor.seq} is missing`, seq: anchor.seq };
    if (recordDigest(entries, anchor.seq) !== anchor.digest) return { ok: false, reason: `the record up to #${anchor.seq} is not what the bundle anchored`, seq: anchor.seq };
  }
  return { ok: true, entries: entries.length };
}
