/**
 * The individual check: is my receipt among the published ballots? Computed here, from bundles
 * already downloaded; the receipt never leaves the page.
 *
 * A receipt is the lowercase hex SHA-256 of the token bytes (docs/protocol.md §2). The voter's
 * page shows and copies its first 16 hex digits in groups of four ("efe2 b921 21fc 0a8b", see
 * client/src/format.ts shortReceipt), so a receipt here is 16 to 64 hex digits, spaces and case
 * ignored, matched as a prefix of a ballot's hash: 64 bits, which no two ballots share by chance.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64Url, toHex } from '../../../shared/encoding.ts';

export const SHORT_RECEIPT_DIGITS = 16;

export type ParsedReceipt = { ok: true; hex: string } | { ok: false; reason: 'empty' | 'not_hex' | 'too_short' | 'too_long' };

export function parseReceipt(text: string): ParsedReceipt {
  const hex = text.replace(/[\s-]+/g, '').toLowerCase();
  if (hex === '') return { ok: false, reason: 'empty' };
  if (!/^[0-9a-f]+$/.test(hex)) return { ok: false, reason: 'not_hex' };
  if (hex.length < SHORT_RECEIPT_DIGITS) return { ok: false, reason: 'too_short' };
  if (hex.length > 64) return { ok: false, reason: 'too_long' };
  return { ok: true, hex };
}

/** The receipts (full hex) of a bundle's ballots; a token that does not decode has none. */
export function receiptsOf(bundle: { ballots?: { token?: unknown }[] }): string[] {
  const receipts: string[] = [];
  for (const ballot of bundle.ballots ?? []) {
    if (typeof ballot.token !== 'string') continue;
    try {
      receipts.push(toHex(sha256(fromBase64Url(ballot.token, 'token'))));
    } catch {
      // A malformed token is the verifier's to report; it matches no receipt.
    }
  }
  return receipts;
}

export const receiptMatches = (receipts: readonly string[], hex: string) => receipts.some((r) => r.startsWith(hex));
