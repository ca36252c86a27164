/**
 * Voting codes: one per voter per meeting, printed on the voter's slip and carried in the
 * QR code's URL fragment. 16 characters from a 32-letter alphabet without look-alikes
 * (no 0/O, 1/I), so 80 bits of entropy, shown in groups of four: `K7QD-M2XP-9HBT-4WEN`.
 * The server stores only SHA-256 of the normalized code.
 */
import { fail } from '../errors.ts';

export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 16;

/** Uniformly random code from `randomBytes` (one byte per character; 256 is a multiple of 32). */
export function generateVotingCode(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(CODE_LENGTH);
  let code = '';
  for (const b of bytes) code += CODE_ALPHABET[b & 31];
  return formatVotingCode(code);
}

export function formatVotingCode(normalized: string): string {
  return normalized.match(/.{1,4}/g)!.join('-');
}

/** Accepts what a person types (lower case, spaces, dashes) and returns the 16 canonical characters. */
export function normalizeVotingCode(input: string): string {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== CODE_LENGTH) fail('bad_code', `a voting code has ${CODE_LENGTH} characters`);
  for (const ch of code)
    if (!CODE_ALPHABET.includes(ch)) fail('bad_code', `"${ch}" never appears in a voting code`);
  return code;
}
