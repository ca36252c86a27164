/**
 * Ballot token wire format, modelled on RFC 9578's publicly verifiable token (big-endian):
 *
 *   uint16 token_type         0xBA11 (protocol v2, this project's own value); 0x0002 in v1
 *   uint8  nonce[32]          random, chosen by the voter's client
 *   uint8  context[32]        v2: SHA-256(frame("anon-ballot/v2/token-context", pollId, group, questionId))
 *                             v1: SHA-256(UTF-8("anon-ballot/v1|" + pollId + "|" + group))
 *   uint8  token_key_id[32]   SHA-256(SubjectPublicKeyInfo DER of the issuing key, as published)
 *   uint8  authenticator[Nk]  RSABSSA-SHA384-PSS-Deterministic signature over the 98 bytes above
 *
 * The first 98 bytes are the "token input": the message the voter's client blinds, the issuer
 * signs without seeing, and anyone verifies with the issuing key. In v2 a key and its tokens
 * belong to one question (one candidate) of one voter group, so a token answers exactly one
 * question. Decoding is strict: exact length, the expected type, nothing trailing. Every
 * failure has its own error code so a verifier report (or an HTTP 400) says exactly what is wrong.
 * v1 tokens are still decoded, for verifying bundles published under v1.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { AppError, fail } from '../errors.ts';
import { abytes, concatBytes, equalBytes, toHex, utf8 } from '../encoding.ts';
import { frame } from './framing.ts';

/** Protocol v2's token type: a value of this project's own, not one of RFC 9578's registry. */
export const TOKEN_TYPE = 0xba11;
/** Protocol v1 used RFC 9578's 0x0002; kept to verify bundles published under v1. */
export const TOKEN_TYPE_V1 = 0x0002;
export const NONCE_LENGTH = 32;
export const TOKEN_INPUT_LENGTH = 2 + 32 + 32 + 32;
/** Nk for the 2048-bit keys this installation creates. */
export const AUTHENTICATOR_LENGTH = 256;
export const TOKEN_LENGTH = TOKEN_INPUT_LENGTH + AUTHENTICATOR_LENGTH;
export const CONTEXT_PREFIX_V1 = 'anon-ballot/v1|';
export const CONTEXT_LABEL = 'anon-ballot/v2/token-context';

export interface Token {
  nonce: Uint8Array;
  context: Uint8Array;
  keyId: Uint8Array;
  authenticator: Uint8Array;
}

/** v2: the poll, voter group and question (candidate) a token votes on, with lengths. */
export function tokenContext(pollId: string, group: string, questionId: string): Uint8Array {
  return sha256(frame(CONTEXT_LABEL, pollId, group, questionId));
}

/** v1: the poll and voter group only (one token answered every question of the poll). */
export function tokenContextV1(pollId: string, group: string): Uint8Array {
  return sha256(utf8(`${CONTEXT_PREFIX_V1}${pollId}|${group}`));
}

export function tokenKeyId(spkiDer: Uint8Array): Uint8Array {
  return sha256(spkiDer);
}

/**
 * The short form of a key id carried in voting links and shown on the projector: the first
 * 8 bytes of the key id in hex (64 bits). A server that wanted to tag a voter with a private
 * key would need a second RSA key whose SHA-256 agrees on these 64 bits.
 */
export function keyFingerprint(keyId: Uint8Array): string {
  return toHex(abytes(keyId, 32, 'keyId').subarray(0, 8));
}

export function encodeTokenInput(fields: Omit<Token, 'authenticator'>, tokenType = TOKEN_TYPE): Uint8Array {
  const type = new Uint8Array([tokenType >> 8, tokenType & 0xff]);
  return concatBytes(
    type,
    abytes(fields.nonce, NONCE_LENGTH, 'nonce'),
    abytes(fields.context, 32, 'context'),
    abytes(fields.keyId, 32, 'token_key_id'),
  );
}

export function encodeToken(token: Token, tokenType = TOKEN_TYPE): Uint8Array {
  return concatBytes(encodeTokenInput(token, tokenType), abytes(token.authenticator, AUTHENTICATOR_LENGTH, 'authenticator'));
}

/**
 * Parses a token of `tokenType` (v2 by default); throws `token_length` or `token_type`.
 * Signature and binding are checked by `checkToken`.
 */
export function decodeToken(bytes: Uint8Array, tokenType = TOKEN_TYPE): Token {
  if (!(bytes instanceof Uint8Array) || bytes.length !== TOKEN_LENGTH)
    fail('token_length', `a token is exactly ${TOKEN_LENGTH} bytes, got ${bytes?.length ?? 'none'}`);
  const type = (bytes[0]! << 8) | bytes[1]!;
  if (type !== tokenType)
    fail('token_type', `token type 0x${type.toString(16).padStart(4, '0')}, expected 0x${tokenType.toString(16).padStart(4, '0')}`);
  return {
    nonce: bytes.slice(2, 34),
    context: bytes.slice(34, 66),
    keyId: bytes.slice(66, 98),
    authenticator: bytes.slice(98),
  };
}

export const tokenInputOf = (tokenBytes: Uint8Array): Uint8Array => tokenBytes.subarray(0, TOKEN_INPUT_LENGTH);

/** An RSA-PSS (SHA-384, MGF1-SHA-384, salt 48) signature check, injected so Node and browsers use their native code. */
export type PssVerifier = (spki: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean> | boolean;

export interface TokenExpectation {
  keyId: Uint8Array;
  spki: Uint8Array;
  context: Uint8Array;
}

/**
 * Checks that a decoded token belongs to the expected key and (poll, group) and carries a valid
 * signature. Throws `token_key_id`, `token_context` or `token_signature`.
 */
export async function checkToken(
  tokenBytes: Uint8Array,
  expected: TokenExpectation,
  verifyPss: PssVerifier,
  tokenType = TOKEN_TYPE,
): Promise<Token> {
  const token = decodeToken(tokenBytes, tokenType);
  if (!equalBytes(token.keyId, expected.keyId)) fail('token_key_id', 'the token was issued under another key');
  if (!equalBytes(token.context, expected.context))
    fail('token_context', 'the token was issued for another poll, voter group or question');
  let valid = false;
  try {
    valid = await verifyPss(expected.spki, tokenInputOf(tokenBytes), token.authenticator);
  } catch (error) {
    if (error instanceof AppError) throw error;
    valid = false;
  }
  if (!valid) fail('token_signature', 'the token signature does not verify');
  return token;
}

const webKeys = new Map<string, Promise<CryptoKey>>();

/** RSA-PSS verification through WebCrypto (Node 20's globalThis.crypto and every modern browser). */
export const webCryptoPssVerifier: PssVerifier = async (spki, message, signature) => {
  const cacheKey = toHex(tokenKeyId(spki));
  let key = webKeys.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey('spki', spki as BufferSource, { name: 'RSA-PSS', hash: 'SHA-384' }, false, ['verify']);
    webKeys.set(cacheKey, key);
  }
  return crypto.subtle.verify({ name: 'RSA-PSS', saltLength: 48 }, await key, signature as BufferSource, message as BufferSource);
};
