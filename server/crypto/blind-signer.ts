/**
 * RSA blind signatures, the issuer's side: RFC 9474 BlindSign for RSABSSA-SHA384-PSS-Deterministic,
 * plus the RSA-PSS verifier the server uses to check spent tokens.
 *
 * The issuer applies its private key to a blinded message it cannot read (`blindSign`), and later
 * checks finished tokens as plain RSASSA-PSS signatures (`nodePssVerifier`). The private-key
 * operation is OpenSSL's (through node:crypto): CRT for speed and RSA blinding against timing
 * attacks, which RFC 9474 §7.1 requires of a signer that answers arbitrary inputs. Before any
 * result leaves, it is checked with the public key (§4.3 step 4): a faulty CRT computation would
 * otherwise hand out a value that factors n.
 *
 * Parsed keys are cached by key id (SHA-256 of the SPKI), because re-importing a PKCS#8 key costs
 * about as much as the signature itself.
 */
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import { fail } from '../../shared/errors.ts';
import { abytes, bigIntToBytes } from '../../shared/encoding.ts';
import { parseRsaSpki, SALT_LENGTH } from '../../shared/crypto/blind-rsa.ts';
import type { PssVerifier } from '../../shared/crypto/token.ts';

export const ISSUING_KEY_BITS = 2048;
const PUBLIC_EXPONENT = 65537;
/** Keys live for one poll; a small bound keeps a long-running server from hoarding them. */
const MAX_CACHED_KEYS = 256;

export interface IssuingKey {
  /** SubjectPublicKeyInfo DER (rsaEncryption), published and hashed into the token key id. */
  spki: Uint8Array;
  /** PKCS#8 DER of the private key; never leaves the server. */
  privateKeyPkcs8: Uint8Array;
}

export function generateIssuingKey(): IssuingKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: ISSUING_KEY_BITS,
    publicExponent: PUBLIC_EXPONENT,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  return { spki: new Uint8Array(publicKey), privateKeyPkcs8: new Uint8Array(privateKey) };
}

const keyIdOf = (spki: Uint8Array): string => createHash('sha256').update(spki).digest('hex');

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= MAX_CACHED_KEYS) cache.clear();
  cache.set(key, value);
  return value;
}

interface SigningKey {
  pkcs8: Uint8Array;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** n as modulusLength big-endian bytes, for the range check without BigInt. */
  modulus: Uint8Array;
}

const signingKeys = new Map<string, SigningKey>();

function signingKeyFor(privateKeyPkcs8: Uint8Array, spki: Uint8Array): SigningKey {
  const keyId = keyIdOf(spki);
  const cached = signingKeys.get(keyId);
  // The cache is keyed by the public key; make sure the caller's private key is the cached one.
  if (
    cached &&
    cached.pkcs8.length === privateKeyPkcs8.length &&
    timingSafeEqual(cached.pkcs8, privateKeyPkcs8)
  )
    return cached;
  const pk = parseRsaSpki(spki);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(privateKeyPkcs8), format: 'der', type: 'pkcs8' });
  } catch {
    fail('bad_private_key', 'private key: not a PKCS#8 RSA key');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') fail('bad_private_key', 'private key: not an RSA key');
  return remember(signingKeys, keyId, {
    pkcs8: new Uint8Array(privateKeyPkcs8),
    privateKey,
    publicKey: createPublicKey({ key: Buffer.from(pk.spki), format: 'der', type: 'spki' }),
    modulus: bigIntToBytes(pk.n, pk.modulusLength),
  });
}

/** Drops a destroyed issuing key from this process's memory too (called when its poll closes). */
export function forgetIssuingKey(spki: Uint8Array): void {
  const cached = signingKeys.get(keyIdOf(spki));
  cached?.pkcs8.fill(0);
  signingKeys.delete(keyIdOf(spki));
}

/** Big-endian comparison of two equal-length byte strings: is a < b? (public values only) */
function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) < 0;
}

/**
 * RFC 9474 §4.3 BlindSign. Throws `bad_length`, `blinded_message_out_of_range` or
 * `signing_fault`; on a fault nothing derived from the private key is returned.
 */
