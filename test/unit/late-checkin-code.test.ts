/**
 * The confirmation code of a late check-in (shared/protocol/late-checkin-code.ts): what the
 * waiting phone shows and the scrutineer's approval must carry. The server and the phone derive
 * it alike from the check-in id; another check-in id gives another code.
 */
import { describe, expect, it } from 'vitest';
import { groupLateCheckInCode, LATE_CHECKIN_CODE_PATTERN, lateCheckInCode } from '../../shared/protocol/late-checkin-code.ts';

describe('late check-in confirmation code', () => {
  it('is the first six bytes of SHA-256("late-checkin-code|" + id), each mod 32 into the voting-code alphabet', () => {
    // SHA-256("late-checkin-code|abcdefghijklmnopqrstuvwxyz") = a2b553252b17… (sha256sum):
    // a2 & 31 = 2 → '4', b5 & 31 = 21 → 'P', 53 & 31 = 19 → 'M', 25 & 31 = 5 → '7', 2b & 31 = 11 → 'D', 17 & 31 = 23 → 'R'.
    expect(lateCheckInCode('abcdefghijklmnopqrstuvwxyz')).toBe('4PM7DR');
    expect(groupLateCheckInCode('4PM7DR')).toBe('4PM 7DR');
    expect('4PM7DR').toMatch(LATE_CHECKIN_CODE_PATTERN);
    expect('4pm7dr').not.toMatch(LATE_CHECKIN_CODE_PATTERN);
  });

  it('differs for another check-in id of the same voter (a replacing device)', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `${'a'.repeat(23)}${String(i).padStart(3, '0')}`);
    const codes = new Set(ids.map(lateCheckInCode));
    expect(codes.size).toBe(ids.length);
  });
});
