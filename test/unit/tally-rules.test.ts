import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ruleSchema, votesNeeded, type RuleInput } from '../../shared/tally/rules.ts';
import { tallyPoll } from '../../shared/tally/tally-poll.ts';
import type { Choices, Question } from '../../shared/protocol/poll.ts';
import type { WrittenOpinion } from '../../shared/tally/result.ts';

const agreeQ = (id: string, title = id): Question => ({ id, type: 'single', title, options: ['agree', 'disagree', 'abstain'] });
const conversionQ = (id: string): Question => ({ id, type: 'single', title: id, options: ['convert', 'extend', 'cancel', 'abstain'] });

/** n ballots choosing `choice` for question `q`. */
const many = (n: number, q: string, choice: string | string[]): Choices[] => Array.from({ length: n }, () => ({ [q]: choice }));

function tally(rule: RuleInput, questions: Question[], ballots: Choices[], electorate: { expected: number; present: number; excluded?: number }, writtenOpinions: WrittenOpinion[] = []) {
  return tallyPoll({ rule: ruleSchema.parse(rule), questions, ballots, writtenOpinions, electorate: { excluded: 0, ...electorate } });
}

describe('votes needed: "more than half" as integers', () => {
  it.each([
    [9, 5],
    [10, 6],
    [30, 16],
    [1, 1],
    [2, 2],
    [0, 1],
  ])('%i expected → %i needed', (expected, needed) => {
    expect(votesNeeded(expected, '1/2', 'more_than')).toBe(needed);
  });
  it('two thirds: more than 2/3 of 30 is 21, at least 2/3 of 30 is 20, at least 2/3 of 10 is 7', () => {
    expect(votesNeeded(30, '2/3', 'more_than')).toBe(21);
    expect(votesNeeded(30, '2/3', 'at_least')).toBe(20);
    expect(votesNeeded(10, '2/3', 'at_least')).toBe(7);
  });
});

