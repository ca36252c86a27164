/**
 * The installation's signature on a tally bundle: Ed25519 (RFC 8032) over the UTF-8 bytes of the
 * RFC 8785 canonical JSON of the bundle without its `signature` member.
 *
 *   server:   unsigned bundle → canonicalJson → UTF-8 → Ed25519 sign → bundle.signature (base64)
 *   verifier: bundle minus `signature` → the same bytes → Ed25519 verify with bundle.signer.publicKey
 *
 * Canonical JSON makes the signed bytes independent of member order and whitespace, so the bundle
 * can be pretty-printed, re-serialized or re-parsed without breaking the signature. Verification
 * follows the project's one strict Ed25519 rule (ed25519-strict.ts): a bundle has one valid
 * encoding of its signature, and every verifier, on every runtime, gives the same answer.
 * Whether the signer is the *right* key is the caller's question (see verifyBundle's
 * `expectedSignerPublicKey`): a self-signed bundle proves only integrity.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { fail } from '../errors.ts';
import { abytes, fromBase64, toBase64, utf8 } from '../encoding.ts';
import type { Bundle, UnsignedBundle } from '../protocol/bundle.ts';
import { canonicalJson } from './jcs.ts';
import { isStrictEd25519PublicKey, nobleEd25519Verifier, type Ed25519Verifier } from './ed25519-strict.ts';

export { nobleEd25519Verifier, type Ed25519Verifier };

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

export function ed25519PublicKey(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(abytes(secretKey, 32, 'secretKey'));
}

/**
 * The bytes the signature covers: canonical JSON of everything but `signature` and the
 * scrutineers' `cosignatures` (added after signing), as UTF-8.
 */
export function bundleSigningBytes(bundle: Bundle | Omit<Bundle, 'signature' | 'cosignatures'>): Uint8Array {
  const { signature: _signature, cosignatures: _cosignatures, ...unsigned } = bundle as Partial<Bundle>;
  return utf8(canonicalJson(unsigned));
}

/**
 * Signs a bundle. `unsigned.signer.publicKey` must be the public key of `secretKey` (throws
 * `signer_mismatch` otherwise) so that a verifier never meets a bundle its own signer field refutes.
 */
export function signBundle<T extends UnsignedBundle>(unsigned: T, secretKey: Uint8Array): T & { signature: string };
export function signBundle(unsigned: Omit<Bundle, 'signature' | 'cosignatures'>, secretKey: Uint8Array): Bundle;
export function signBundle(unsigned: Omit<Bundle, 'signature' | 'cosignatures'>, secretKey: Uint8Array): Bundle {
  const publicKey = toBase64(ed25519PublicKey(secretKey));
  if (unsigned.signer.publicKey !== publicKey)
    fail('signer_mismatch', 'signer.publicKey is not the public key of the signing key');
  const signature = ed25519.sign(bundleSigningBytes(unsigned as UnsignedBundle), secretKey);
  return { ...unsigned, signature: toBase64(signature) } as Bundle;
}

/**
 * Throws unless `bundle.signature` is a valid Ed25519 signature by `bundle.signer.publicKey`:
 * `bad_encoding` / `bad_length` for the key or signature bytes, `signer_key` for a key that no
 * signature is accepted from (not canonical, not a curve point, or of small order),
 * `not_canonicalizable` for content with no canonical JSON form, `bundle_signature` when the
 * signature does not verify. `verifyEd25519` is the strict rule with node:crypto's SHA-512 on the
 * command line, @noble's (the default) in the browser.
 */
export function checkBundleSignature(bundle: Bundle, verifyEd25519: Ed25519Verifier = nobleEd25519Verifier): void {
  const publicKey = abytes(fromBase64(bundle.signer.publicKey, 'signer.publicKey'), ED25519_PUBLIC_KEY_LENGTH, 'signer.publicKey');
  const signature = abytes(fromBase64(bundle.signature, 'signature'), ED25519_SIGNATURE_LENGTH, 'signature');
  if (!isStrictEd25519PublicKey(publicKey))
    fail('signer_key', 'signer.publicKey is not a canonical Ed25519 point of large order, so no signature by it is accepted');
  const message = bundleSigningBytes(bundle);
  if (!verifyEd25519(signature, message, publicKey)) fail('bundle_signature', 'the Ed25519 signature does not verify over the canonical bundle');
}

/** True when `checkBundleSignature` passes; false, never a throw, for anything else. */
export function verifyBundleSignature(bundle: Bundle): boolean {
  try {
    checkBundleSignature(bundle);
    return true;
  } catch {
    return false;
  }
}
