/**
 * The kinds of vote in developing Party members, and the settings of their rules
 * (../shared/DOMAIN.md §1–3). Every threshold is a setting whose default is the published rule
 * or the common practice; the bundle carries the whole rule so a verifier recomputes verdicts.
 *
 * A threshold says "votes must be more than (or at least) a fraction of a base":
 *   base      `expected`  voting members expected after exclusions (the rules' 应到会)
 *             `present`   voters checked in (written-opinion voters are not present)
 *             `ballots`   ballots cast plus written opinions counted for the question
 *   fraction  `1/2`, `3/5`, `2/3`, `3/4` or `4/5`
 *   more_than v·den > base·num        at_least v·den ≥ base·num
 */
import { z } from 'zod';
import { ABSTAIN, idSchema, text } from '../protocol/poll.ts';

export const POLL_KINDS = [
  'generic',
  'member_acceptance',
  'member_conversion',
  'league_recommendation',
  'activist_confirmation',
  'development_object_confirmation',
  'democratic_appraisal',
  'three_evaluations',
] as const;
export type PollKind = (typeof POLL_KINDS)[number];
/**
 * The branch general meeting's votes (党员大会, DOMAIN §1): only full members vote, a member who
 * cannot attend may send a written opinion (因故不能到会的有表决权的正式党员), and the Working
 * Rules fix the quorum and the pass threshold (shared/tally/binding.ts).
 */
export const BRANCH_MEETING_KINDS: readonly PollKind[] = ['member_acceptance', 'member_conversion'];
export const isBranchMeetingKind = (kind: string): boolean => (BRANCH_MEETING_KINDS as readonly string[]).includes(kind);
/** The kinds whose ballot and rule follow from the candidates (every kind but `generic`). */
export type PresetKind = Exclude<PollKind, 'generic'>;
export const PRESET_KINDS = POLL_KINDS.filter((k): k is PresetKind => k !== 'generic') as [PresetKind, ...PresetKind[]];

/** Fractions a threshold may use: a half, and the stricter shares some schools require. */
export const FRACTION_VALUES = ['1/2', '3/5', '2/3', '3/4', '4/5'] as const;
export const fractionSchema = z.enum(FRACTION_VALUES);
export type Fraction = (typeof FRACTION_VALUES)[number];
export const comparisonSchema = z.enum(['more_than', 'at_least']);

export const quorumSchema = z.strictObject({
  fraction: fractionSchema.default('1/2'),
  comparison: comparisonSchema.default('more_than'),
});

export const passSchema = z.strictObject({
  base: z.enum(['expected', 'present', 'ballots']).default('expected'),
  fraction: fractionSchema.default('1/2'),
  comparison: comparisonSchema.default('more_than'),
});

// ABSTAIN is the ballot's own 不了解 choice (every per-candidate ballot has one), never a grade.
const gradeSchema = z.strictObject({ id: idSchema.refine((id) => id !== ABSTAIN, `"${ABSTAIN}" is the abstention, not a grade`), label: text(1, 20) });

/** The label of the abstention on a grade ballot: the voter does not know the candidate well enough. */
export const ABSTAIN_LABEL = '不了解';

export const DEFAULT_GRADES = [
  { id: 'good', label: '好' },
  { id: 'fairly_good', label: '较好' },
  { id: 'average', label: '一般' },
  { id: 'poor', label: '差' },
];

export const AGREE_CHOICES = ['agree', 'disagree', 'abstain'] as const;
export const CONVERSION_CHOICES = ['convert', 'extend', 'cancel', 'abstain'] as const;

export const genericRuleSchema = z.strictObject({ kind: z.literal('generic') });

export const agreeRuleSchema = z.strictObject({
  kind: z.literal('member_acceptance'),
  quorum: quorumSchema.default({ fraction: '1/2', comparison: 'more_than' }),
  pass: passSchema.default({ base: 'expected', fraction: '1/2', comparison: 'more_than' }),
});

export const conversionRuleSchema = z.strictObject({
  kind: z.literal('member_conversion'),
  quorum: quorumSchema.default({ fraction: '1/2', comparison: 'more_than' }),
  pass: passSchema.default({ base: 'expected', fraction: '1/2', comparison: 'more_than' }),
  /** Candidates (question ids) whose probation was already extended once: a second extension is flagged. */
  extendedBefore: z.array(idSchema).max(50).default([]),
});

export const leagueRuleSchema = z.strictObject({
  kind: z.literal('league_recommendation'),
  quorum: quorumSchema.default({ fraction: '1/2', comparison: 'more_than' }),
  pass: passSchema.default({ base: 'expected', fraction: '1/2', comparison: 'more_than' }),
  /** The cap: `capPercent` of the branch (expected + excluded), rounded as `capRounding`, at least 1; or a fixed `capCount`. */
  capPercent: z.number().int().min(1).max(100).default(20),
  /** "一般不超过20%": rounded down here; some schools round to the nearest (half up). */
  capRounding: z.enum(['down', 'nearest']).default('down'),
  capCount: z.number().int().min(1).max(1000).optional(),
});

