/**
 * The opening statement (开始投票声明) and the scrutineers' co-signatures over it.
 *
 * When voting opens, the server writes one statement of what was true at that moment: the head
 * count and its note, the check-ins signed and struck, the tokens issued under each key of the
 * poll, the meeting's key set and the record's head. The projector shows it (with the first
 * digits of its digest); each scrutineer's page shows the same facts, computes the digest from
 * them and signs it with the key the scrutineer registered; the bundle signed at close carries the
 * statement and those co-signatures, and the verifier checks both.
 *
 * Digest: SHA-256 over the UTF-8 bytes of the RFC 8785 canonical JSON of the statement.
 * Co-signature: Ed25519 (RFC 8032, strict) over `anon-ballot/opening/v2:` ‖ digest (32 bytes).
 * A label of its own, so that a co-signature of an opening can never pass for one of a bundle.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { abytes, concatBytes, toBase64, toHex, utf8 } from '../encoding.ts';
import type { Cosignature, OpeningStatement } from '../protocol/bundle.ts';
import { nobleEd25519Verifier, type Ed25519Verifier } from './bundle-signature.ts';
import { checkScrutineerSignature } from './bundle-digest.ts';
import { canonicalJson } from './jcs.ts';

export const openingStatementDigest = (statement: OpeningStatement): Uint8Array => sha256(utf8(canonicalJson(statement)));

export const openingStatementDigestHex = (statement: OpeningStatement): string => toHex(openingStatementDigest(statement));

const OPENING_DOMAIN = utf8('anon-ballot/opening/v2:');

/** The bytes a scrutineer signs for this opening statement. */
export const openingCosignatureMessage = (statement: OpeningStatement): Uint8Array => concatBytes(OPENING_DOMAIN, openingStatementDigest(statement));

/** A scrutineer's co-signature (base64) of the opening statement with their Ed25519 secret key. */
export const cosignOpeningStatement = (statement: OpeningStatement, secretKey: Uint8Array): string =>
  toBase64(ed25519.sign(openingCosignatureMessage(statement), abytes(secretKey, 32, 'secretKey')));

/**
 * Throws unless `cosignature` is valid for `statement` and made with the key that `scrutineers`
 * (the bundle's signed list) gives for that name and role: `cosigner_unknown`, `bad_encoding`,
 * `bad_length`, `cosignature`.
 */
export function checkOpeningCosignature(
  scrutineers: readonly { name: string; role: string; publicKey?: string | undefined }[],
  statement: OpeningStatement,
  cosignature: Cosignature,
  verifyEd25519: Ed25519Verifier = nobleEd25519Verifier,
): void {
  checkScrutineerSignature(scrutineers, cosignature, openingCosignatureMessage(statement), 'the opening statement', verifyEd25519);
}
