/**
 * The project's strict Ed25519 rule (shared/crypto/ed25519-strict.ts) with node:crypto's SHA-512,
 * for the command-line verifier: hashing a 57 MB bundle is most of the cost, and OpenSSL's SHA-512
 * is several times faster than the pure-JavaScript one. Every decision (encodings, small order,
 * S < L, the equation) is the shared code's, so the answers are the browser's on every input and
 * do not change with the OpenSSL version Node ships.
 */
import { createHash } from 'node:crypto';
import { strictEd25519Verifier, type Sha512 } from '../../shared/crypto/ed25519-strict.ts';

export const nodeSha512: Sha512 = (parts) => {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

export const nodeEd25519Verifier = strictEd25519Verifier(nodeSha512);