describe('member_acceptance: the edge-case table', () => {
  const rule = { kind: 'member_acceptance' } as const;
  const cases: { name: string; expected: number; present: number; agree: number; other: number; written?: WrittenOpinion[]; verdict: string; threshold: number }[] = [
    { name: '9 expected, 5 agree passes', expected: 9, present: 9, agree: 5, other: 4, verdict: 'passed', threshold: 5 },
    { name: '9 expected, 4 agree fails', expected: 9, present: 9, agree: 4, other: 5, verdict: 'failed', threshold: 5 },
    { name: '10 expected, 6 agree passes', expected: 10, present: 10, agree: 6, other: 4, verdict: 'passed', threshold: 6 },
    { name: 'exactly half (5 of 10) is not enough', expected: 10, present: 10, agree: 5, other: 5, verdict: 'failed', threshold: 6 },
    { name: 'all present agreeing is not enough when they are not more than half of expected', expected: 10, present: 6, agree: 5, other: 1, verdict: 'failed', threshold: 6 },
    { name: 'quorum failing by one: 5 of 10 present', expected: 10, present: 5, agree: 5, other: 0, verdict: 'no_quorum', threshold: 6 },
    { name: 'quorum met by one: 6 of 10 present, all agree', expected: 10, present: 6, agree: 6, other: 0, verdict: 'passed', threshold: 6 },
    {
      name: 'written opinions tip the verdict: 5 ballots + 1 written of 10',
      expected: 10,
      present: 8,
      agree: 5,
      other: 3,
      written: [{ questionId: 'c1', choice: 'agree' }],
      verdict: 'passed',
      threshold: 6,
    },
  ];
  it.each(cases)('$name', ({ expected, present, agree, other, written, verdict, threshold }) => {
    const ballots = [...many(agree, 'c1', 'agree'), ...many(other, 'c1', 'disagree')];
    const result = tally(rule, [agreeQ('c1', '张三')], ballots, { expected, present }, written);
    expect(result.questions[0]).toMatchObject({ verdict, threshold });
  });

  it('explains a pass in the words of the rules, in Chinese and English', () => {
    const ballots = [...many(16, 'c1', 'agree'), ...many(10, 'c1', 'disagree')];
    const result = tally(rule, [agreeQ('c1', '张三')], ballots, { expected: 30, present: 26 });
    expect(result.questions[0]!.explanation).toEqual({
      zh: '张三：通过：同意 16 票，超过应到会有表决权正式党员 30 人的半数（需 16 票）',
      en: '张三: Passed: 16 in favour, more than half of the 30 expected voting members (16 needed).',
    });
  });

  it('says "no quorum" plainly and passes no candidate', () => {
    const result = tally(rule, [agreeQ('c1'), agreeQ('c2')], many(5, 'c1', 'agree').map((b) => ({ ...b, c2: 'agree' })), { expected: 10, present: 5 });
    expect(result.quorum).toMatchObject({ met: false, needed: 6 });
    expect(result.quorum!.explanation.zh).toMatch(/^不足法定人数/);
    expect(result.questions.map((q) => q.verdict)).toEqual(['no_quorum', 'no_quorum']);
  });

  it('exclusions change the denominator: 11 on the roster, 1 excluded → 10 expected, 6 needed', () => {
    const ballots = many(6, 'c1', 'agree');
    expect(tally(rule, [agreeQ('c1')], ballots, { expected: 10, present: 9, excluded: 1 }).questions[0]).toMatchObject({ verdict: 'passed', threshold: 6 });
    // Without the exclusion, 11 expected need 6 as well, but 12 expected need 7.
    expect(tally(rule, [agreeQ('c1')], ballots, { expected: 12, present: 9 }).questions[0]).toMatchObject({ verdict: 'failed', threshold: 7 });
  });

  it('a base of present or of ballots, and two thirds, are settings', () => {
    const ballots = [...many(5, 'c1', 'agree'), ...many(2, 'c1', 'abstain')];
    const present = tally({ kind: 'member_acceptance', pass: { base: 'present', fraction: '2/3', comparison: 'at_least' } }, [agreeQ('c1')], ballots, { expected: 10, present: 7 });
    expect(present.questions[0]).toMatchObject({ verdict: 'passed', threshold: 5, thresholdBase: { base: 'present', value: 7 } });
    const cast = tally({ kind: 'member_acceptance', pass: { base: 'ballots', fraction: '1/2', comparison: 'more_than' } }, [agreeQ('c1')], ballots, { expected: 10, present: 7 });
    expect(cast.questions[0]).toMatchObject({ verdict: 'passed', threshold: 4, thresholdBase: { base: 'ballots', value: 7 } });
  });
});

describe('member_conversion', () => {
  const rule: RuleInput = { kind: 'member_conversion', extendedBefore: ['c2'] };
  it('the outcome is the choice that reaches the threshold, or no decision', () => {
    const ballots = [
      ...many(6, 'c1', 'convert').map((b) => ({ ...b, c2: 'convert' })),
      ...many(4, 'c1', 'extend').map((b) => ({ ...b, c2: 'cancel' })),
    ];
    const result = tally(rule, [conversionQ('c1'), conversionQ('c2')], ballots, { expected: 11, present: 10 });
    expect(result.questions[0]).toMatchObject({ verdict: 'convert', threshold: 6 });
    expect(result.questions[1]).toMatchObject({ verdict: 'convert' });
    const split = tally(rule, [conversionQ('c1')], [...many(5, 'c1', 'convert'), ...many(5, 'c1', 'extend')], { expected: 10, present: 10 });
    expect(split.questions[0]).toMatchObject({ verdict: 'no_decision', threshold: 6 });
    expect(split.questions[0]!.explanation!.zh).toMatch(/未形成决议/);
  });
  it('warns about a candidate whose probation was already extended', () => {
    const result = tally(rule, [conversionQ('c1'), conversionQ('c2')], [{ c1: 'convert', c2: 'convert' }], { expected: 1, present: 1 });
    expect(result.questions[0]!.warnings).toBeUndefined();
    expect(result.questions[1]!.warnings![0]!.zh).toMatch(/只能一次/);
  });
});

