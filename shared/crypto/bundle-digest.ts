/**
 * The bundle's digest: SHA-256 over the UTF-8 bytes of the RFC 8785 canonical JSON of the signed
 * bundle (its `signature` included, its scrutineers' `cosignatures` left out, since those are
 * signatures over this very digest). Printed on the tally sheet (hex and QR) so that paper and
 * file can be matched, and what each scrutineer signs.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex, utf8 } from '../encoding.ts';
import { canonicalJson } from './jcs.ts';

export function bundleDigest(bundle: object): Uint8Array {
  const { cosignatures: _cosignatures, ...signed } = bundle as { cosignatures?: unknown };
  return sha256(utf8(canonicalJson(signed)));
}

export const bundleDigestHex = (bundle: object): string => toHex(bundleDigest(bundle));
