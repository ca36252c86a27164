import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tallyThreeEvaluations, threeEvaluationsRuleSchema, type ScoreSheet, type SelfEvaluation, type ThreeEvaluationsRule } from '../../shared/tally/three-evaluations.ts';

const CRITERIA = ['political', 'daily_conduct', 'key_moments', 'study', 'social_practice'];
const rule = (settings: Record<string, unknown> = {}) => threeEvaluationsRuleSchema.parse({ kind: 'three_evaluations', ...settings });
/** A sheet giving `candidate` the same score on every criterion. */
const flat = (group: ScoreSheet['group'], candidate: string, score: number): ScoreSheet => ({
  group,
  scores: { [candidate]: Object.fromEntries(CRITERIA.map((c) => [c, score])) },
});
const selfFlat = (candidate: string, score: number): SelfEvaluation => ({ candidate, scores: Object.fromEntries(CRITERIA.map((c) => [c, score])) });
const one = [{ id: 'a', name: '张三' }];
const roster = { representatives: 5, members: 6 };

describe('three evaluations, hand-computed', () => {
  it('weights 30 / 40 / 30: 0.3 × 90 + 0.4 × 80 + 0.3 × 100 = 27 + 32 + 30 = 89 → 良好', () => {
    const sheets = [...Array(3).fill(flat('representatives', 'a', 90)), ...Array(4).fill(flat('members', 'a', 80))];
    const [a] = tallyThreeEvaluations({ rule: rule(), candidates: one, sheets, selfEvaluations: [selfFlat('a', 100)], roster });
    expect(a).toMatchObject({ composite: 89, band: 'good', rank: 1, valid: true, withheld: [] });
    expect(a!.groups).toMatchObject({ representatives: { raters: 3, average: 90 }, members: { raters: 4, average: 80 }, self: { raters: 1, average: 100 } });
    expect(a!.explanation.zh).toBe('张三：综合得分 89.00（师生代表 30%：90.00，所在单位成员 40%：80.00，自评 30%：100.00），等级 良好，排名第 1');
  });

  it('under the floor (2 members < k = 3) the members’ average is withheld and the rest reweighted: (30 × 90 + 30 × 100) / 60 = 95 → 优秀', () => {
    const sheets = [...Array(3).fill(flat('representatives', 'a', 90)), ...Array(2).fill(flat('members', 'a', 10))];
    const [a] = tallyThreeEvaluations({ rule: rule({ participation: null }), candidates: one, sheets, selfEvaluations: [selfFlat('a', 100)], roster });
    expect(a).toMatchObject({ composite: 95, band: 'excellent', withheld: ['members'] });
    expect(a!.groups.members).toEqual({ raters: 2, average: null, criteria: Object.fromEntries(CRITERIA.map((c) => [c, null])) });
    expect(a!.explanation.zh).toMatch(/所在单位成员评价人数 2 人，少于 3 人，平均分不公布，综合得分按其余各组权重重新折算/);
    expect(a!.explanation.zh).toMatch(/师生代表 50%：90.00，自评 50%：100.00/);
  });

  it('bands at their exact edges: 1350 / 15 = 90 is 优秀, 1349 / 15 = 89.93 is 良好, 75 is 良好, 60 is 合格, 59.93 is 不合格', () => {
    const only = rule({ weights: { representatives: 100, members: 0, self: 0 }, participation: null });
    const bandOf = (total: number) => {
      // Three raters, five criteria: spread `total` over 15 scores.
      const scores = Array.from({ length: 15 }, (_, i) => Math.floor(total / 15) + (i < total % 15 ? 1 : 0));
      const sheets: ScoreSheet[] = [0, 1, 2].map((r) => ({ group: 'representatives', scores: { a: Object.fromEntries(CRITERIA.map((c, i) => [c, scores[r * 5 + i]!])) } }));
      const [a] = tallyThreeEvaluations({ rule: only, candidates: one, sheets, selfEvaluations: [], roster });
      return [a!.composite, a!.band];
    };
    expect(bandOf(1350)).toEqual([90, 'excellent']);
    expect(bandOf(1349)).toEqual([89.93, 'good']);
    expect(bandOf(1125)).toEqual([75, 'good']);
    expect(bandOf(900)).toEqual([60, 'pass']);
    expect(bandOf(899)).toEqual([59.93, 'fail']);
  });

  it('criterion averages are rounded half up: (80 + 81 + 81) / 3 = 80.67', () => {
    const sheets: ScoreSheet[] = [80, 81, 81].map((s) => ({ group: 'representatives', scores: { a: { ...Object.fromEntries(CRITERIA.map((c) => [c, 70])), political: s } } }));
    const [a] = tallyThreeEvaluations({ rule: rule({ participation: null }), candidates: one, sheets, selfEvaluations: [], roster });
    expect(a!.groups.representatives.criteria.political).toBe(80.67);
    expect(a!.groups.representatives.average).toBe(72.13); // (242 + 4 × 210) / 15 = 1082 / 15 = 72.133…
  });

  it('ties in rank share the place: 1, 1, 3', () => {
    const candidates = [
      { id: 'a', name: 'A' },
      { id: 'b', name: 'B' },
      { id: 'c', name: 'C' },
    ];
    const sheets = [flat('representatives', 'a', 80), flat('representatives', 'b', 80), flat('representatives', 'c', 70)].flatMap((s) => [s, s, s]);
    const result = tallyThreeEvaluations({ rule: rule({ weights: { representatives: 100, members: 0, self: 0 }, participation: null }), candidates, sheets, selfEvaluations: [], roster });
    expect(result.map((r) => r.rank)).toEqual([1, 1, 3]);
  });

  it('participation: 6 members on the roster, less the candidate = 5; two thirds at least = 4 needed; 3 raters → invalid, no rank', () => {
    const sheets = [...Array(3).fill(flat('representatives', 'a', 90)), ...Array(3).fill(flat('members', 'a', 90))];
    const [a] = tallyThreeEvaluations({ rule: rule(), candidates: one, sheets, selfEvaluations: [], roster });
    expect(a).toMatchObject({ valid: false, rank: null, composite: 90 });
    expect(a!.explanation.zh).toMatch(/所在单位成员参评 3 人，未达到应参评 5 人的三分之二（需 4 人），结果无效/);
  });

  it('rejects weights that do not sum to 100 and bands out of order', () => {
    expect(() => rule({ weights: { representatives: 30, members: 30, self: 30 } })).toThrow(/sum to 100/);
    expect(() => rule({ bands: [{ id: 'x', label: 'X', min: 50 }, { id: 'y', label: 'Y', min: 60 }] })).toThrow(/best first/);
  });
});

