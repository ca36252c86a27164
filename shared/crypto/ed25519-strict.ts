/**
 * The project's one Ed25519 verification rule (RFC 8032 §5.1.7, strict), for the bundle signature
 * and the scrutineers' co-signatures, with the same answer on the command line, in the browser and
 * on every runtime. A signature (R ‖ S) by public key A over message M is valid only when:
 *
 *   1. A is the canonical encoding of a curve point (y < p, no x = 0 with the sign bit set, a
 *      point with that y exists: decoding and re-encoding gives the same 32 bytes);
 *   2. A is not of small order (not one of the 8 points of E[8]): such a key has signatures that
 *      verify for any message, e.g. the identity key with R = identity and S = 0;
 *   3. R is the canonical encoding of a curve point, as for A;
 *   4. R is not of small order: an honest signer never makes one (R = [r]B with r ≠ 0 mod L), and
 *      refusing it makes this rule exactly libsodium's crypto_sign_verify_detached and
 *      ed25519-dalek's verify_strict, so an independent verifier can use either as it is;
 *   5. S < L (so S + L, the malleated copy of a valid signature, is refused);
 *   6. [S]B = R + [k]A, with k = SHA-512(R ‖ A ‖ M) mod L: the cofactorless equation, compared as
 *      points (points with a torsion component that cancels only after multiplying by 8 fail).
 *
 * Why not a library's `verify` as it is: @noble/curves checks the cofactored equation (it accepts
 * signatures that step 6 refuses) and allows small-order R; OpenSSL (node:crypto) accepts
 * small-order keys and R, and its answers on such input have changed between OpenSSL versions
 * (Node 20 and Node 24 differ). So the steps are written here on @noble/curves' audited point
 * arithmetic, and only SHA-512 is injected: node:crypto's on the command line (it is most of the
 * cost on a 57 MB bundle), @noble/hashes' in the browser; SHA-512 has one answer everywhere.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { equalBytes } from '../encoding.ts';

/** SHA-512 over the concatenation of `parts` (parts, not one buffer: the message may be 57 MB). */
export type Sha512 = (parts: readonly Uint8Array[]) => Uint8Array;

/** Ed25519 verification: true only for a signature valid under the strict rule above. */
export type Ed25519Verifier = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/** Why a signature is refused, by the step of the rule that refuses it. */
export type Ed25519Refusal =
  | 'bad_length'
  | 'public_key_not_canonical'
  | 'public_key_small_order'
  | 'r_not_canonical'
  | 'r_small_order'
  | 's_not_below_l'
  | 'equation';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

export const nobleSha512: Sha512 = (parts) => {
  const hash = sha512.create();
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** The point `bytes` encode, if they are its canonical encoding (steps 1 and 3). */
function decodeCanonicalPoint(bytes: Uint8Array) {
  let point;
  try {
    point = Point.fromBytes(bytes, false);
  } catch {
    return undefined; // y ≥ p, x = 0 with the sign bit set, or no curve point with that y
  }
  return equalBytes(point.toBytes(), bytes) ? point : undefined;
}

/** The step of the rule that refuses the signature, or undefined when it is valid. */
export function ed25519StrictRefusal(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
  hash: Sha512 = nobleSha512,
): Ed25519Refusal | undefined {
  if (publicKey.length !== 32 || signature.length !== 64) return 'bad_length';
  const A = decodeCanonicalPoint(publicKey);
  if (!A) return 'public_key_not_canonical';
  if (A.isSmallOrder()) return 'public_key_small_order';
  const rBytes = signature.subarray(0, 32);
  const R = decodeCanonicalPoint(rBytes);
  if (!R) return 'r_not_canonical';
  if (R.isSmallOrder()) return 'r_small_order';
  const S = bytesToNumberLE(signature.subarray(32, 64));
  if (S >= L) return 's_not_below_l';
  const k = bytesToNumberLE(hash([rBytes, publicKey, message])) % L;
  return Point.BASE.multiplyUnsafe(S).equals(R.add(A.multiplyUnsafe(k))) ? undefined : 'equation';
}

/** The strict rule with a given SHA-512: node:crypto's on the command line, @noble's in the browser. */
export const strictEd25519Verifier =
  (hash: Sha512): Ed25519Verifier =>
  (signature, message, publicKey) =>
    ed25519StrictRefusal(signature, message, publicKey, hash) === undefined;

/** The rule as the browser runs it (and the default everywhere a verifier is not injected). */
export const nobleEd25519Verifier: Ed25519Verifier = strictEd25519Verifier(nobleSha512);

/** Throws nothing: true when `publicKey` passes steps 1 and 2 (a key fit to sign with). */
export function isStrictEd25519PublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32) return false;
  const A = decodeCanonicalPoint(publicKey);
  return A !== undefined && !A.isSmallOrder();
}