describe('league_recommendation', () => {
  const candidates = ['a', 'b', 'c', 'd', 'e'];
  const approval: Question = { id: 'rec', type: 'approval', title: '推优', options: candidates, maxChoices: 3 };
  /** Ballots giving each candidate the listed number of votes (each ballot approves one). */
  const votes = (perCandidate: Record<string, number>) => Object.entries(perCandidate).flatMap(([c, n]) => many(n, 'rec', [c]));

  it('applies the threshold, then the cap (20% of the branch, rounded down), ranked by votes', () => {
    // 20 expected: 11 needed; cap = floor(20 × 20%) = 4. Each voter approves several candidates.
    const ballots: Choices[] = Array.from({ length: 18 }, (_, i) => ({
      rec: candidates.filter((c, j) => i < [16, 14, 12, 11, 3][j]!),
    }));
    const result = tally({ kind: 'league_recommendation' }, [approval], ballots, { expected: 20, present: 18 });
    const q = result.questions[0]!;
    expect(q).toMatchObject({ threshold: 11, cap: 4, quorumMet: true });
    expect(q.candidates!.map((c) => [c.id, c.votes, c.rank, c.verdict])).toEqual([
      ['a', 16, 1, 'recommended'],
      ['b', 14, 2, 'recommended'],
      ['c', 12, 3, 'recommended'],
      ['d', 11, 4, 'recommended'],
      ['e', 3, 5, 'not_recommended'],
    ]);
  });

  it('reports a tie at the cap as a tie, never broken silently', () => {
    // 10 expected → 6 needed, cap 2 (20% of 10). a: 9; b, c: 7 each → b and c tie for the last place.
    const ballots: Choices[] = Array.from({ length: 9 }, (_, i) => ({ rec: ['a', ...(i < 7 ? ['b', 'c'] : [])] }));
    const q = tally({ kind: 'league_recommendation' }, [approval], ballots, { expected: 10, present: 9 }).questions[0]!;
    expect(q.cap).toBe(2);
    expect(q.candidates!.filter((c) => c.votes > 0).map((c) => [c.id, c.rank, c.verdict])).toEqual([
      ['a', 1, 'recommended'],
      ['b', 2, 'tied_at_cap'],
      ['c', 2, 'tied_at_cap'],
    ]);
    expect(q.explanation!.zh).toMatch(/并列待定 2 人/);
  });

  it('a passing candidate beyond the cap is not recommended, and says why; the cap is at least 1', () => {
    const ballots: Choices[] = Array.from({ length: 4 }, (_, i) => ({ rec: i < 3 ? ['a', 'b'] : ['a'] }));
    const q = tally({ kind: 'league_recommendation' }, [approval], ballots, { expected: 4, present: 4 }).questions[0]!;
    expect(q.cap).toBe(1);
    expect(q.candidates![1]).toMatchObject({ id: 'b', verdict: 'not_recommended' });
    expect(q.candidates![1]!.explanation.en).toMatch(/beyond the cap of 1/);
  });

  it.each([
    // [branch (expected + excluded), rounding, cap]
    [12, 'down', 2],
    [12, 'nearest', 2],
    [13, 'down', 2],
    [13, 'nearest', 3],
    [ 7, 'down', 1],
    [ 7, 'nearest', 1],
    [ 2, 'nearest', 1],
  ] as const)('the cap of 20%% of a branch of %i, rounded %s, is %i', (branch, capRounding, cap) => {
    const q = tally({ kind: 'league_recommendation', capRounding }, [approval], votes({ a: branch }), { expected: branch - 1, present: branch - 1, excluded: 1 }).questions[0]!;
    expect(q.cap).toBe(cap);
  });

  it('property: rounding to the nearest gives the cap rounded down or one more, never less than 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 100 }), (branch, capPercent) => {
        const capOf = (capRounding: 'down' | 'nearest') =>
          tally({ kind: 'league_recommendation', capPercent, capRounding }, [approval], [], { expected: branch, present: branch }).questions[0]!.cap!;
        const [down, nearest] = [capOf('down'), capOf('nearest')];
        expect(nearest - down === 0 || nearest - down === 1).toBe(true);
        expect(down).toBeGreaterThanOrEqual(1);
        // Nearest: the cap is the whole number closest to branch × percent (a half rounds up).
        if (branch * capPercent >= 100) expect(Math.abs(nearest * 100 - branch * capPercent)).toBeLessThanOrEqual(50);
      }),
      { numRuns: 300 },
    );
  });

  it('no quorum: nobody is recommended', () => {
    const q = tally({ kind: 'league_recommendation' }, [approval], votes({ a: 5 }), { expected: 10, present: 5 }).questions[0]!;
    expect(q.verdict).toBe('no_quorum');
    expect(q.candidates!.every((c) => c.verdict === 'not_recommended')).toBe(true);
  });
});

