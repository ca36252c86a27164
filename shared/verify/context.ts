/**
 * What every check of the bundle verifier shares: the outcome of a check, the context it reads
 * (the bundle as parsed and as given, its keys and its tokens decoded once), and small helpers.
 */
import type { Ed25519Verifier } from '../crypto/bundle-signature.ts';
import type { PssVerifier, Token } from '../crypto/token.ts';
import { AppError } from '../errors.ts';
import type { Bundle } from '../protocol/bundle.ts';

export interface CheckOutcome {
  ok: boolean;
  /** One sentence: what was established, or what is wrong and where. */
  detail: string;
  /** On failure, the stable error code (`token_signature`, `recount_mismatch`, …). */
  code?: string;
}

export interface CheckResult extends CheckOutcome {
  id: string;
}


export interface VerifyBundleOptions {
  /** RSA-PSS SHA-384 verification: node:crypto on the command line, WebCrypto in the browser. */
  verifyPss: PssVerifier;
  /** Base64 Ed25519 public key the bundle must be signed by (from the installation's notice). */
  expectedSignerPublicKey?: string;
  /** The strict Ed25519 rule; default with @noble's SHA-512 (the browser). The CLI passes node:crypto's. */
  verifyEd25519?: Ed25519Verifier;
  /** Token signatures checked at once when `verifyPss` is asynchronous. Default 64. */
  concurrency?: number;
}

/** A published token key, decoded. */
export interface PublishedTokenKey {
  group: string;
  /** v2: the question (candidate) the key's tokens answer. */
  questionId?: string;
  keyId: Uint8Array;
  spki: Uint8Array;
  /** The context every token of this key must carry (v2: poll, group, question; v1: poll, group). */
  context: Uint8Array;
}

/** One ballot's token, decoded once and shared by every check. */
export interface DecodedBallot {
  /** The token bytes; absent when the base64url does not decode. */
  bytes?: Uint8Array;
  /** The parsed token; absent when the bytes are not a token. */
  token?: Token;
  /** Why `bytes` or `token` is absent. */
  error?: AppError;
  /** The published key the token names, if any. */
  key?: PublishedTokenKey;
}

/** What every check receives: the bundle as parsed and as given, and the tokens decoded once. */
export interface VerificationContext {
  bundle: Bundle;
  /** The input exactly as given: the signature covers it, not the parsed copy. */
  input: Bundle;
  options: VerifyBundleOptions;
  /** By lowercase hex key id; the first entry wins when ids repeat (`token_keys` reports that). */
  keysById: Map<string, PublishedTokenKey>;
  ballots: DecodedBallot[];
  /** The token type of the bundle's protocol version (v2 0xBA11, v1 0x0002). */
  tokenType: number;
}

export interface BundleCheck {
  id: string;
  run(context: VerificationContext): CheckOutcome | Promise<CheckOutcome>;
}

export const pass = (detail: string): CheckOutcome => ({ ok: true, detail });
export const failure = (code: string, detail: string): CheckOutcome => ({ ok: false, code, detail });
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
export const explain = (error: unknown) =>
  error instanceof AppError ? `${error.code}: ${error.message}` : `error: ${error instanceof Error ? error.message : String(error)}`;
export const codeOf = (error: unknown) => (error instanceof AppError ? error.code : 'internal_error');

/** Short bytes → a string usable as a Map key (one char per byte): several times cheaper than hex. */
export const bytesKey = (bytes: Uint8Array): string => String.fromCharCode.apply(null, bytes as unknown as number[]);

/** Runs `job` over 0..count-1 with at most `limit` pending at once, stopping early after `stop()`. */
export async function forEachBounded(count: number, limit: number, job: (index: number) => Promise<void>, stop: () => number) {
  let next = 0;
  const worker = async () => {
    while (next < count && next < stop()) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
}
