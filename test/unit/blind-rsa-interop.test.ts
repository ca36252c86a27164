/**
 * Interoperability of our RSABSSA-SHA384-PSS-Deterministic with @cloudflare/blindrsa-ts (an
 * independent implementation on WebCrypto + sjcl), in both directions, with one fresh 2048-bit key.
 * Their suite takes WebCrypto CryptoKeys, so our SPKI / PKCS#8 DER is imported as RSA-PSS/SHA-384.
 */
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/encoding.ts';
import { blind, finalize, parseRsaSpki, randomNonce, verifyPssSignature, type RsaPublicKey } from '../../shared/crypto/blind-rsa.ts';
import { webCryptoPssVerifier } from '../../shared/crypto/token.ts';
import { blindSign, generateIssuingKey, nodePssVerifier, type IssuingKey } from '../../server/crypto/blind-signer.ts';

const theirSuite = RSABSSA.SHA384.PSS.Deterministic();
const RSA_PSS_SHA384 = { name: 'RSA-PSS', hash: 'SHA-384' } as const;

describe('interoperability with @cloudflare/blindrsa-ts (RSABSSA-SHA384-PSS-Deterministic)', () => {
  let key: IssuingKey;
  let pk: RsaPublicKey;
  let theirPublicKey: CryptoKey;
  let theirPrivateKey: CryptoKey;

  beforeAll(async () => {
    key = generateIssuingKey();
    pk = parseRsaSpki(key.spki);
    // Their suite exports the keys as JWK, so they must be extractable.
    theirPublicKey = await crypto.subtle.importKey('spki', key.spki as BufferSource, RSA_PSS_SHA384, true, ['verify']);
    theirPrivateKey = await crypto.subtle.importKey('pkcs8', key.privateKeyPkcs8 as BufferSource, RSA_PSS_SHA384, true, [
      'sign',
    ]);
  });

  it('names the same variant', () => {
    expect(theirSuite.toString()).toBe('RSABSSA-SHA384-PSS-Deterministic');
  });

  it('they blind, our server signs, they finalize and verify, and we verify too', async () => {
    const msg = utf8('ballot token input from their client');
    const { blindedMsg, inv } = await theirSuite.blind(theirPublicKey, msg);
    const blindSignature = blindSign(key.privateKeyPkcs8, key.spki, blindedMsg);
    const sig = await theirSuite.finalize(theirPublicKey, msg, blindSignature, inv);
    expect(await theirSuite.verify(theirPublicKey, sig, msg)).toBe(true);
    expect(verifyPssSignature(pk, msg, sig)).toBe(true);
    expect(await nodePssVerifier(key.spki, msg, sig)).toBe(true);
    expect(await webCryptoPssVerifier(key.spki, msg, sig)).toBe(true);
  });

  it('we blind, their signer signs, we finalize (which verifies), and they verify', async () => {
    const msg = randomNonce();
    const { blindedMessage, inverse } = blind(pk, msg);
    const blindSignature = await theirSuite.blindSign(theirPrivateKey, blindedMessage);
    const sig = finalize(pk, msg, blindSignature, inverse);
    expect(await theirSuite.verify(theirPublicKey, sig, msg)).toBe(true);
    expect(await nodePssVerifier(key.spki, msg, sig)).toBe(true);
  });

  it('their finalize accepts our serialized inverse, and rejects a signature on another message', async () => {
    const msg = randomNonce();
    const { blindedMessage, inverse } = blind(pk, msg);
    const blindSignature = blindSign(key.privateKeyPkcs8, key.spki, blindedMessage);
    const sig = await theirSuite.finalize(theirPublicKey, msg, blindSignature, inverse);
    expect(verifyPssSignature(pk, msg, sig)).toBe(true);
    await expect(theirSuite.finalize(theirPublicKey, randomNonce(), blindSignature, inverse)).rejects.toThrow();
  });
});
