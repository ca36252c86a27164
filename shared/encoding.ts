/**
 * Byte helpers shared by server, client and verifier: strict base64 / base64url / hex codecs
 * (canonical only: no whitespace, no padding where none is allowed, no stray characters),
 * concatenation, big-endian integers and constant-time comparison.
 * Works in Node 20 and in browsers (no Buffer).
 */
import { fail } from './errors.ts';

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Throws `bad_bytes` unless `value` is a Uint8Array of `length` bytes; returns it. */
export function abytes(value: Uint8Array, length: number | undefined, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) fail('bad_bytes', `${field}: expected bytes`);
  if (length !== undefined && value.length !== length)
    fail('bad_length', `${field}: expected ${length} bytes, got ${value.length}`);
  return value;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Constant-time equality: the running time depends only on the lengths. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Lexicographic byte order, used to sort published ballots by token bytes. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

const HEX = /^(?:[0-9a-f]{2})*$/;
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
export function fromHex(hex: string, field = 'hex'): Uint8Array {
  if (typeof hex !== 'string' || !HEX.test(hex)) fail('bad_encoding', `${field}: not lowercase hex`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function encode64(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    const n = (b0 << 16) | ((b1 ?? 0) << 8) | (b2 ?? 0);
    out += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]!;
    out += b1 === undefined ? (pad ? '=' : '') : alphabet[(n >> 6) & 63]!;
    out += b2 === undefined ? (pad ? '=' : '') : alphabet[n & 63]!;
  }
  return out;
}

function lookupTable(alphabet: string): Int16Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}
const B64_TABLE = lookupTable(B64);
const B64URL_TABLE = lookupTable(B64URL);

function decode64(text: string, table: Int16Array, pad: boolean, field: string): Uint8Array {
  if (typeof text !== 'string') fail('bad_encoding', `${field}: expected a string`);
  let end = text.length;
  if (pad) {
    if (text.length % 4 !== 0) fail('bad_encoding', `${field}: base64 length is not a multiple of 4`);
    if (text.endsWith('==')) end -= 2;
    else if (text.endsWith('=')) end -= 1;
  }
  if (end % 4 === 1) fail('bad_encoding', `${field}: impossible base64 length`);
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? table[code]! : -1;
    if (v < 0) fail('bad_encoding', `${field}: invalid base64 character`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  // Canonical form only: the unused low bits of the last character must be zero.
  if ((acc & ((1 << bits) - 1)) !== 0) fail('bad_encoding', `${field}: non-canonical base64`);
  return out;
}

export const toBase64 = (bytes: Uint8Array): string => encode64(bytes, B64, true);
export const fromBase64 = (text: string, field = 'base64'): Uint8Array => decode64(text, B64_TABLE, true, field);
export const toBase64Url = (bytes: Uint8Array): string => encode64(bytes, B64URL, false);
export const fromBase64Url = (text: string, field = 'base64url'): Uint8Array =>
  decode64(text, B64URL_TABLE, false, field);

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + toHex(bytes));
}

/** I2OSP: big-endian, exactly `length` bytes; throws if the integer does not fit. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n) fail('integer_too_large', 'negative integer');
  const hex = value.toString(16);
  if (hex.length > length * 2) fail('integer_too_large', `integer does not fit in ${length} bytes`);
  return fromHex(hex.padStart(length * 2, '0'));
}
