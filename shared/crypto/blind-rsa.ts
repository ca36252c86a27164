/**
 * RSA blind signatures, the voter's side: RFC 9474, variant RSABSSA-SHA384-PSS-Deterministic
 * (EMSA-PSS with SHA-384, MGF1-SHA-384, a 48-byte salt, identity preparation).
 *
 *   voter (this module)                                issuer (server/crypto/blind-signer.ts)
 *   blindedMessage, inverse = blind(pk, msg)   ──────▶  blindSignature = blindSign(sk, blindedMessage)
 *   signature = finalize(pk, msg, blindSignature, inverse)  ◀──────
 *
 * The issuer sees only `m · r^e mod n` for a uniformly random r, so it learns nothing about the
 * message; `finalize` removes r and checks the result, which is then an ordinary RSASSA-PSS
 * signature that anyone verifies with the public key (`verifyPssSignature` here, WebCrypto or
 * OpenSSL elsewhere). The private key never reaches this module, so it needs only public-exponent
 * arithmetic on BigInt and SHA-384 from @noble/hashes: it runs unchanged in browsers and Node.
 *
 * BigInt arithmetic is not constant time. What it handles here (the message, the blind r and its
 * inverse) stays on the voter's device; a timing leak would need an observer on that device.
 */
import { sha384 } from '@noble/hashes/sha2.js';
import { fail } from '../errors.ts';
import { abytes, bigIntToBytes, bytesToBigInt, concatBytes, equalBytes } from '../encoding.ts';
import { NONCE_LENGTH } from './token.ts';

/** hLen: SHA-384 output length in bytes. */
const HASH_LENGTH = 48;
/** sLen for the PSS variant (RFC 9474 §5: 48 bytes for SHA-384). */
export const SALT_LENGTH = 48;
/** Smallest modulus accepted from a SubjectPublicKeyInfo. */
export const MIN_MODULUS_BITS = 2048;
/** Largest modulus accepted: bounds the work an attacker-supplied key can cause. */
const MAX_MODULUS_BITS = 8192;

export interface RsaPublicKey {
  n: bigint;
  e: bigint;
  /** Length of n in bytes (kLen / modulus_len in the RFCs). */
  modulusLength: number;
  /** The SubjectPublicKeyInfo DER this key was parsed from. */
  spki: Uint8Array;
}

export interface BlindOutput {
  blindedMessage: Uint8Array;
  /** r^-1 mod n as modulusLength big-endian bytes: keep it secret until `finalize`. */
  inverse: Uint8Array;
}

/** Fixed randomness for test vectors; production callers pass nothing. */
export interface BlindRandomness {
  salt?: Uint8Array;
  r?: bigint;
}

// ---------------------------------------------------------------------------------------------
// Integer helpers

const bitLength = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** inverse_mod(x, n); undefined when x and n are not coprime. */
function inverseMod(x: bigint, n: bigint): bigint | undefined {
  let [oldR, r] = [((x % n) + n) % n, n];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return undefined;
  return ((oldS % n) + n) % n;
}

/** RSAVP1 (RFC 8017 §5.2.2): s^e mod n, for 0 <= s < n. */
function rsavp1(pk: RsaPublicKey, s: bigint): bigint {
  if (s < 0n || s >= pk.n) fail('signature_out_of_range', 'signature representative out of range');
  return modPow(s, pk.e, pk.n);
}

/** random_integer_uniform(1, n) by rejection sampling over bit_len(n)-bit candidates. */
function randomBelow(n: bigint): bigint {
  const bits = bitLength(n);
  const bytes = new Uint8Array(Math.ceil(bits / 8));
  const topMask = 0xff >> (bytes.length * 8 - bits);
  for (;;) {
    crypto.getRandomValues(bytes);
    bytes[0]! &= topMask;
    const candidate = bytesToBigInt(bytes);
    // Fewer than two draws on average: n has its top bit set within `bits`.
    if (candidate >= 1n && candidate < n) return candidate;
  }
}