describe('activist and development-object opinion ballots', () => {
  const graded = (id: string): Question => ({ id, type: 'single', title: id, options: ['good', 'fairly_good', 'average', 'poor'] });
  it('reports the top-grade share and the default indicator (attendance > 1/2, 好 > 1/2 of present)', () => {
    const ballots = [...many(6, 'p', 'good'), ...many(3, 'p', 'fairly_good'), ...many(1, 'p', 'poor')];
    const q = tally({ kind: 'activist_confirmation' }, [graded('p')], ballots, { expected: 15, present: 10 }).questions[0]!;
    expect(q).toMatchObject({ verdict: 'indicator_met', threshold: 6, quorumMet: true, topGrade: { grade: 'good', votes: 6, of: 10 } });
    expect(q.explanation!.zh).toMatch(/60%/);
    const fewer = tally({ kind: 'activist_confirmation' }, [graded('p')], ballots.slice(1), { expected: 15, present: 10 }).questions[0]!;
    expect(fewer.verdict).toBe('indicator_not_met');
  });
  it('protocol v2: 不了解 counts as a ballot for the base "ballots" but not as a grade given', () => {
    const withAbstain: Question = { id: 'p', type: 'single', title: 'p', options: ['good', 'fairly_good', 'average', 'poor', 'abstain'] };
    const ballots = [...many(5, 'p', 'good'), ...many(2, 'p', 'poor'), ...many(3, 'p', 'abstain'), ...many(4, 'q', 'good')];
    const q = tally({ kind: 'activist_confirmation', topGrade: { base: 'ballots' } }, [withAbstain, { ...withAbstain, id: 'q' }], ballots, { expected: 12, present: 10 }).questions[0]!;
    // Ballots answering p: 10 (the four on q are not p's): 5 of 10 is not more than half.
    expect(q).toMatchObject({ topGrade: { grade: 'good', votes: 5, of: 7 }, threshold: 6, thresholdBase: { base: 'ballots', value: 10 }, verdict: 'indicator_not_met' });
  });
  it('attendance below half fails the indicator even with every vote 好', () => {
    const q = tally({ kind: 'development_object_confirmation' }, [graded('p')], many(5, 'p', 'good'), { expected: 10, present: 5 }).questions[0]!;
    expect(q).toMatchObject({ verdict: 'indicator_not_met', quorumMet: false });
  });
});

