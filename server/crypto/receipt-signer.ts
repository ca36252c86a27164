/**
 * The ballot box's receipt signatures (shared/crypto/receipt.ts) with the installation's key, by
 * OpenSSL: every ballot taken is answered with one, and OpenSSL's Ed25519 is many times faster
 * than the pure-JavaScript signer. Ed25519 (RFC 8032) is deterministic, so both give the very
 * same bytes; the tests check that.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { toBase64Url } from '../../shared/encoding.ts';
import { receiptSignatureMessage } from '../../shared/crypto/receipt.ts';
import type { InstallationKey } from './installation-key.ts';

const keyObjects = new WeakMap<InstallationKey, KeyObject>();

function keyObjectOf(key: InstallationKey): KeyObject {
  let object = keyObjects.get(key);
  if (!object) {
    object = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: toBase64Url(key.secretKey), x: toBase64Url(key.publicKey) }, format: 'jwk' });
    keyObjects.set(key, object);
  }
  return object;
}

export function signReceiptWith(key: InstallationKey, receipt: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, receiptSignatureMessage(receipt), keyObjectOf(key)));
}
