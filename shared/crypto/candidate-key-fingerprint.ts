/**
 * The fingerprint of a candidate's own public keys (shared/crypto/candidate-key.ts): the 16 hex
 * digits the projector shows beside the candidate's name and the candidate's phone under 你的个人密钥,
 *   first 8 bytes of SHA-256(frame("anon-ballot/v2/candidate-key", signing key, box key)).
 * Apart from the key code so that the voter page computes it without loading X25519.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, fromBase64, toHex } from '../encoding.ts';
import { frame } from './framing.ts';

export const CANDIDATE_KEY_LABEL = 'anon-ballot/v2/candidate-key';

export interface CandidatePublicKeys {
  /** Ed25519 public key, 32 bytes, base64. */
  signingKey: string;
  /** X25519 public key, 32 bytes, base64. */
  boxKey: string;
}

/** The 16-hex-digit fingerprint the projector shows beside the candidate's name. */
export function candidateKeyFingerprint(keys: CandidatePublicKeys): string {
  const signing = abytes(fromBase64(keys.signingKey, 'signingKey'), 32, 'signingKey');
  const box = abytes(fromBase64(keys.boxKey, 'boxKey'), 32, 'boxKey');
  return toHex(sha256(frame(CANDIDATE_KEY_LABEL, signing, box)).subarray(0, 8));
}