describe('properties', () => {
  const rules: RuleInput[] = [
    { kind: 'member_acceptance' },
    { kind: 'member_conversion' },
    { kind: 'league_recommendation' },
    { kind: 'activist_confirmation' },
  ];
  const questionsFor = (kind: string): Question[] =>
    kind === 'member_acceptance'
      ? [agreeQ('x'), agreeQ('y')]
      : kind === 'member_conversion'
        ? [conversionQ('x')]
        : kind === 'league_recommendation'
          ? [{ id: 'x', type: 'approval', title: 'x', options: ['a', 'b', 'c', 'd'], maxChoices: 2 }]
          : [{ id: 'x', type: 'single', title: 'x', options: ['good', 'fairly_good', 'average', 'poor'] }];
  const ballotArb = (questions: Question[]) =>
    fc.record(
      Object.fromEntries(
        questions.map((q) => [
          q.id,
          q.type === 'single' ? fc.constantFrom(...q.options) : q.type === 'approval' ? fc.subarray(q.options, { maxLength: q.maxChoices }).map((a) => [...a].sort()) : fc.constant({}),
        ]),
      ),
    ) as fc.Arbitrary<Choices>;

  it('a tally does not depend on ballot order', () => {
    for (const rule of rules) {
      const questions = questionsFor(rule.kind);
      fc.assert(
        fc.property(fc.array(ballotArb(questions), { maxLength: 40 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), (ballots, expected, extra) => {
          const electorate = { expected: Math.max(expected, ballots.length), present: Math.min(ballots.length + extra, Math.max(expected, ballots.length)) };
          const shuffled = [...ballots].reverse();
          expect(tally(rule, questions, shuffled, electorate)).toEqual(tally(rule, questions, ballots, electorate));
        }),
        { numRuns: 60 },
      );
    }
  });

  it('under the expected-members base, adding an abstention never turns a pass into a fail', () => {
    const questions = [agreeQ('x'), agreeQ('y')];
    fc.assert(
      fc.property(fc.array(ballotArb(questions), { maxLength: 40 }), fc.integer({ min: 0, max: 20 }), (ballots, spare) => {
        const expected = ballots.length + 1 + spare;
        const before = tally({ kind: 'member_acceptance' }, questions, ballots, { expected, present: ballots.length });
        const after = tally({ kind: 'member_acceptance' }, questions, [...ballots, { x: 'abstain', y: 'abstain' }], { expected, present: ballots.length + 1 });
        before.questions.forEach((q, i) => {
          if (q.verdict === 'passed') expect(after.questions[i]!.verdict).toBe('passed');
        });
      }),
      { numRuns: 200 },
    );
  });

  it('counts of a single-choice question sum to the number of valid ballots plus written opinions', () => {
    const questions = [agreeQ('x')];
    fc.assert(
      fc.property(fc.array(ballotArb(questions), { maxLength: 50 }), fc.array(fc.constantFrom('agree', 'disagree', 'abstain'), { maxLength: 5 }), (ballots, written) => {
        const opinions = written.map((choice) => ({ questionId: 'x', choice }));
        const q = tally({ kind: 'member_acceptance' }, questions, ballots, { expected: 60, present: ballots.length }, opinions).questions[0]!;
        expect(Object.values(q.counts).reduce((a, b) => a + b, 0)).toBe(ballots.length + written.length);
        expect(q.writtenOpinions).toBe(written.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('generic', () => {
  it('counts written opinions of absent members like every other kind', () => {
    const result = tally({ kind: 'generic' }, [agreeQ('x')], many(2, 'x', 'agree'), { expected: 5, present: 2 }, [{ questionId: 'x', choice: 'disagree' }]);
    expect(result.questions).toEqual([{ id: 'x', counts: { agree: 2, disagree: 1, abstain: 0 } }]);
    expect(result.quorum).toBeUndefined();
  });
});

describe('democratic_appraisal', () => {
  const grades = ['excellent', 'qualified', 'basically_qualified', 'unqualified'];
  const member = (id: string): Question => ({ id, type: 'single', title: id, options: grades });
  /** Ballots from per-member grade counts: ballot i gives member m the i-th grade in its list. */
  function ballotsFrom(perMember: Record<string, [number, number, number, number]>, total: number): Choices[] {
    const lists = Object.fromEntries(Object.entries(perMember).map(([m, counts]) => [m, counts.flatMap((n, g) => Array(n).fill(grades[g]))]));
    return Array.from({ length: total }, (_, i) => Object.fromEntries(Object.keys(perMember).map((m) => [m, lists[m]![i]!])));
  }

  it('grades each member by the median: the best grade reached or exceeded by more than half of the votes', () => {
    // 10 votes. m1: 优秀 4 → 4 is not more than 5; with 合格 3 → 7 > 5: 合格.
    // m2: 优秀 5 of 10 is exactly half: not enough, 合格 with 5 + 5.  m3: 优秀 6 of 10: 优秀.
    const ballots = ballotsFrom({ m1: [4, 3, 2, 1], m2: [5, 5, 0, 0], m3: [6, 4, 0, 0] }, 10);
    const result = tally({ kind: 'democratic_appraisal' }, [member('m1'), member('m2'), member('m3')], ballots, { expected: 12, present: 10 });
    expect(result.questions.map((q) => [q.id, q.grade, q.verdict])).toEqual([
      ['m1', 'qualified', 'qualified'],
      ['m2', 'qualified', 'qualified'],
      ['m3', 'excellent', 'excellent'],
    ]);
    expect(result.questions[0]!.explanation!.zh).toMatch(/“合格”及以上 7 票，超过 10 票的半数/);
  });

  it('caps 优秀 at one third of the members graded and draws the line, dropping nobody', () => {
    // 9 members graded → cap ⌊9/3⌋ = 3. Four reach 优秀 with 8, 7, 7, 6 votes of 10: ranks 1, 2, 2, 4.
    // m1 (1 ahead+tied), m2 and m3 (1 ahead + 2 tied = 3) are within the cap; m4 (3 ahead) is below the line.
    const reach = { m1: [8, 2, 0, 0], m2: [7, 3, 0, 0], m3: [7, 3, 0, 0], m4: [6, 4, 0, 0] } as Record<string, [number, number, number, number]>;
    const rest = Object.fromEntries(['m5', 'm6', 'm7', 'm8', 'm9'].map((m) => [m, [1, 9, 0, 0] as [number, number, number, number]]));
    const ids = [...Object.keys(reach), ...Object.keys(rest)];
    const result = tally({ kind: 'democratic_appraisal' }, ids.map(member), ballotsFrom({ ...reach, ...rest }, 10), { expected: 12, present: 10 });
    const byId = Object.fromEntries(result.questions.map((q) => [q.id, q]));
    expect(byId.m1).toMatchObject({ verdict: 'excellent', rank: 1, cap: 3 });
    expect(byId.m2).toMatchObject({ verdict: 'excellent', rank: 2 });
    expect(byId.m3).toMatchObject({ verdict: 'excellent', rank: 2 });
    expect(byId.m4).toMatchObject({ verdict: 'over_cap', rank: 4, grade: 'excellent' });
    expect(byId.m4!.explanation!.zh).toMatch(/线下/);
    expect(byId.m5).toMatchObject({ verdict: 'qualified' });
  });

  it('protocol v2: an abstention (不了解) is a ballot but not a grade, so it is not in the base of the median', () => {
    const withAbstain = (id: string): Question => ({ id, type: 'single', title: id, options: [...grades, 'abstain'] });
    // One ballot per member (v2: each ballot answers one question). m1: 优秀 3, 合格 2, 不了解 5 →
    // 3 of the 5 grades given is more than half: 优秀 (counting the abstentions it would be 合格 at best).
    const ballots: Choices[] = [...many(3, 'm1', 'excellent'), ...many(2, 'm1', 'qualified'), ...many(5, 'm1', 'abstain'), ...many(4, 'm2', 'qualified')];
    const result = tally({ kind: 'democratic_appraisal' }, [withAbstain('m1'), withAbstain('m2')], ballots, { expected: 10, present: 10 });
    expect(result.questions.map((q) => [q.id, q.grade, q.counts.abstain])).toEqual([
      ['m1', 'excellent', 5],
      ['m2', 'qualified', 0],
    ]);
    expect(result.questions[0]!.explanation!.zh).toMatch(/超过 5 票的半数/);
  });

  it('a tie across the 优秀 line is reported as a tie', () => {
    // 6 members → cap 2. m1 8 votes; m2 and m3 7 each: 1 ahead + 2 tied = 3 > 2, and 1 ahead < 2 → tied_at_cap.
    const perMember = { m1: [8, 2, 0, 0], m2: [7, 3, 0, 0], m3: [7, 3, 0, 0], m4: [0, 10, 0, 0], m5: [0, 10, 0, 0], m6: [0, 0, 10, 0] } as Record<
      string,
      [number, number, number, number]
    >;
    const result = tally({ kind: 'democratic_appraisal' }, Object.keys(perMember).map(member), ballotsFrom(perMember, 10), { expected: 10, present: 10 });
    expect(result.questions.map((q) => q.verdict)).toEqual(['excellent', 'tied_at_cap', 'tied_at_cap', 'qualified', 'qualified', 'basically_qualified']);
  });
});
