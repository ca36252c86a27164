/**
 * Length-prefixed concatenation, the one way protocol v2 joins several values before hashing or
 * signing them: each part is written as its length (uint32, big-endian) followed by its bytes,
 * so two different lists of parts never give the same bytes ("ab" + "c" ≠ "a" + "bc").
 * Strings are taken as their UTF-8 bytes.
 */
import { concatBytes, utf8 } from '../encoding.ts';

export function frame(...parts: (Uint8Array | string)[]): Uint8Array {
  const pieces: Uint8Array[] = [];
  for (const part of parts) {
    const bytes = typeof part === 'string' ? utf8(part) : part;
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, bytes.length);
    pieces.push(length, bytes);
  }
  return concatBytes(...pieces);
}
