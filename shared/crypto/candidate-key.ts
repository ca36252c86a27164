/**
 * The candidate's own key (three evaluations, protocol v2). The printed voting code is a key
 * every organizer who printed the slips holds too; what only the candidate may do — state their
 * self-evaluation, read the comments raters wrote to them — needs a key only the candidate holds.
 *
 * The candidate's browser makes two key pairs and registers the public halves in the room (with
 * the room code, before voting opens); the projector shows their fingerprint beside the
 * candidate's name, and the signed bundle lists them:
 *   - signing key (Ed25519): signs the self-evaluation,
 *       message = frame("anon-ballot/v2/self-evaluation", pollId, questionId, JCS(scores));
 *     the server keeps it only if it verifies, the bundle publishes it, the verifier checks it;
 *   - box key (X25519): raters' devices seal each comment to it,
 *       e, E = a fresh X25519 key pair;  z = X25519(e, B)
 *       k = HKDF-SHA256(z, salt = E ‖ B, info = "anon-ballot/v2/comment", 32 bytes)
 *       sealed = E (32) ‖ iv (12) ‖ AES-256-GCM(k, iv, UTF-8 text, aad = B)
 *     so neither the operator with the database nor the organizer with the code can read them.
 *
 * fingerprint = first 8 bytes, hex, of SHA-256(frame("anon-ballot/v2/candidate-key", signing, box)).
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, concatBytes, fromBase64, toBase64, toHex, utf8 } from '../encoding.ts';
import { fail } from '../errors.ts';
import { nobleEd25519Verifier, type Ed25519Verifier } from './bundle-signature.ts';
import { frame } from './framing.ts';
import { canonicalJson } from './jcs.ts';
import { type CandidatePublicKeys } from './candidate-key-fingerprint.ts';

export { CANDIDATE_KEY_LABEL, candidateKeyFingerprint, type CandidatePublicKeys } from './candidate-key-fingerprint.ts';

export const SELF_EVALUATION_LABEL = 'anon-ballot/v2/self-evaluation';
export const COMMENT_INFO = 'anon-ballot/v2/comment';
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
/** The shortest sealed comment: the ephemeral key, the IV, one byte of text and the tag. */
export const MIN_SEALED_LENGTH = 32 + IV_LENGTH + 1 + TAG_LENGTH;


export interface CandidateSecretKeys {
  signingSecret: Uint8Array;
  boxSecret: Uint8Array;
}

/** The public halves of a candidate's secret keys. */
export const publicKeysOf = (signingSecret: Uint8Array, boxSecret: Uint8Array): CandidatePublicKeys => ({
  signingKey: toBase64(ed25519.getPublicKey(signingSecret)),
  boxKey: toBase64(x25519.getPublicKey(boxSecret)),
});

/** A new pair of key pairs, made on the candidate's own device. */
export function generateCandidateKeys(): CandidatePublicKeys & CandidateSecretKeys {
  const signingSecret = ed25519.utils.randomSecretKey();
  const boxSecret = x25519.utils.randomSecretKey();
  return { signingSecret, boxSecret, signingKey: toBase64(ed25519.getPublicKey(signingSecret)), boxKey: toBase64(x25519.getPublicKey(boxSecret)) };
}


/**
 * Throws `bad_encoding` unless both keys are 32-byte public keys fit for their use: the signing
 * key a point of the curve and not of small order, the box key not one that makes the shared
 * secret predictable (all-zero output is refused at sealing).
 */
export function checkCandidateKeys(keys: CandidatePublicKeys): void {
  const signing = abytes(fromBase64(keys.signingKey, 'signingKey'), 32, 'signingKey');
  abytes(fromBase64(keys.boxKey, 'boxKey'), 32, 'boxKey');
  let smallOrder: boolean;
  try {
    smallOrder = ed25519.Point.fromBytes(signing).isSmallOrder();
  } catch {
    fail('bad_encoding', 'signingKey is not an Ed25519 public key');
  }
  if (smallOrder) fail('bad_encoding', 'signingKey is a point of small order');
}

export const selfEvaluationMessage = (pollId: string, questionId: string, scores: Record<string, number>): Uint8Array =>
  frame(SELF_EVALUATION_LABEL, pollId, questionId, canonicalJson(scores));

/** The candidate's signature over their self-evaluation (base64). */
export const signSelfEvaluation = (signingSecret: Uint8Array, pollId: string, questionId: string, scores: Record<string, number>): string =>
  toBase64(ed25519.sign(selfEvaluationMessage(pollId, questionId, scores), abytes(signingSecret, 32, 'signingSecret')));

/** Throws `self_evaluation_signature` unless `signature` is the candidate's over these scores. */
export function checkSelfEvaluation(
  signingKey: string,
  signature: string,
  statement: { pollId: string; questionId: string; scores: Record<string, number> },
  verifyEd25519: Ed25519Verifier = nobleEd25519Verifier,
): void {
  const publicKey = abytes(fromBase64(signingKey, 'signingKey'), 32, 'signingKey');
  const bytes = abytes(fromBase64(signature, 'signature'), 64, 'signature');
  if (!verifyEd25519(bytes, selfEvaluationMessage(statement.pollId, statement.questionId, statement.scores), publicKey))
    fail('self_evaluation_signature', "the self-evaluation is not signed with the candidate's registered key");
}

async function commentKey(shared: Uint8Array, ephemeral: Uint8Array, box: Uint8Array): Promise<CryptoKey> {
  if (shared.every((b) => b === 0)) fail('bad_encoding', 'boxKey gives no shared secret (a key of small order)');
  const key = hkdf(sha256, shared, concatBytes(ephemeral, box), utf8(COMMENT_INFO), 32);
  return crypto.subtle.importKey('raw', key as BufferSource, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** Seals a comment to the candidate's box key (base64). Only the candidate's box secret opens it. */
export async function sealComment(boxKey: string, text: string): Promise<string> {
  const box = abytes(fromBase64(boxKey, 'boxKey'), 32, 'boxKey');
  const ephemeralSecret = x25519.utils.randomSecretKey();
  const ephemeral = x25519.getPublicKey(ephemeralSecret);
  const key = await commentKey(x25519.getSharedSecret(ephemeralSecret, box), ephemeral, box);
  const iv = crypto.getRandomValues(new Uint8Array(IV_LENGTH));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: box as BufferSource }, key, utf8(text) as BufferSource));
  return toBase64(concatBytes(ephemeral, iv, sealed));
}

/** Opens a sealed comment with the candidate's box secret; throws `comment_sealed` if it is not theirs or was altered. */
export async function openComment(boxSecret: Uint8Array, sealedBase64: string): Promise<string> {
  const sealed = fromBase64(sealedBase64, 'sealed comment');
  if (sealed.length < MIN_SEALED_LENGTH) fail('comment_sealed', 'too short to be a sealed comment');
  const box = x25519.getPublicKey(boxSecret);
  const ephemeral = sealed.subarray(0, 32);
  const key = await commentKey(x25519.getSharedSecret(boxSecret, ephemeral), ephemeral, box);
  try {
    const text = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(32, 32 + IV_LENGTH) as BufferSource, additionalData: box as BufferSource },
      key,
      sealed.subarray(32 + IV_LENGTH) as BufferSource,
    );
    return new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch {
    fail('comment_sealed', 'this comment was not sealed to this key, or it was altered');
  }
}