export const opinionRuleSchema = z.strictObject({
  kind: z.enum(['activist_confirmation', 'development_object_confirmation']),
  grades: z.array(gradeSchema).min(2).max(6).default(DEFAULT_GRADES),
  /** Attendance part of the indicator: present compared with expected. */
  attendance: quorumSchema.default({ fraction: '1/2', comparison: 'more_than' }),
  /** Top-grade part: votes for the first grade compared with a base. */
  topGrade: passSchema.default({ base: 'present', fraction: '1/2', comparison: 'more_than' }),
});

export const DEFAULT_APPRAISAL_GRADES = [
  { id: 'excellent', label: '优秀' },
  { id: 'qualified', label: '合格' },
  { id: 'basically_qualified', label: '基本合格' },
  { id: 'unqualified', label: '不合格' },
];

/**
 * Annual democratic appraisal of members (DOMAIN §5): a grade ballot per full member, from
 * best to worst. A member's grade is the best grade that more than half of the votes reach or
 * exceed (the median grade). The best grade is capped (default one third of the members
 * graded, at least 1): members above the cap line are reported ranked, never dropped.
 */
export const appraisalRuleSchema = z.strictObject({
  kind: z.literal('democratic_appraisal'),
  grades: z.array(gradeSchema).min(2).max(6).default(DEFAULT_APPRAISAL_GRADES),
  quorum: quorumSchema.default({ fraction: '1/2', comparison: 'more_than' }),
  /** Share of the members graded who may receive the best grade: numerator / denominator. */
  topGradeCap: z
    .strictObject({ numerator: z.number().int().min(1).max(99), denominator: z.number().int().min(1).max(100) })
    .refine((f) => f.numerator <= f.denominator, 'at most 1')
    .default({ numerator: 1, denominator: 3 }),
});

const labelled = z.strictObject({ id: idSchema, label: text(1, 40) });

export const DEFAULT_CRITERIA = [
  { id: 'political', label: '政治表现' },
  { id: 'daily_conduct', label: '日常表现' },
  { id: 'key_moments', label: '关键时刻表现' },
  { id: 'study', label: '学习情况' },
  { id: 'social_practice', label: '社会实践' },
];
export const DEFAULT_BANDS = [
  { id: 'excellent', label: '优秀', min: 90 },
  { id: 'good', label: '良好', min: 75 },
  { id: 'pass', label: '合格', min: 60 },
  { id: 'fail', label: '不合格', min: 0 },
];
/**
 * The "three evaluations" (DOMAIN §5): criteria, scale, weights of the three groups, the
 * anonymity floor, bands and the participation rule. See three-evaluations.ts.
 */
export const threeEvaluationsRuleSchema = z
  .strictObject({
    kind: z.literal('three_evaluations'),
    criteria: z.array(labelled).min(1).max(12).default(DEFAULT_CRITERIA),
    /** Integer scores from `min` to `max` on every criterion (a 4-level scale maps its levels to integers in the client). */
    scale: z.strictObject({ min: z.number().int().min(0), max: z.number().int().max(1000) }).default({ min: 0, max: 100 }),
    weights: z
      .strictObject({ representatives: z.number().int().min(0), members: z.number().int().min(0), self: z.number().int().min(0) })
      .default({ representatives: 30, members: 40, self: 30 }),
    anonymityFloor: z.number().int().min(1).max(50).default(3),
    /** Best first; a composite at or above `min` gets the band. The last band's min should be the scale's min. */
    bands: z.array(labelled.extend({ min: z.number().int() })).min(1).max(8).default(DEFAULT_BANDS),
    participation: z
      .strictObject({ group: z.enum(['representatives', 'members']), fraction: fractionSchema, comparison: comparisonSchema })
      .nullable()
      .default({ group: 'members', fraction: '2/3', comparison: 'at_least' }),
  })
  .refine((r) => r.weights.representatives + r.weights.members + r.weights.self === 100, { path: ['weights'], message: 'the weights must sum to 100' })
  .refine((r) => r.scale.min < r.scale.max, { path: ['scale'], message: 'min must be below max' })
  .refine((r) => r.bands.every((b, i) => i === 0 || b.min < r.bands[i - 1]!.min), { path: ['bands'], message: 'bands best first, each min below the previous' });
export type ThreeEvaluationsRule = z.output<typeof threeEvaluationsRuleSchema>;

export const ruleSchema = z.discriminatedUnion('kind', [
  genericRuleSchema,
  agreeRuleSchema,
  conversionRuleSchema,
  leagueRuleSchema,
  opinionRuleSchema,
  appraisalRuleSchema,
  threeEvaluationsRuleSchema,
]);
export type Rule = z.output<typeof ruleSchema>;
export type RuleInput = z.input<typeof ruleSchema>;
export type Threshold = z.output<typeof passSchema>;
export type Quorum = z.output<typeof quorumSchema>;

export const FRACTIONS: Record<Fraction, readonly [number, number]> = { '1/2': [1, 2], '3/5': [3, 5], '2/3': [2, 3], '3/4': [3, 4], '4/5': [4, 5] };

/** The smallest whole number of votes that satisfies the threshold over `base`. */
export function votesNeeded(base: number, fraction: Fraction, comparison: 'more_than' | 'at_least'): number {
  const [num, den] = FRACTIONS[fraction];
  // Never zero: nothing passes, and no quorum is met, with no vote or nobody present.
  return comparison === 'more_than' ? Math.floor((base * num) / den) + 1 : Math.max(1, Math.ceil((base * num) / den));
}