export function blindSign(privateKeyPkcs8: Uint8Array, spki: Uint8Array, blindedMessage: Uint8Array): Uint8Array {
  const key = signingKeyFor(privateKeyPkcs8, spki);
  abytes(blindedMessage, key.modulus.length, 'blinded_msg');
  // 1. m = bytes_to_int(blinded_msg)
  //    RSASP1 requires 0 <= m < n ("message representative out of range"): checked here rather
  //    than read from an OpenSSL error string.
  if (!lessThan(blindedMessage, key.modulus))
    fail('blinded_message_out_of_range', 'blinded message representative is not below n');
  // 2. s = RSASP1(sk, m): the raw private-key operation, m^d mod n (CRT, blinded by OpenSSL).
  let s: Uint8Array;
  let mPrime: Uint8Array;
  try {
    s = privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, blindedMessage);
    // 3. m' = RSAVP1(pk, s)
    mPrime = publicEncrypt({ key: key.publicKey, padding: constants.RSA_NO_PADDING }, s);
  } catch {
    // A private key that does not belong to `spki` ends here or at the comparison below.
    fail('signing_fault', 'the private-key operation failed');
  }
  // 4. If m != m', raise "signing failure" and stop.
  if (mPrime.length !== blindedMessage.length || !timingSafeEqual(mPrime, blindedMessage))
    fail('signing_fault', 'the signature did not verify under the public key');
  // 5. blind_sig = int_to_bytes(s, modulus_len): OpenSSL already pads to the modulus length.
  // 6. output blind_sig
  return new Uint8Array(s);
}

const verifyingKeys = new Map<string, { publicKey: KeyObject; modulusLength: number }>();
/** Callers (the verifier, the ballot box) pass the same SPKI object for every token of a key: skip re-hashing it. */
const verifyingKeysBySpkiObject = new WeakMap<Uint8Array, { publicKey: KeyObject; modulusLength: number }>();

function verifyingKeyFor(spki: Uint8Array): { publicKey: KeyObject; modulusLength: number } {
  const known = verifyingKeysBySpkiObject.get(spki);
  if (known) return known;
  const key = verifyingKeyBySpkiBytes(spki);
  verifyingKeysBySpkiObject.set(spki, key);
  return key;
}

function verifyingKeyBySpkiBytes(spki: Uint8Array): { publicKey: KeyObject; modulusLength: number } {
  const keyId = keyIdOf(spki);
  const cached = verifyingKeys.get(keyId);
  if (cached) return cached;
  // The same strict parser as the voter's side, so both accept exactly the same keys.
  const pk = parseRsaSpki(spki);
  return remember(verifyingKeys, keyId, {
    publicKey: createPublicKey({ key: Buffer.from(pk.spki), format: 'der', type: 'spki' }),
    modulusLength: pk.modulusLength,
  });
}

/**
 * RSASSA-PSS verification (SHA-384, MGF1-SHA-384, salt 48) by OpenSSL. A malformed signature is
 * simply invalid (false); a malformed key throws `bad_public_key`, which is a configuration error.
 */
export const nodePssVerifier: PssVerifier = (spki, message, signature) => {
  const key = verifyingKeyFor(spki);
  if (!(signature instanceof Uint8Array) || signature.length !== key.modulusLength) return false;
  try {
    return verify(
      'sha384',
      message,
      { key: key.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: SALT_LENGTH },
      signature,
    );
  } catch {
    return false;
  }
};

/**
 * The same check on libuv's thread pool (the callback form of crypto.verify), for the
 * command-line verifier: with 64 checks in flight, both cores work on a large bundle.
 */
export const nodePssVerifierParallel: PssVerifier = (spki, message, signature) => {
  const key = verifyingKeyFor(spki);
  if (!(signature instanceof Uint8Array) || signature.length !== key.modulusLength) return false;
  return new Promise<boolean>((resolve) => {
    try {
      verify(
        'sha384',
        message,
        { key: key.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: SALT_LENGTH },
        signature,
        (error, valid) => resolve(!error && valid),
      );
    } catch {
      resolve(false);
    }
  });
};
