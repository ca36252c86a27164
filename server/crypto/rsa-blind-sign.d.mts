import type { KeyObject } from 'node:crypto';

export interface RsaSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** n as modulus-length big-endian bytes. */
  modulus: Uint8Array;
}

export type BlindSignOutcome = { signature: Uint8Array; code?: undefined } | { code: 'bad_length' | 'blinded_message_out_of_range' | 'signing_fault'; signature?: undefined };

export function rsaBlindSign(key: RsaSigningKey, blindedMessage: Uint8Array): BlindSignOutcome;
