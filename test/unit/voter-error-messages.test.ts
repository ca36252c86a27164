/**
 * Every error code the voter can meet gets its own sentence (client/src/i18n/errors.ts), in
 * Chinese and in English. The codes are read from the source of what the voter page runs and
 * the server code behind the voter's routes, so a new `fail('code', …)` there without a sentence
 * makes this test fail. A limit's refusal says when to try again, in the page's language and in
 * the server's own words for the wait, checked against a real server's 429.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../shared/protocol/api-client.ts';
import { AppError } from '../../shared/errors.ts';
import { waitWords as serverWaitWords } from '../../shared/wait-words.ts';
import { errorMessageKey, MESSAGE_OF_CODE, voterError, voterErrorText } from '../../client/src/i18n/errors.ts';
import { en } from '../../client/src/i18n/en.ts';
import { locale, setLocale } from '../../client/src/i18n/index.ts';
import { waitWords } from '../../client/src/i18n/wait.ts';
import { zh } from '../../client/src/i18n/zh.ts';
import { createMeeting, voterApi } from '../helpers/meeting.ts';
import { startTestApp, type TestServer } from '../helpers/test-server.ts';

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
const NOT_THE_VOTERS = new Set(['head_count', 'no_quorum', 'forbidden', 'unauthenticated', 'bad_credentials', 'conflict', 'cosignature', 'cosigner_unknown', 'candidate_number']);

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
    const keys = new Set([...Object.values(MESSAGE_OF_CODE), 'error.wrong_phase_checkin', 'error.wrong_phase_cast', 'error.wrong_phase_self', 'error.rate_limited_wait'] as const);
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

describe('a limit’s refusal on the voter page', () => {
  let t: TestServer;
  beforeAll(() => {
    // Two requests per code in ten minutes: the third look-up is refused.
    t = startTestApp({ limits: { requestsPerCode: { count: 2, windowMs: 10 * 60_000 } } });
  });
  afterAll(() => t.close());

  it('says the wait in the server’s own words: seconds, minutes up to two hours, then hours', () => {
    for (const seconds of [0.2, 1, 2, 59, 60, 61, 899, 900, 3600, 7200, 7201, 10_800, 86_399]) {
      const server = serverWaitWords(seconds);
      expect([waitWords(seconds, 'zh'), waitWords(seconds, 'en')], String(seconds)).toEqual([server.zh, server.en]);
    }
    expect(waitWords(900, 'zh')).toBe('15 分钟后');
    expect(waitWords(1, 'en')).toBe('in 1 second');
    expect(waitWords(20_000, 'zh')).toBe('6 小时后');
  });

  it('a code looked up too often: the real 429 reads “请在 10 分钟后再试” in Chinese, with no English in it, and in English on request', async () => {
    const { slips } = await createMeeting(t, { voters: 1, open: 'checkin' });
    const api = voterApi(t);
    const code = slips[0]!.code;
    await api.lookup(code);
    await api.lookup(code);
    const refusal = await api.lookup(code).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).code).toBe('rate_limited');
    expect((refusal as ApiError).retryAfterSeconds).toBeGreaterThan(9 * 60);
    const shown = voterError(refusal, 'checkin');
    expect(shown.key).toBe('error.rate_limited_wait');
    expect(voterErrorText(shown)).toBe('尝试次数太多，请在 10 分钟后再试。');
    expect(voterErrorText(shown)).not.toMatch(/[a-z]{2,}/i);
    setLocale('en');
    await vi.waitFor(() => expect(locale()).toBe('en'));
    expect(voterErrorText(shown)).toBe('Too many attempts. Try again in 10 minutes.');
    setLocale('zh');
    // An old server's 429 without the seconds: still a sentence, without a wait it cannot know.
    expect(voterErrorText(voterError(new ApiError('rate_limited', 'too many', 429), 'checkin'))).toBe(zh['error.rate_limited']);
  });
});
