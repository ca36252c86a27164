import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { atLeastMoreThanHalf, BINDING_KINDS, bindingViolations } from '../../shared/tally/binding.ts';
import { createPresetPollBody } from '../../shared/protocol/api.ts';
import { FRACTION_VALUES, POLL_KINDS, ruleSchema, votesNeeded, type RuleInput } from '../../shared/tally/rules.ts';

const COMPARISONS = ['more_than', 'at_least'] as const;
const rule = (input: RuleInput) => ruleSchema.parse(input);

describe('votes needed under the stricter shares', () => {
  it.each([
    // [base, fraction, comparison, needed]
    [30, '4/5', 'at_least', 24],
    [30, '4/5', 'more_than', 25],
    [9, '3/4', 'at_least', 7],
    [9, '3/4', 'more_than', 7],
    [10, '3/5', 'at_least', 6],
    [10, '3/5', 'more_than', 7],
    [0, '4/5', 'at_least', 1],
  ] as const)('%i expected, %s %s → %i', (base, fraction, comparison, needed) => {
    expect(votesNeeded(base, fraction, comparison)).toBe(needed);
  });
});

describe('binding thresholds: stricter only', () => {
  it('"at least half" is the one share looser than "more than half": it passes exactly half of an even base', () => {
    const allowed = FRACTION_VALUES.flatMap((fraction) => COMPARISONS.map((comparison) => ({ fraction, comparison }))).filter(atLeastMoreThanHalf);
    expect(allowed).toHaveLength(FRACTION_VALUES.length * 2 - 1);
    expect(atLeastMoreThanHalf({ fraction: '1/2', comparison: 'at_least' })).toBe(false);
    expect(votesNeeded(10, '1/2', 'at_least')).toBe(5);
    expect(votesNeeded(10, '1/2', 'more_than')).toBe(6);
  });

  it('property: every allowed share needs at least as many votes as "more than half", for every base', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FRACTION_VALUES), fc.constantFrom(...COMPARISONS), fc.integer({ min: 0, max: 100_000 }), (fraction, comparison, base) => {
        const strict = votesNeeded(base, fraction, comparison) >= votesNeeded(base, '1/2', 'more_than');
        // An allowed share is never looser; a refused one is looser for some base (here: any even one).
        if (atLeastMoreThanHalf({ fraction, comparison })) expect(strict).toBe(true);
        else if (base % 2 === 0 && base > 0) expect(strict).toBe(false);
      }),
    );
  });

  it.each([
    ['the base of those present', { pass: { base: 'present' } }, 'pass'],
    ['the base of ballots returned', { pass: { base: 'ballots', fraction: '2/3' } }, 'pass'],
    ['"at least half" to pass', { pass: { comparison: 'at_least' } }, 'pass'],
    ['"at least half" present to meet', { quorum: { comparison: 'at_least' } }, 'quorum'],
  ] as const)('refuses %s in acceptance and conversion, citing the Working Rules', (_name, settings, setting) => {
    for (const kind of BINDING_KINDS) {
      const violations = bindingViolations(rule({ kind, ...settings } as RuleInput));
      expect(violations.map((v) => v.setting)).toEqual([setting]);
      expect(violations[0]!.zh).toContain('《中国共产党发展党员工作细则》');
      expect(violations[0]!.en).toContain('Working Rules');
    }
  });

  it('accepts the defaults and stricter rules: attendance 4/5, pass 2/3, more than 3/5', () => {
    for (const kind of BINDING_KINDS) {
      expect(bindingViolations(rule({ kind } as RuleInput))).toEqual([]);
      const strict = rule({ kind, quorum: { fraction: '4/5', comparison: 'at_least' }, pass: { fraction: '2/3', comparison: 'at_least' } } as RuleInput);
      expect(bindingViolations(strict)).toEqual([]);
      expect(bindingViolations(rule({ kind, pass: { fraction: '3/5' } } as RuleInput))).toEqual([]);
    }
  });

  it('leaves the other kinds free: a league branch may pass on two thirds of those present', () => {
    const free = POLL_KINDS.filter((k) => !BINDING_KINDS.includes(k));
    expect(free).toContain('league_recommendation');
    expect(bindingViolations(rule({ kind: 'league_recommendation', pass: { base: 'present', fraction: '2/3', comparison: 'at_least' } }))).toEqual([]);
  });

  it('the API body refuses a loosened acceptance rule under settings.pass, and takes a stricter one', () => {
    const body = (settings: Record<string, unknown>) => ({ title: '接收预备党员', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '张三' }], settings });
    const loose = createPresetPollBody.safeParse(body({ pass: { base: 'present' } }));
    expect(loose.success).toBe(false);
    expect(loose.error!.issues).toEqual([expect.objectContaining({ path: ['settings', 'pass'], message: expect.stringContaining('应到会有表决权的正式党员') })]);
    expect(createPresetPollBody.safeParse(body({ quorum: { fraction: '4/5', comparison: 'at_least' } })).success).toBe(true);
  });
});
