/**
 * The signer key a verification is pinned to: the installation's Ed25519 public key, obtained out
 * of band (its printed notice, `npm start`'s first lines, GET /api/public/signer), never from the
 * bundle itself, since anyone can sign a bundle with their own key.
 *
 *   --signer KEY        the key, base64 (32 raw bytes)
 *   --signer-file FILE  a file holding the key: base64 (surrounding whitespace ignored), or the JSON
 *                       `{ "alg": "Ed25519", "publicKey": "…" }` that GET /api/public/signer answers
 *                       and `npm run demo` writes. The installation's own key file holds only its
 *                       secret key: it is refused, since a verifier never needs, and should never
 *                       be handed, a secret.
 */
import { readFileSync } from 'node:fs';
import { fromBase64 } from '../../shared/encoding.ts';
import { decodeUtf8Strict, parseStrictJson } from '../../shared/strict-json.ts';
import { AppError } from '../../shared/errors.ts';

/** Why a key cannot be pinned; the command line prints the message. */
export class PinnedSignerError extends Error {}

/** The base64 key, if it is 32 bytes of canonical base64; the same string back. */
export function pinnedSignerKey(base64: string, from: string): string {
  let key: Uint8Array | undefined;
  try {
    key = fromBase64(base64);
  } catch {
    key = undefined;
  }
  if (key?.length !== 32) throw new PinnedSignerError(`${from} must be a base64 Ed25519 public key (32 bytes)`);
  return base64;
}

/** The key a signer file holds (see the header for the formats). */
export function pinnedSignerFromText(text: string, file: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return pinnedSignerKey(trimmed, `--signer-file ${file}`);
  let held: unknown;
  try {
    held = parseStrictJson(trimmed);
  } catch (error) {
    throw new PinnedSignerError(`--signer-file ${file}: ${error instanceof AppError ? error.message : String(error)}`);
  }
  const { alg, publicKey, secretKey } = held as { alg?: unknown; publicKey?: unknown; secretKey?: unknown };
  if (publicKey === undefined && secretKey !== undefined)
    throw new PinnedSignerError(
      `--signer-file ${file} holds a secret key (the installation's key file?). Give the public key instead: ` +
        'npm start prints it, GET /api/public/signer serves it. A verifier never needs the secret key.',
    );
  if (alg !== undefined && alg !== 'Ed25519') throw new PinnedSignerError(`--signer-file ${file}: alg must be "Ed25519"`);
  if (typeof publicKey !== 'string') throw new PinnedSignerError(`--signer-file ${file}: expected { "alg": "Ed25519", "publicKey": "<base64>" } or the base64 key alone`);
  return pinnedSignerKey(publicKey, `--signer-file ${file}: publicKey`);
}

export function readPinnedSignerFile(file: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new PinnedSignerError(`cannot read --signer-file ${file}: ${reason}`);
  }
  let text: string;
  try {
    text = decodeUtf8Strict(bytes);
  } catch (error) {
    throw new PinnedSignerError(`--signer-file ${file}: ${error instanceof AppError ? error.message : String(error)}`);
  }
  return pinnedSignerFromText(text, file);
}
