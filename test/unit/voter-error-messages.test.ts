/**
 * Every error code the voter can meet gets its own sentence (client/src/i18n/errors.ts), in
 * Chinese and in English. The codes are read from the source of what the voter page runs and
 * the server code behind the voter's routes, so a new `fail('code', …)` there without a sentence
 * makes this test fail.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/protocol/api-client.ts';
import { AppError } from '../../shared/errors.ts';
import { errorMessageKey, MESSAGE_OF_CODE } from '../../client/src/i18n/errors.ts';
import { en } from '../../client/src/i18n/en.ts';
import { zh } from '../../client/src/i18n/zh.ts';

/** What the voter page runs (voter-flow.ts and what it calls) and what answers its requests. */
const SOURCES = [
  'shared/protocol/voter-flow.ts',
  'shared/protocol/voting-code.ts',
  'shared/protocol/answer.ts',
  'shared/crypto/blind-rsa.ts',
  'shared/crypto/token.ts',
  'shared/crypto/receipt.ts',
  'shared/crypto/key-set.ts',
  'shared/encoding.ts',
  'shared/protocol/api-client.ts',
  'server/services/checkin.ts',
  'server/services/voting.ts',
  'server/routes/voting.ts',
  'server/routes/public.ts',
  'server/validate.ts',
  'server/http-errors.ts',
  'server/app.ts',
];

/** Codes that only organizer or scrutineer routes throw, and so never reach the voter page. */
const NOT_THE_VOTERS = new Set(['head_count', 'forbidden', 'unauthenticated', 'bad_credentials', 'conflict', 'cosignature', 'cosigner_unknown', 'candidate_number']);

function thrownCodes(): string[] {
  const codes = new Set<string>();
  for (const file of SOURCES) {
    const text = readFileSync(resolve(file), 'utf8');
    for (const match of text.matchAll(/(?:fail|new AppError|new ApiError|errorResponse\(c,)\s*\(?\s*'([a-z_]+)'/g)) codes.add(match[1]!);
    // The server's table of statuses names every code it answers with.
    if (file === 'server/http-errors.ts') for (const match of text.matchAll(/^\s+([a-z_]+): \d{3},$/gm)) codes.add(match[1]!);
  }
  return [...codes].filter((code) => !NOT_THE_VOTERS.has(code)).sort();
}

describe('error messages on the voter page', () => {
  it('reads a real list of codes from the sources (the v2 ones included)', () => {
    const codes = thrownCodes();
    for (const code of ['room_code', 'room_code_locked', 'key_mismatch', 'already_issued', 'wrong_phase', 'over_issued', 'token_spent', 'receipt_mismatch', 'receipt_signature', 'network', 'internal'])
      expect(codes).toContain(code);
  });

  it('maps every code the voter can meet to a sentence of its own, never the catch-all', () => {
    const missing = thrownCodes().filter((code) => code !== 'wrong_phase' && !(code in MESSAGE_OF_CODE));
    expect(missing).toEqual([]);
    for (const code of thrownCodes()) expect(errorMessageKey(new ApiError(code, 'x', 400), 'cast')).not.toBe('error.generic');
  });

  it('tells check-in, cast and self-evaluation apart for wrong_phase', () => {
    const wrongPhase = new AppError('wrong_phase', 'x');
    expect(zh[errorMessageKey(wrongPhase, 'checkin')]).toContain('不能签到');
    expect(zh[errorMessageKey(wrongPhase, 'cast')]).toContain('投票已经结束');
    expect(zh[errorMessageKey(wrongPhase, 'self')]).toContain('自我评价');
  });

  it('says what to do, in Chinese with no English code showing through, and in English', () => {
    const keys = new Set([...Object.values(MESSAGE_OF_CODE), 'error.wrong_phase_checkin', 'error.wrong_phase_cast', 'error.wrong_phase_self'] as const);
    for (const key of keys) {
      expect(zh[key]).toMatch(/[请重再告诉询问返回检查查看用刷新]/); // an instruction
      expect(zh[key]).not.toMatch(/[a-z]{3,}_[a-z]/i); // no code such as room_code
      expect(en[key].length).toBeGreaterThan(20);
    }
    expect(zh['error.room_code']).toContain('投影屏幕上的 6 位数字');
    expect(zh['error.room_code_locked']).toContain('新的会场码');
    expect(zh['error.receipt_signature']).toContain('截屏');
  });
});
