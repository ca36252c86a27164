/**
 * A voter's check of their receipts against a published bundle (docs/protocol.md §10), run on
 * their own device or in the browser (the board): no request carries a receipt.
 *
 *   in_bundle  a published ballot has this receipt
 *   changed    no ballot has it, but a ballot under the same token (found by the token's nonce)
 *              has another receipt: the ballot box signed this receipt, the bundle shows another
 *              ballot — the signed receipt is the proof
 *   missing    neither: the ballot is not in the bundle
 *
 * A receipt typed by hand may be a prefix (at least 16 hex digits, 64 bits) of the full receipt;
 * without the nonce a changed ballot then reads as missing.
 */
import { fromBase64Url, toHex } from '../encoding.ts';
import type { Bundle } from './bundle.ts';

export type ReceiptStatus = 'in_bundle' | 'changed' | 'missing';

export interface ReceiptToCheck {
  /** The full receipt (64 hex digits), or a prefix of at least 16. */
  receipt: string;
  /** The token's nonce (hex), kept by the device with the receipt. */
  nonce?: string;
}

export const MIN_RECEIPT_PREFIX = 16;

/** Throws nothing: a malformed receipt is simply missing. */
export function checkReceipt(bundle: Bundle, held: ReceiptToCheck): ReceiptStatus {
  const receipt = held.receipt.trim().toLowerCase();
  if (!/^[0-9a-f]{16,64}$/.test(receipt)) return 'missing';
  if (bundle.format !== 'anon-ballot-bundle/v2') return 'missing';
  if (bundle.ballots.some((b) => b.receipt.startsWith(receipt))) return 'in_bundle';
  if (held.nonce && /^[0-9a-f]{64}$/.test(held.nonce)) {
    const sameToken = bundle.ballots.some((b) => {
      try {
        return toHex(fromBase64Url(b.token).subarray(2, 34)) === held.nonce;
      } catch {
        return false;
      }
    });
    if (sameToken) return 'changed';
  }
  return 'missing';
}
