/**
 * RFC 9474 §4.3 BlindSign (RSABSSA-SHA384-PSS-Deterministic), the private-key steps, with
 * node:crypto only. Plain JavaScript so that the same code runs on the main thread
 * (server/crypto/blind-signer.ts) and in the signing workers (signing-worker.mjs), which load no
 * TypeScript. The private-key operation is OpenSSL's: CRT for speed and RSA blinding against
 * timing attacks, which RFC 9474 §7.1 requires of a signer that answers arbitrary inputs.
 *
 * `key`: { privateKey: KeyObject, publicKey: KeyObject, modulus: Uint8Array } — n as
 * modulus-length big-endian bytes. Returns { signature } or { code } naming the refusal
 * (`bad_length`, `blinded_message_out_of_range`, `signing_fault`); on a fault nothing derived
 * from the private key is returned.
 */
import { constants, privateDecrypt, publicEncrypt, timingSafeEqual } from 'node:crypto';

export function rsaBlindSign(key, blindedMessage) {
  if (!(blindedMessage instanceof Uint8Array) || blindedMessage.length !== key.modulus.length) return { code: 'bad_length' };
  // 1. m = bytes_to_int(blinded_msg)
  //    RSASP1 requires 0 <= m < n ("message representative out of range"): checked here rather
  //    than read from an OpenSSL error string. Both are public values of equal length.
  if (Buffer.compare(blindedMessage, key.modulus) >= 0) return { code: 'blinded_message_out_of_range' };
  let s;
  let mPrime;
  try {
    // 2. s = RSASP1(sk, m): the raw private-key operation, m^d mod n (CRT, blinded by OpenSSL).
    s = privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, blindedMessage);
    // 3. m' = RSAVP1(pk, s)
    mPrime = publicEncrypt({ key: key.publicKey, padding: constants.RSA_NO_PADDING }, s);
  } catch {
    // A private key that does not belong to the public key ends here or at the comparison below.
    return { code: 'signing_fault' };
  }
  // 4. If m != m', raise "signing failure" and stop.
  if (mPrime.length !== blindedMessage.length || !timingSafeEqual(mPrime, blindedMessage)) return { code: 'signing_fault' };
  // 5. blind_sig = int_to_bytes(s, modulus_len): OpenSSL already pads to the modulus length.
  // 6. output blind_sig
  return { signature: new Uint8Array(s) };
}
