/**
 * RFC 9474 RSABSSA-SHA384-PSS-Deterministic: the voter's side (shared/crypto/blind-rsa.ts) and the
 * issuer's side (server/crypto/blind-signer.ts) against the RFC's Appendix A vector, then
 * negative cases and a round trip with a freshly generated 2048-bit key.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { bigIntToBytes, bytesToBigInt, concatBytes, fromHex, toHex } from '../../shared/encoding.ts';
import {
  blind,
  emsaPssEncode,
  emsaPssVerify,
  finalize,
  parseRsaSpki,
  randomNonce,
  verifyPssSignature,
  type RsaPublicKey,
} from '../../shared/crypto/blind-rsa.ts';
import { blindSign, generateIssuingKey, nodePssVerifier, type IssuingKey } from '../../server/crypto/blind-signer.ts';

interface Rfc9474Vector {
  name: string;
  source: Record<string, string>;
  p: string;
  q: string;
  n: string;
  e: string;
  d: string;
  msg: string;
  msg_prefix: string;
  prepared_msg: string;
  salt: string;
  encoded_msg: string;
  inv: string;
  blinded_msg: string;
  blind_sig: string;
  sig: string;
}

const vector: Rfc9474Vector = JSON.parse(
  readFileSync(new URL('../vectors/rfc9474/rsabssa-sha384-pss-deterministic.json', import.meta.url), 'utf8'),
);

const big = (hex: string): bigint => BigInt('0x' + hex);
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
function invertMod(x: bigint, n: bigint): bigint {
  let [oldR, r, oldS, s] = [x % n, n, 1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r, oldS, s] = [r, oldR - q * r, s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % n) + n) % n;
}
const base64Url = (value: bigint): string => {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex').toString('base64url');
};

function expectCode(action: () => unknown, code: string): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected an AppError with code ${code}`).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe(code);
}

/** The vector's key as node:crypto would store it: SPKI and PKCS#8 DER. */
function vectorKeys(): IssuingKey {
  const [p, q, d, e] = [big(vector.p), big(vector.q), big(vector.d), big(vector.e)];
  const jwk = {
    kty: 'RSA',
    n: base64Url(big(vector.n)),
    e: base64Url(e),
    d: base64Url(d),
    p: base64Url(p),
    q: base64Url(q),
    dp: base64Url(d % (p - 1n)),
    dq: base64Url(d % (q - 1n)),
    qi: base64Url(invertMod(q, p)),
  };
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  return {
    spki: new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })),
    privateKeyPkcs8: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
  };
}