// ---------------------------------------------------------------------------------------------
// SubjectPublicKeyInfo (DER), RFC 5280 §4.1 and RFC 8017 Appendix A.1.1:
//
//   SubjectPublicKeyInfo ::= SEQUENCE {
//     algorithm  SEQUENCE { OBJECT IDENTIFIER rsaEncryption (1.2.840.113549.1.1.1), NULL },
//     subjectPublicKey  BIT STRING (0 unused bits) containing
//       RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } }
//
// This is exactly what Node's generateKeyPairSync('rsa') exports as 'spki'/'der'. The parser is
// strict DER: definite minimal lengths, minimal positive INTEGERs, nothing trailing anywhere.

const RSA_ENCRYPTION_OID = Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01);

interface DerReader {
  bytes: Uint8Array;
  offset: number;
}

const badKey = (message: string): never => fail('bad_public_key', `public key: ${message}`);

/** Reads one TLV with the expected tag; returns its contents. */
function readTlv(reader: DerReader, tag: number, what: string): Uint8Array {
  const { bytes } = reader;
  if (reader.offset >= bytes.length) badKey(`${what}: truncated`);
  if (bytes[reader.offset] !== tag) badKey(`${what}: unexpected tag`);
  reader.offset += 1;
  if (reader.offset >= bytes.length) badKey(`${what}: truncated length`);
  const first = bytes[reader.offset++]!;
  let length = first;
  if (first >= 0x80) {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite length; more than 3 length bytes is far beyond any RSA key.
    if (count === 0 || count > 3) badKey(`${what}: unsupported length encoding`);
    if (reader.offset + count > bytes.length) badKey(`${what}: truncated length`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[reader.offset++]!;
    // Minimal: long form only for lengths >= 128, and without leading zero bytes.
    if (length < 0x80 || bytes[reader.offset - count] === 0) badKey(`${what}: non-minimal length`);
  }
  if (reader.offset + length > bytes.length) badKey(`${what}: truncated contents`);
  const contents = bytes.subarray(reader.offset, reader.offset + length);
  reader.offset += length;
  return contents;
}

function expectEnd(reader: DerReader, what: string): void {
  if (reader.offset !== reader.bytes.length) badKey(`${what}: trailing bytes`);
}

function readPositiveInteger(reader: DerReader, what: string): bigint {
  const contents = readTlv(reader, 0x02, what);
  if (contents.length === 0) badKey(`${what}: empty INTEGER`);
  if (contents[0]! & 0x80) badKey(`${what}: negative INTEGER`);
  // A leading zero byte is allowed only to keep the sign bit clear.
  if (contents[0] === 0 && (contents.length === 1 || !(contents[1]! & 0x80)))
    badKey(`${what}: non-minimal INTEGER`);
  return bytesToBigInt(contents);
}

export function parseRsaSpki(der: Uint8Array): RsaPublicKey {
  if (!(der instanceof Uint8Array)) badKey('expected DER bytes');
  const outer: DerReader = { bytes: der, offset: 0 };
  const spki: DerReader = { bytes: readTlv(outer, 0x30, 'SubjectPublicKeyInfo'), offset: 0 };
  expectEnd(outer, 'SubjectPublicKeyInfo');

  const algorithm: DerReader = { bytes: readTlv(spki, 0x30, 'AlgorithmIdentifier'), offset: 0 };
  const oid = readTlv(algorithm, 0x06, 'algorithm OID');
  if (!equalBytes(oid, RSA_ENCRYPTION_OID)) badKey('algorithm is not rsaEncryption');
  const params = readTlv(algorithm, 0x05, 'algorithm parameters');
  if (params.length !== 0) badKey('algorithm parameters: NULL must be empty');
  expectEnd(algorithm, 'AlgorithmIdentifier');

  const bitString = readTlv(spki, 0x03, 'subjectPublicKey');
  expectEnd(spki, 'SubjectPublicKeyInfo');
  if (bitString.length === 0 || bitString[0] !== 0) badKey('subjectPublicKey: unused bits');

  const keyOuter: DerReader = { bytes: bitString.subarray(1), offset: 0 };
  const rsaKey: DerReader = { bytes: readTlv(keyOuter, 0x30, 'RSAPublicKey'), offset: 0 };
  expectEnd(keyOuter, 'subjectPublicKey');
  const n = readPositiveInteger(rsaKey, 'modulus');
  const e = readPositiveInteger(rsaKey, 'publicExponent');
  expectEnd(rsaKey, 'RSAPublicKey');

  const bits = bitLength(n);
  if (bits < MIN_MODULUS_BITS) badKey(`modulus has ${bits} bits, at least ${MIN_MODULUS_BITS} required`);
  if (bits > MAX_MODULUS_BITS) badKey(`modulus has ${bits} bits, at most ${MAX_MODULUS_BITS} allowed`);
  if ((n & 1n) === 0n) badKey('modulus is even');
  if (e < 3n || (e & 1n) === 0n || e >= n) badKey('publicExponent must be odd, at least 3 and below n');

  return Object.freeze({ n, e, modulusLength: Math.ceil(bits / 8), spki: new Uint8Array(der) });
}

// ---------------------------------------------------------------------------------------------
// EMSA-PSS, RFC 8017 §9.1, with SHA-384 and MGF1-SHA-384 (§B.2.1)

function mgf1(seed: Uint8Array, maskLength: number): Uint8Array {
  const mask = new Uint8Array(maskLength);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  for (let counter = 0, offset = 0; offset < maskLength; counter++, offset += HASH_LENGTH) {
    input[seed.length] = counter >>> 24;
    input[seed.length + 1] = (counter >>> 16) & 0xff;
    input[seed.length + 2] = (counter >>> 8) & 0xff;
    input[seed.length + 3] = counter & 0xff;
    mask.set(sha384(input).subarray(0, Math.min(HASH_LENGTH, maskLength - offset)), offset);
  }
  return mask;
}

/** EMSA-PSS-ENCODE(M, emBits) with the given salt (sLen = salt.length). Throws `pss_encoding_error`. */
export function emsaPssEncode(msg: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  abytes(msg, undefined, 'msg');
  abytes(salt, undefined, 'salt');
  const emLen = Math.ceil(emBits / 8);
  const sLen = salt.length;
  // 1. The 2^125-bit SHA-384 input limit cannot be reached by a JavaScript byte array.
  // 2. mHash = Hash(M)
  const mHash = sha384(msg);
  // 3. If emLen < hLen + sLen + 2, output "encoding error" and stop.
  if (emLen < HASH_LENGTH + sLen + 2) fail('pss_encoding_error', 'encoding error: modulus too short for PSS');
  // 4. salt: chosen by the caller (random, or fixed by a test vector).
  // 5. M' = (0x)00 00 00 00 00 00 00 00 || mHash || salt
  const mPrime = concatBytes(new Uint8Array(8), mHash, salt);
  // 6. H = Hash(M')
  const h = sha384(mPrime);
  // 7. PS = emLen - sLen - hLen - 2 zero bytes.
  // 8. DB = PS || 0x01 || salt, of length emLen - hLen - 1.
  const db = new Uint8Array(emLen - HASH_LENGTH - 1);
  db[emLen - sLen - HASH_LENGTH - 2] = 0x01;
  db.set(salt, emLen - sLen - HASH_LENGTH - 1);
  // 9. dbMask = MGF(H, emLen - hLen - 1)
  const dbMask = mgf1(h, db.length);
  // 10. maskedDB = DB xor dbMask
  const maskedDb = db.map((byte, i) => byte ^ dbMask[i]!);
  // 11. Set the leftmost 8 emLen - emBits bits of the leftmost byte of maskedDB to zero.
  maskedDb[0]! &= 0xff >> (8 * emLen - emBits);
  // 12. EM = maskedDB || H || 0xbc
  // 13. Output EM.
  return concatBytes(maskedDb, h, Uint8Array.of(0xbc));
}

/** EMSA-PSS-VERIFY(M, EM, emBits) with salt length sLen: true for "consistent". */
export function emsaPssVerify(msg: Uint8Array, em: Uint8Array, emBits: number, sLen: number): boolean {
  const emLen = Math.ceil(emBits / 8);
  if (!(em instanceof Uint8Array) || em.length !== emLen) return false;
  // 1. Length limitation of the hash input: unreachable here (see emsaPssEncode).
  // 2. mHash = Hash(M)
  const mHash = sha384(msg);
  // 3. If emLen < hLen + sLen + 2, output "inconsistent" and stop.
  if (emLen < HASH_LENGTH + sLen + 2) return false;
  // 4. If the rightmost byte of EM is not 0xbc, output "inconsistent" and stop.
  if (em[emLen - 1] !== 0xbc) return false;
  // 5. maskedDB = the leftmost emLen - hLen - 1 bytes of EM, H = the next hLen bytes.
  const maskedDb = em.subarray(0, emLen - HASH_LENGTH - 1);
  const h = em.subarray(emLen - HASH_LENGTH - 1, emLen - 1);
  // 6. If the leftmost 8 emLen - emBits bits of maskedDB are not all zero, "inconsistent".
  const topMask = 0xff >> (8 * emLen - emBits);
  if ((maskedDb[0]! & ~topMask & 0xff) !== 0) return false;
  // 7. dbMask = MGF(H, emLen - hLen - 1)
  const dbMask = mgf1(h, maskedDb.length);
  // 8. DB = maskedDB xor dbMask
  const db = maskedDb.map((byte, i) => byte ^ dbMask[i]!);
  // 9. Set the leftmost 8 emLen - emBits bits of the leftmost byte of DB to zero.
  db[0]! &= topMask;
  // 10. The leftmost emLen - hLen - sLen - 2 bytes of DB must be zero and the next one 0x01.
  const psLength = emLen - HASH_LENGTH - sLen - 2;
  let bad = db[psLength]! ^ 0x01;
  for (let i = 0; i < psLength; i++) bad |= db[i]!;
  if (bad !== 0) return false;
  // 11. salt = the last sLen bytes of DB.
  const salt = db.subarray(db.length - sLen);
  // 12. M' = (0x)00 00 00 00 00 00 00 00 || mHash || salt
  const mPrime = concatBytes(new Uint8Array(8), mHash, salt);
  // 13. H' = Hash(M')
  const hPrime = sha384(mPrime);
  // 14. If H = H', output "consistent", otherwise "inconsistent".
  return equalBytes(h, hPrime);
}

// ---------------------------------------------------------------------------------------------
// RSASSA-PSS-VERIFY, RFC 8017 §8.1.2

/** RSASSA-PSS-VERIFY((n, e), M, S) with SHA-384, MGF1-SHA-384 and sLen 48; false on any failure. */
export function verifyPssSignature(pk: RsaPublicKey, msg: Uint8Array, sig: Uint8Array): boolean {
  try {
    const modBits = bitLength(pk.n);
    // 1. Length checking: if S is not k bytes long, output "invalid signature".
    if (!(sig instanceof Uint8Array) || sig.length !== pk.modulusLength) return false;
    // 2a. s = OS2IP(S)
    const s = bytesToBigInt(sig);
    // 2b. m = RSAVP1((n, e), s); "signature representative out of range" means invalid.
    if (s >= pk.n) return false;
    const m = rsavp1(pk, s);
    // 2c. EM = I2OSP(m, emLen) with emLen = ceil((modBits - 1) / 8); "integer too large" is invalid.
    const emLen = Math.ceil((modBits - 1) / 8);
    if (bitLength(m) > emLen * 8) return false;
    const em = bigIntToBytes(m, emLen);
    // 3. Result = EMSA-PSS-VERIFY(M, EM, modBits - 1)
    // 4. "consistent" means "valid signature".
    return emsaPssVerify(msg, em, modBits - 1, SALT_LENGTH);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// RFC 9474 §4: Blind and Finalize (Prepare is the identity for the Deterministic variant)

export function blind(pk: RsaPublicKey, msg: Uint8Array, random: BlindRandomness = {}): BlindOutput {
  abytes(msg, undefined, 'msg');
  const salt =
    random.salt === undefined
      ? crypto.getRandomValues(new Uint8Array(SALT_LENGTH))
      : abytes(random.salt, SALT_LENGTH, 'salt');
  // 1. encoded_msg = EMSA-PSS-ENCODE(msg, bit_len(n) - 1) with SHA-384, MGF1-SHA-384, sLen 48.
  //    RFC 9474 writes bit_len(n); RSASSA-PSS (RFC 8017 §8.1) and every verifier use modBits - 1,
  //    so that is what we pass (as cloudflare/blindrsa-ts does; identical whenever the top bit is 0).
  // 2. If EMSA-PSS-ENCODE raises an error, raise the error and stop.
  const encodedMsg = emsaPssEncode(msg, bitLength(pk.n) - 1, salt);
  // 3. m = bytes_to_int(encoded_msg)
  const m = bytesToBigInt(encodedMsg);
  // 4. c = is_coprime(m, n)
  // 5. If c is false, raise an "invalid input" error and stop.
  if (gcd(m, pk.n) !== 1n) fail('blind_failed', 'invalid input: the encoded message is not coprime with n');
  // 6. r = random_integer_uniform(1, n)
  const r = random.r ?? randomBelow(pk.n);
  if (r < 1n || r >= pk.n) fail('blind_failed', 'blinding factor out of range');
  // 7. inv = inverse_mod(r, n)
  const inv = inverseMod(r, pk.n);
  // 8. If inverse_mod fails, raise a "blinding error" error and stop.
  if (inv === undefined) fail('blind_failed', 'blinding error: the blinding factor has no inverse');
  // 9. x = RSAVP1(pk, r)
  const x = rsavp1(pk, r);
  // 10. z = m * x mod n
  const z = (m * x) % pk.n;
  // 11. blinded_msg = int_to_bytes(z, modulus_len)
  // 12. output blinded_msg, inv (serialized at modulus_len bytes so a client can store it)
  return { blindedMessage: bigIntToBytes(z, pk.modulusLength), inverse: bigIntToBytes(inv, pk.modulusLength) };
}

export function finalize(
  pk: RsaPublicKey,
  msg: Uint8Array,
  blindSignature: Uint8Array,
  inverse: Uint8Array,
): Uint8Array {
  abytes(msg, undefined, 'msg');
  abytes(inverse, pk.modulusLength, 'inverse');
  const inv = bytesToBigInt(inverse);
  if (inv < 1n || inv >= pk.n) fail('bad_inverse', 'inverse: out of range');
  // 1. If len(blind_sig) != modulus_len, raise "unexpected input size" and stop.
  abytes(blindSignature, pk.modulusLength, 'blind_sig');
  // 2. z = bytes_to_int(blind_sig)
  const z = bytesToBigInt(blindSignature);
  if (z >= pk.n) fail('token_signature', 'the issued signature is out of range');
  // 3. s = z * inv mod n
  const s = (z * inv) % pk.n;
  // 4. sig = int_to_bytes(s, modulus_len)
  const sig = bigIntToBytes(s, pk.modulusLength);
  // 5. result = RSASSA-PSS-VERIFY(pk, msg, sig) with SHA-384, MGF1-SHA-384, sLen 48.
  // 6. If result = "valid signature", output sig, else raise "invalid signature" and stop.
  if (!verifyPssSignature(pk, msg, sig)) fail('token_signature', 'the issued signature does not verify');
  return sig;
}

/** A fresh 32-byte token nonce (token.ts NONCE_LENGTH). */
export function randomNonce(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(NONCE_LENGTH));
}
