/**
 * The key set of a meeting (protocol v2): every issuing key of every poll, one per (poll, voter
 * group, question). A server that gave one voter a key of their own could recognise that voter's
 * ballot, so every voter must see the same set. The set is summed up in one digest,
 *
 *   digest = SHA-256(frame("anon-ballot/v2/key-set", keyId_1, …, keyId_n))   key ids sorted, distinct
 *
 * whose first 8 bytes (16 hex digits) are the fingerprint printed on every slip (in the voting
 * link's fragment) and shown on the projector. A voter's device recomputes it from the keys the
 * server serves and blinds nothing under a set whose fingerprint differs. The bundle lists the
 * key ids so anyone can recompute the digest and see that the poll's keys belong to it.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, compareBytes, toHex } from '../encoding.ts';
import { fail } from '../errors.ts';
import { frame } from './framing.ts';

export const KEY_SET_LABEL = 'anon-ballot/v2/key-set';

/** Throws `key_set` if a key id is repeated. */
export function keySetDigest(keyIds: readonly Uint8Array[]): Uint8Array {
  const sorted = keyIds.map((id, i) => abytes(id, 32, `keyIds[${i}]`)).sort(compareBytes);
  for (let i = 1; i < sorted.length; i++) if (compareBytes(sorted[i - 1]!, sorted[i]!) === 0) fail('key_set', 'a key id is listed twice');
  return sha256(frame(KEY_SET_LABEL, ...sorted));
}

/** The 16-hex-digit fingerprint of a key set, as printed and projected. */
export const keySetFingerprint = (digest: Uint8Array): string => toHex(abytes(digest, 32, 'key set digest').subarray(0, 8));
