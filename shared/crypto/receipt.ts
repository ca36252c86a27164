/**
 * Protocol v2 receipts: what a voter's device keeps to prove, later, which ballot the ballot box
 * took from it.
 *
 *   receipt   = SHA-256(frame("anon-ballot/v2/receipt", token, salt, JCS(answer)))
 *   signature = Ed25519(installation key, "anon-ballot/receipt/v2:" ‖ receipt)
 *
 * The 32-byte salt is chosen by the device for each ballot, so the receipt alone reveals nothing
 * of the answer (a receipt of a yes/no ballot cannot be tested against both answers). The
 * ballot box answers every stored ballot with the signature over its receipt: Ed25519 is
 * deterministic, so the signature carries no time or counter, and it proves that the server took
 * exactly this token with exactly this answer. The published bundle lists every ballot's receipt
 * (and its salt and answer where the ballot is shown), so a voter finds theirs, sees if it was
 * changed, and can show the signed receipt in a dispute without any voting code.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { abytes, concatBytes, utf8 } from '../encoding.ts';
import { fail } from '../errors.ts';
import type { Choice } from '../protocol/poll.ts';
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, nobleEd25519Verifier, type Ed25519Verifier } from './bundle-signature.ts';
import { frame } from './framing.ts';
import { canonicalJson } from './jcs.ts';

export const RECEIPT_LABEL = 'anon-ballot/v2/receipt';
export const RECEIPT_SIGNATURE_PREFIX = 'anon-ballot/receipt/v2:';
export const SALT_LENGTH = 32;
export const RECEIPT_LENGTH = 32;

/** The receipt of a ballot: `answer` must be in canonical form (as validateAnswer returns it). */
export function ballotReceipt(token: Uint8Array, salt: Uint8Array, answer: Choice): Uint8Array {
  return sha256(frame(RECEIPT_LABEL, token, abytes(salt, SALT_LENGTH, 'salt'), canonicalJson(answer)));
}

/** The bytes the ballot box signs for a receipt. */
export const receiptSignatureMessage = (receipt: Uint8Array): Uint8Array =>
  concatBytes(utf8(RECEIPT_SIGNATURE_PREFIX), abytes(receipt, RECEIPT_LENGTH, 'receipt'));

/** The ballot box's signature over a receipt, with the installation's Ed25519 secret key. */
export const signReceipt = (receipt: Uint8Array, secretKey: Uint8Array): Uint8Array =>
  ed25519.sign(receiptSignatureMessage(receipt), abytes(secretKey, 32, 'secretKey'));

/** Throws `receipt_signature` unless `signature` is the installation's signature over `receipt`. */
export function checkReceiptSignature(
  receipt: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
  verifyEd25519: Ed25519Verifier = nobleEd25519Verifier,
): void {
  abytes(signature, ED25519_SIGNATURE_LENGTH, 'receipt signature');
  abytes(publicKey, ED25519_PUBLIC_KEY_LENGTH, 'signer key');
  if (!verifyEd25519(signature, receiptSignatureMessage(receipt), publicKey))
    fail('receipt_signature', 'the ballot box did not sign this receipt with the installation key');
}
