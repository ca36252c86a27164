/**
 * The pieces of the fair limits (server/limits.ts, server/config.ts): which key an address is
 * counted under, a counter's window and its bounded memory, the words of a wait, and the
 * settings read from the environment (every variable README's table names, bad values refused).
 */
import { describe, expect, it } from 'vitest';
import { LIMIT_VARIABLES, readConfig } from '../../server/config.ts';
import { addressKeys, Counter, DEFAULT_LIMITS, privateKey, RateLimited } from '../../server/limits.ts';
import { refusalMessages, refusalReason, waitWords } from '../../shared/wait-words.ts';
import { hashVotingCode } from '../../server/services/checkin.ts';
import { readFileSync } from 'node:fs';

describe('addressKeys', () => {
  it('counts IPv4 per address and /24, IPv6 per /64 and /56, an IPv4-mapped address as its IPv4', () => {
    expect(addressKeys('192.0.2.77')).toEqual({ address: '192.0.2.77', network: '192.0.2.0/24' });
    expect(addressKeys('::ffff:192.0.2.77')).toEqual({ address: '192.0.2.77', network: '192.0.2.0/24' });
    const a = addressKeys('2001:db8:0:1::1');
    expect(a).toEqual({ address: '2001:db8:0:1::/64', network: '2001:db8:0:0::/56' });
    // Every spelling and every interface id of one /64 is one key; the next /64 is another, in the same /56.
    expect(addressKeys('2001:0DB8:0000:0001:ffff:ffff:ffff:ffff')).toEqual(a);
    expect(addressKeys('fe80::1%eth0').address).toBe('fe80:0:0:0::/64');
    expect(addressKeys('2001:db8:0:2::1')).toEqual({ address: '2001:db8:0:2::/64', network: a.network });
    expect(addressKeys('2001:db8:0:ff::1').network).toBe(a.network);
    expect(addressKeys('2001:db8:0:100::1').network).toBe('2001:db8:0:100::/56');
  });

  it('leaves out a port or brackets a proxy wrote', () => {
    expect(addressKeys('192.0.2.77:51234')).toEqual(addressKeys('192.0.2.77'));
    expect(addressKeys('[2001:db8:0:1::1]:443')).toEqual(addressKeys('2001:db8:0:1::1'));
    expect(addressKeys('[2001:db8:0:1::1]')).toEqual(addressKeys('2001:db8:0:1::1'));
  });

  it('puts anything unparsable under one shared key, never a way around the limits', () => {
    for (const junk of ['unknown', '', 'not-an-address', '999.1.1.1', '1.2.3.4, 5.6.7.8']) expect(addressKeys(junk)).toEqual({ address: 'unparsed', network: 'unparsed' });
  });
});

describe('Counter', () => {
  it('refuses once the count is reached, says how long to wait, and forgets the key when its window ends', () => {
    const counter = new Counter({ count: 2, windowMs: 60_000 });
    const what = { en: 'too many', zh: '太多' };
    counter.take('a', 0, what);
    counter.take('a', 10_000, what);
    expect(counter.wait('a', 20_000)).toBe(40_000);
    const refused = (() => {
      try {
        counter.take('a', 20_000, what);
      } catch (error) {
        return error;
      }
    })() as RateLimited;
    expect(refused).toBeInstanceOf(RateLimited);
    expect([refused.code, refused.retryAfterSeconds, refused.message, refused.messageZh]).toEqual(['rate_limited', 40, 'too many; try again in 40 seconds', '太多，请在 40 秒后再试。']);
    counter.take('b', 20_000, what);
    expect(counter.size).toBe(2);
    expect(counter.wait('a', 60_000)).toBe(0); // the window ended: forgotten
    expect(counter.size).toBe(1);
    counter.take('a', 60_000, what);
  });

  it('check and add apart: only failures count, a lower or higher count can be asked for, a hit counted ahead can be given back', () => {
    const counter = new Counter({ count: 1, windowMs: 1000 });
    counter.add('x', 0);
    expect(counter.wait('x', 1)).toBe(999);
    expect(counter.wait('x', 1, 5)).toBe(0);
    counter.clear('x');
    expect(counter.wait('x', 1)).toBe(0);
    counter.add('y', 0);
    counter.add('y', 0);
    expect(counter.wait('y', 1, 2)).toBe(999);
    counter.refund('y');
    expect(counter.wait('y', 1, 2)).toBe(0);
    counter.refund('y');
    expect(counter.size).toBe(0);
  });

  it("keys that name a person are HMACs under a secret of this process: stable within it, nothing like the roster's hash", () => {
    const code = 'K7QDM2XP9HBT4WEN';
    expect(privateKey('code', code, 'net')).toBe(privateKey('code', code, 'net'));
    expect(privateKey('code', code, 'net')).not.toBe(privateKey('code', code, 'other net'));
    expect(privateKey('code', code, 'net')).not.toContain(hashVotingCode(code));
    expect(privateKey('code', code, 'net')).not.toContain(code);
  });

  it('keeps its memory bounded under a flood of distinct keys', () => {
    const counter = new Counter({ count: 1, windowMs: 3_600_000 });
    for (let i = 0; i < 150_000; i++) counter.add(`key ${i}`, i);
    expect(counter.size).toBeLessThanOrEqual(100_000);
    // The newest keys are the ones kept.
    expect(counter.wait('key 149999', 150_000)).toBeGreaterThan(0);
    expect(counter.wait('key 0', 150_000)).toBe(0);
  });
});

