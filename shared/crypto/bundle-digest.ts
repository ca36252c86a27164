/**
 * The bundle's digest and the scrutineers' co-signatures over it.
 *
 * Digest: SHA-256 over the UTF-8 bytes of the RFC 8785 canonical JSON of the signed
 * bundle (its `signature` included, its scrutineers' `cosignatures` left out, since those are
 * signatures over this very digest). Printed on the tally sheet (hex and QR) so that paper and
 * file can be matched, and what each scrutineer signs.
 *
 * Co-signature: Ed25519 (RFC 8032, strict) over `anon-ballot/cosignature/v1:` ‖ digest (32
 * bytes), by the key the scrutineer generated in their own browser and registered before close;
 * the bundle's signed `scrutineers` list names that key, so the installation cannot swap it later.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { abytes, concatBytes, fromBase64, toBase64, toHex, utf8 } from '../encoding.ts';
import { fail } from '../errors.ts';
import type { Bundle, Cosignature } from '../protocol/bundle.ts';
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, nobleEd25519Verifier, type Ed25519Verifier } from './bundle-signature.ts';
import { canonicalJson } from './jcs.ts';

export function bundleDigest(bundle: object): Uint8Array {
  const { cosignatures: _cosignatures, ...signed } = bundle as { cosignatures?: unknown };
  return sha256(utf8(canonicalJson(signed)));
}

export const bundleDigestHex = (bundle: object): string => toHex(bundleDigest(bundle));

const COSIGNATURE_DOMAIN = utf8('anon-ballot/cosignature/v1:');

/** The bytes a scrutineer signs for this bundle. */
export const cosignatureMessage = (bundle: object): Uint8Array => concatBytes(COSIGNATURE_DOMAIN, bundleDigest(bundle));

/** A scrutineer's co-signature (base64) of the bundle with their Ed25519 secret key. */
export const cosignBundle = (bundle: object, secretKey: Uint8Array): string =>
  toBase64(ed25519.sign(cosignatureMessage(bundle), abytes(secretKey, 32, 'secretKey')));

/**
 * Throws unless `publicKeyBase64` is an Ed25519 public key fit to co-sign with: 32 bytes, a point
 * on the curve, and not of small order (a small-order key admits signatures that some
 * implementations accept for any message).
 */
export function checkCosignerKey(publicKeyBase64: string): Uint8Array {
  const publicKey = abytes(fromBase64(publicKeyBase64, 'publicKey'), ED25519_PUBLIC_KEY_LENGTH, 'publicKey');
  let smallOrder: boolean;
  try {
    smallOrder = ed25519.Point.fromBytes(publicKey).isSmallOrder();
  } catch {
    fail('bad_encoding', 'publicKey is not an Ed25519 public key');
  }
  if (smallOrder) fail('bad_encoding', 'publicKey is a point of small order');
  return publicKey;
}

/**
 * Throws unless `cosignature` is valid for `bundle` and made with the key that the bundle's signed
 * list of scrutineers gives for that name and role: `cosigner_unknown`, `bad_encoding`,
 * `bad_length`, `cosignature`.
 */
export function checkCosignature(bundle: Bundle, cosignature: Cosignature, verifyEd25519: Ed25519Verifier = nobleEd25519Verifier): void {
  checkScrutineerSignature(bundle.scrutineers, cosignature, cosignatureMessage(bundle), 'this bundle', verifyEd25519);
}

/**
 * Throws unless `cosignature` is an Ed25519 signature over `message` by the key that
 * `scrutineers` (a bundle's signed list) gives for that name and role: the rule of every
 * scrutineer's co-signature, of the result (above) and of the opening statement
 * (crypto/opening-statement.ts). `over` names what was signed, for the error.
 */
export function checkScrutineerSignature(
  scrutineers: readonly { name: string; role: string; publicKey?: string | undefined }[],
  cosignature: Cosignature,
  message: Uint8Array,
  over: string,
  verifyEd25519: Ed25519Verifier = nobleEd25519Verifier,
): void {
  const named = scrutineers.find((s) => s.name === cosignature.name && s.role === cosignature.role && s.publicKey === cosignature.publicKey);
  if (!named) fail('cosigner_unknown', `${cosignature.name} (${cosignature.role}) with this key is not among the scrutineers the bundle names`);
  const publicKey = checkCosignerKey(cosignature.publicKey);
  const signature = abytes(fromBase64(cosignature.signature, 'cosignature.signature'), ED25519_SIGNATURE_LENGTH, 'cosignature.signature');
  if (!verifyEd25519(signature, message, publicKey)) fail('cosignature', `the co-signature of ${cosignature.name} does not verify over ${over}`);
}
