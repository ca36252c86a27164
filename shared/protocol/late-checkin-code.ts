/**
 * The confirmation code of a late check-in (docs/protocol.md §5): six characters derived from the
 * check-in id. The server draws that id at random for every check-in and only the device that
 * checked in receives it. The waiting phone shows the code; the scrutineer's page lists it beside
 * the voter's name and number; the approval carries the code the scrutineer compared, and the
 * server signs only while it is still the current check-in's. Someone who checks in again with the
 * same voting code (the organizer holds every printed slip) replaces the check-in under a new id,
 * so a new code: the scrutineer's approval of the voter they see cannot be redirected to that
 * device unnoticed.
 *
 * The id is drawn by the server, not by the device, so nobody can search offline for a check-in
 * with a given code; doing it online means checking in again, and every such replacement is
 * audit-logged and turns the real voter's phone to "replaced".
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../encoding.ts';

/** The voting code's alphabet (no 0/O, 1/I): easy to compare by eye. 256 is a multiple of 32, so each character is uniform. */
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const LATE_CHECKIN_CODE_LENGTH = 6;
export const LATE_CHECKIN_CODE_PATTERN = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$/;

/** Six characters (30 bits) from SHA-256("late-checkin-code|" + checkinId). */
export function lateCheckInCode(checkinId: string): string {
  const digest = sha256(utf8(`late-checkin-code|${checkinId}`));
  let code = '';
  for (let i = 0; i < LATE_CHECKIN_CODE_LENGTH; i++) code += ALPHABET[digest[i]! & 31];
  return code;
}

/** As people compare it: two groups of three ("K7P 3QX"). */
export const groupLateCheckInCode = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;