describe('waitWords', () => {
  it('names the wait in seconds, minutes or hours, rounded up', () => {
    expect(waitWords(1)).toEqual({ en: 'in 1 second', zh: '1 秒后' });
    expect(waitWords(59)).toEqual({ en: 'in 59 seconds', zh: '59 秒后' });
    expect(waitWords(59.2)).toEqual({ en: 'in 1 minute', zh: '1 分钟后' });
    expect(waitWords(61)).toEqual({ en: 'in 2 minutes', zh: '2 分钟后' });
    expect(waitWords(900)).toEqual({ en: 'in 15 minutes', zh: '15 分钟后' });
    expect(waitWords(14 * 3600)).toEqual({ en: 'in 14 hours', zh: '14 小时后' });
  });
});

describe('a refusal message', () => {
  it('is put together and taken apart in one place: the reason comes back whole in either language', () => {
    const reason = { en: 'this account has 5 live pages open already (close one)', zh: '这个账号已打开 5 个实时页面（可先关闭一个）' };
    for (const seconds of [1, 30, 900, 14 * 3600]) {
      const messages = refusalMessages(reason, seconds);
      expect(messages.zh).toMatch(/请在 .*再试。$/);
      expect([refusalReason(messages.en), refusalReason(messages.zh)]).toEqual([reason.en, reason.zh]);
    }
    expect(refusalReason('a message from elsewhere')).toBe('a message from elsewhere');
    expect(refusalReason(undefined)).toBeUndefined();
  });
});

describe('limit settings from the environment', () => {
  it('uses the defaults with nothing set, and reads every variable', () => {
    expect(readConfig({}).limits).toEqual(DEFAULT_LIMITS);
    const env = Object.fromEntries(Object.keys(LIMIT_VARIABLES).map((name, i) => [name, String(i + 100)]));
    const limits = readConfig(env).limits;
    expect(limits.trustProxy).toBe(100);
    expect(limits.signInFailures).toEqual({ count: 101, windowMs: DEFAULT_LIMITS.signInFailures.windowMs });
    expect(limits.liveStreamsPerAccount).toBe(115);
    expect(limits.liveIdleMs).toBe(116 * 60_000);
    // Every setting can be changed: none is left at its default.
    for (const key of Object.keys(DEFAULT_LIMITS) as (keyof typeof DEFAULT_LIMITS)[]) expect(limits[key], key).not.toEqual(DEFAULT_LIMITS[key]);
  });

  it('refuses what is not a whole number, or 0 where 0 would refuse everyone', () => {
    const bad: [string, string][] = [['LIMIT_SIGNIN_FAILURES', '0'], ['LIMIT_LIVE_STREAMS', 'many'], ['LIVE_IDLE_MINUTES', '1.5'], ['TRUST_PROXY', '-1'], ['LIMIT_REQUESTS_PER_CODE', '1e3']];
    for (const [name, value] of bad)
      expect(() => readConfig({ [name]: value }), `${name}=${value}`).toThrow(new RegExp(`^${name} must be a whole number`));
    expect(readConfig({ TRUST_PROXY: '0' }).limits.trustProxy).toBe(0);
  });

  it("README's settings table names every variable", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const name of Object.keys(LIMIT_VARIABLES)) expect(readme, name).toContain(`| \`${name}\` |`);
  });
});