describe('RFC 9474 Appendix A: RSABSSA-SHA384-PSS-Deterministic vector', () => {
  const keys = vectorKeys();
  const pk = parseRsaSpki(keys.spki);
  const msg = fromHex(vector.prepared_msg);
  const modBits = big(vector.n).toString(2).length;

  it('has a consistent key: n = p·q and e·d = 1 mod lcm(p-1, q-1)', () => {
    const [p, q, e, d] = [big(vector.p), big(vector.q), big(vector.e), big(vector.d)];
    expect(p * q).toBe(big(vector.n));
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    expect((e * d) % lambda).toBe(1n);
    expect(pk.n).toBe(big(vector.n));
    expect(pk.e).toBe(65537n);
    expect(pk.modulusLength).toBe(512);
  });

  it('uses the identity preparation: prepared_msg = msg', () => {
    expect(vector.msg_prefix).toBe('');
    expect(vector.prepared_msg).toBe(vector.msg);
  });

  it('EMSA-PSS-ENCODE with the vector salt gives encoded_msg', () => {
    const encoded = emsaPssEncode(msg, modBits - 1, fromHex(vector.salt));
    expect(toHex(encoded)).toBe(vector.encoded_msg);
  });

  it('EMSA-PSS-VERIFY accepts encoded_msg and rejects another message or salt length', () => {
    const encoded = fromHex(vector.encoded_msg);
    expect(emsaPssVerify(msg, encoded, modBits - 1, 48)).toBe(true);
    expect(emsaPssVerify(concatBytes(msg, Uint8Array.of(0)), encoded, modBits - 1, 48)).toBe(false);
    expect(emsaPssVerify(msg, encoded, modBits - 1, 0)).toBe(false);
  });

  it('Blind with the vector salt and r = inv⁻¹ gives blinded_msg and inv', () => {
    const r = invertMod(big(vector.inv), pk.n);
    const { blindedMessage, inverse } = blind(pk, msg, { salt: fromHex(vector.salt), r });
    expect(toHex(blindedMessage)).toBe(vector.blinded_msg);
    expect(toHex(inverse)).toBe(vector.inv);
  });

  it('the server BlindSign gives blind_sig', () => {
    const blindSignature = blindSign(keys.privateKeyPkcs8, keys.spki, fromHex(vector.blinded_msg));
    expect(toHex(blindSignature)).toBe(vector.blind_sig);
  });

  it('Finalize gives sig', () => {
    const sig = finalize(pk, msg, fromHex(vector.blind_sig), fromHex(vector.inv));
    expect(toHex(sig)).toBe(vector.sig);
  });

  it('sig verifies with the pure verifier and with OpenSSL', () => {
    expect(verifyPssSignature(pk, msg, fromHex(vector.sig))).toBe(true);
    expect(nodePssVerifier(keys.spki, msg, fromHex(vector.sig))).toBe(true);
  });
});