describe('three evaluations, properties', () => {
  const candidates = [
    { id: 'a', name: 'A' },
    { id: 'b', name: 'B' },
  ];
  const sheetArb = fc.record({
    group: fc.constantFrom<'representatives' | 'members'>('representatives', 'members'),
    scores: fc.record({ a: fc.record(Object.fromEntries(CRITERIA.map((c) => [c, fc.integer({ min: 0, max: 100 })]))) }, { requiredKeys: [] }),
  }) as fc.Arbitrary<ScoreSheet>;
  const selfArb = fc.array(fc.record({ candidate: fc.constantFrom('a', 'b'), scores: fc.record(Object.fromEntries(CRITERIA.map((c) => [c, fc.integer({ min: 0, max: 100 })]))) }), { maxLength: 2 }) as fc.Arbitrary<SelfEvaluation[]>;

  it('results do not depend on the order of the sheets', () => {
    fc.assert(
      fc.property(fc.array(sheetArb, { maxLength: 20 }), selfArb, (sheets, selves) => {
        const r = rule();
        expect(tallyThreeEvaluations({ rule: r, candidates, sheets: [...sheets].reverse(), selfEvaluations: selves, roster })).toEqual(
          tallyThreeEvaluations({ rule: r, candidates, sheets, selfEvaluations: selves, roster }),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('scaling all weights by a constant changes nothing', () => {
    fc.assert(
      fc.property(fc.array(sheetArb, { maxLength: 20 }), selfArb, fc.integer({ min: 2, max: 7 }), (sheets, selves, k) => {
        const base = rule({ weights: { representatives: 20, members: 50, self: 30 } });
        const scaled: ThreeEvaluationsRule = { ...base, weights: { representatives: 20 * k, members: 50 * k, self: 30 * k } };
        expect(tallyThreeEvaluations({ rule: scaled, candidates, sheets, selfEvaluations: selves, roster })).toEqual(
          tallyThreeEvaluations({ rule: base, candidates, sheets, selfEvaluations: selves, roster }),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('a withheld group never influences what is shown', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 2 }),
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 2 }),
        (scoresA, scoresB) => {
          // The members' group has one or two raters (under k = 3); only their scores differ.
          const reps = Array(3).fill(flat('representatives', 'a', 77));
          const run = (scores: number[]) =>
            tallyThreeEvaluations({ rule: rule({ participation: null }), candidates: one, sheets: [...reps, ...scores.map((s) => flat('members', 'a', s))], selfEvaluations: [selfFlat('a', 88)], roster });
          const [x] = run(scoresA);
          const [y] = run(scoresB);
          const shown = (r: typeof x) => ({ ...r!, groups: { ...r!.groups, members: { ...r!.groups.members, raters: 0 } }, explanation: null });
          if (scoresA.length === scoresB.length) expect(x).toEqual(y);
          else expect(shown(x)).toEqual(shown(y));
        },
      ),
      { numRuns: 100 },
    );
  });
});