describe('blind RSA with a fresh 2048-bit key', () => {
  let key: IssuingKey;
  let pk: RsaPublicKey;
  const msg = randomNonce();

  beforeAll(() => {
    key = generateIssuingKey();
    pk = parseRsaSpki(key.spki);
  });

  it('generates 2048-bit keys with e = 65537', () => {
    expect(pk.modulusLength).toBe(256);
    expect(pk.n.toString(2).length).toBe(2048);
    expect(pk.e).toBe(65537n);
    expect(pk.spki).toEqual(key.spki);
  });

  it('round-trips: blind, sign, finalize, verify', async () => {
    const { blindedMessage, inverse } = blind(pk, msg);
    expect(blindedMessage.length).toBe(256);
    expect(inverse.length).toBe(256);
    const sig = finalize(pk, msg, blindSign(key.privateKeyPkcs8, key.spki, blindedMessage), inverse);
    expect(sig.length).toBe(256);
    expect(verifyPssSignature(pk, msg, sig)).toBe(true);
    expect(await nodePssVerifier(key.spki, msg, sig)).toBe(true);
    expect(verifyPssSignature(pk, randomNonce(), sig)).toBe(false);
  });

  it('blinds the same message differently each time', () => {
    const first = blind(pk, msg);
    const second = blind(pk, msg);
    expect(toHex(first.blindedMessage)).not.toBe(toHex(second.blindedMessage));
  });

  it('BlindSign rejects a blinded message of the wrong length', () => {
    const { blindedMessage } = blind(pk, msg);
    expectCode(() => blindSign(key.privateKeyPkcs8, key.spki, blindedMessage.subarray(1)), 'bad_length');
    expectCode(
      () => blindSign(key.privateKeyPkcs8, key.spki, concatBytes(blindedMessage, Uint8Array.of(0))),
      'bad_length',
    );
  });

  it('BlindSign rejects a blinded message that is not below n', () => {
    const n = bigIntToBytes(pk.n, 256);
    expectCode(() => blindSign(key.privateKeyPkcs8, key.spki, n), 'blinded_message_out_of_range');
    expectCode(() => blindSign(key.privateKeyPkcs8, key.spki, new Uint8Array(256).fill(0xff)), 'blinded_message_out_of_range');
    // n - 1 is the largest valid representative.
    expect(blindSign(key.privateKeyPkcs8, key.spki, bigIntToBytes(pk.n - 1n, 256)).length).toBe(256);
  });

  it('BlindSign returns nothing when the private key does not match the public key', () => {
    const { blindedMessage } = blind(pk, msg);
    // Same modulus, another exponent: the result fails the RSAVP1 check of step 4.
    const wrongSpki = new Uint8Array(
      createPublicKey({ key: { kty: 'RSA', n: base64Url(pk.n), e: 'Aw' }, format: 'jwk' }).export({
        type: 'spki',
        format: 'der',
      }),
    );
    expectCode(() => blindSign(key.privateKeyPkcs8, wrongSpki, blindedMessage), 'signing_fault');
    // A 4096-bit public key with this 2048-bit private key: OpenSSL refuses, still `signing_fault`.
    const other = vectorKeys();
    const bigBlinded = blind(parseRsaSpki(other.spki), msg).blindedMessage;
    expectCode(() => blindSign(key.privateKeyPkcs8, other.spki, bigBlinded), 'signing_fault');
  });

  it('Finalize rejects a tampered blind signature, a wrong length and a wrong inverse', () => {
    const { blindedMessage, inverse } = blind(pk, msg);
    const blindSignature = blindSign(key.privateKeyPkcs8, key.spki, blindedMessage);
    const tampered = blindSignature.slice();
    tampered[100]! ^= 0x01;
    expectCode(() => finalize(pk, msg, tampered, inverse), 'token_signature');
    expectCode(() => finalize(pk, msg, blindSignature.subarray(1), inverse), 'bad_length');
    expectCode(() => finalize(pk, msg, blindSignature, blind(pk, msg).inverse), 'token_signature');
    expectCode(() => finalize(pk, randomNonce(), blindSignature, inverse), 'token_signature');
    expect(finalize(pk, msg, blindSignature, inverse).length).toBe(256);
  });

  it('Blind rejects a salt of the wrong length and a blinding factor out of range', () => {
    expectCode(() => blind(pk, msg, { salt: new Uint8Array(32) }), 'bad_length');
    expectCode(() => blind(pk, msg, { r: 0n }), 'blind_failed');
    expectCode(() => blind(pk, msg, { r: pk.n }), 'blind_failed');
  });

  it('a tampered byte anywhere in the signature fails verification', () => {
    const { blindedMessage, inverse } = blind(pk, msg);
    const sig = finalize(pk, msg, blindSign(key.privateKeyPkcs8, key.spki, blindedMessage), inverse);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sig.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, flip) => {
        const tampered = sig.slice();
        tampered[index]! ^= flip;
        expect(verifyPssSignature(pk, msg, tampered)).toBe(false);
        expect(nodePssVerifier(key.spki, msg, tampered)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  it('verification is false, not an exception, for malformed signatures', () => {
    expect(verifyPssSignature(pk, msg, new Uint8Array(255))).toBe(false);
    expect(verifyPssSignature(pk, msg, bigIntToBytes(pk.n, 256))).toBe(false);
    expect(nodePssVerifier(key.spki, msg, new Uint8Array(257))).toBe(false);
    expect(nodePssVerifier(key.spki, msg, bigIntToBytes(pk.n, 256))).toBe(false);
  });
});

describe('parseRsaSpki', () => {
  // A DER builder for hand-made SubjectPublicKeyInfo variants.
  const derLength = (length: number): number[] =>
    length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : [0x82, length >> 8, length & 0xff];
  const tlv = (tag: number, contents: Uint8Array, length = derLength(contents.length)): Uint8Array =>
    concatBytes(Uint8Array.of(tag, ...length), contents);
  const RSA_OID = fromHex('2a864886f70d010101');
  const NULL = tlv(0x05, new Uint8Array(0));
  const integer = (value: bigint): Uint8Array => {
    const bytes = fromHex(value.toString(16).padStart(Math.ceil(value.toString(16).length / 2) * 2, '0'));
    return bytes[0]! & 0x80 ? concatBytes(Uint8Array.of(0), bytes) : bytes;
  };
  function spki(options: {
    modulus: Uint8Array;
    exponent?: Uint8Array;
    oid?: Uint8Array;
    params?: Uint8Array;
    outerLength?: number[];
  }): Uint8Array {
    const rsaKey = tlv(0x30, concatBytes(tlv(0x02, options.modulus), tlv(0x02, options.exponent ?? integer(65537n))));
    const algorithm = tlv(0x30, concatBytes(tlv(0x06, options.oid ?? RSA_OID), options.params ?? NULL));
    const contents = concatBytes(algorithm, tlv(0x03, concatBytes(Uint8Array.of(0), rsaKey)));
    return tlv(0x30, contents, options.outerLength);
  }

  let nodeSpki: Uint8Array;
  let n: bigint;
  beforeAll(() => {
    nodeSpki = generateIssuingKey().spki;
    n = parseRsaSpki(nodeSpki).n;
  });

  it('the test builder reproduces node’s DER byte for byte', () => {
    expect(toHex(spki({ modulus: integer(n) }))).toBe(toHex(nodeSpki));
  });

  it('rejects a truncated key and a trailing byte', () => {
    expectCode(() => parseRsaSpki(nodeSpki.subarray(0, nodeSpki.length - 1)), 'bad_public_key');
    expectCode(() => parseRsaSpki(nodeSpki.subarray(0, 10)), 'bad_public_key');
    expectCode(() => parseRsaSpki(new Uint8Array(0)), 'bad_public_key');
    expectCode(() => parseRsaSpki(concatBytes(nodeSpki, Uint8Array.of(0))), 'bad_public_key');
  });

  it('rejects another algorithm: RSASSA-PSS OID, an EC key, missing NULL parameters', () => {
    expectCode(() => parseRsaSpki(spki({ modulus: integer(n), oid: fromHex('2a864886f70d01010a') })), 'bad_public_key');
    const rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey;
    expectCode(() => parseRsaSpki(new Uint8Array(rsaPss.export({ type: 'spki', format: 'der' }))), 'bad_public_key');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expectCode(() => parseRsaSpki(new Uint8Array(ec.export({ type: 'spki', format: 'der' }))), 'bad_public_key');
    expectCode(() => parseRsaSpki(spki({ modulus: integer(n), params: new Uint8Array(0) })), 'bad_public_key');
  });

  it('rejects non-minimal lengths and non-canonical or negative integers', () => {
    const canonical = spki({ modulus: integer(n) });
    const length = canonical.length - 4;
    expectCode(
      () => parseRsaSpki(spki({ modulus: integer(n), outerLength: [0x83, 0, length >> 8, length & 0xff] })),
      'bad_public_key',
    );
    expectCode(() => parseRsaSpki(spki({ modulus: concatBytes(Uint8Array.of(0), integer(n)) })), 'bad_public_key');
    expectCode(() => parseRsaSpki(spki({ modulus: integer(n).subarray(1) })), 'bad_public_key'); // sign bit set
    expectCode(() => parseRsaSpki(spki({ modulus: integer(n), exponent: fromHex('00010001') })), 'bad_public_key');
  });

  it('rejects a modulus under 2048 bits and a bad exponent', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expectCode(() => parseRsaSpki(new Uint8Array(small.export({ type: 'spki', format: 'der' }))), 'bad_public_key');
    expectCode(() => parseRsaSpki(spki({ modulus: integer(n), exponent: integer(65536n) })), 'bad_public_key');
    expectCode(() => parseRsaSpki(spki({ modulus: integer(n), exponent: integer(1n) })), 'bad_public_key');
  });

  it('keeps a copy of the DER it parsed', () => {
    const copy = nodeSpki.slice();
    const pk = parseRsaSpki(copy);
    copy[copy.length - 1]! ^= 1;
    expect(pk.spki).toEqual(nodeSpki);
    expect(bytesToBigInt(pk.spki.subarray(pk.spki.length - 256 - 5, pk.spki.length - 5))).toBe(pk.n);
  });
});
