/**
 * The "three evaluations" of a candidate (DOMAIN §5): scores from (1) teacher and student
 * representatives, (2) the members of the candidate's own unit — both anonymous, by ballot —
 * and (3) the candidate's own signed self-evaluation. Pure: the server at close and the verifier
 * compute the same result from the same sheets.
 *
 * Arithmetic is exact (BigInt fractions); published numbers are rounded half up to 2 decimals,
 * while bands and ranks use the exact values, so a composite of exactly 90 is 优秀 however it
 * was reached.
 *   group average        = Σ scores of the group's raters over all criteria / (raters × criteria)
 *   criterion average    = Σ that criterion's scores / raters
 *   composite            = Σ weight_g × average_g / Σ weight_g, over the groups shown
 * Anonymity floor: in an anonymous group with fewer than `k` raters for a candidate, nothing of
 * that group is shown (averages null) and the composite is renormalised over the other groups;
 * the result says so. The self-evaluation is a named statement and is exempt.
 * Participation: e.g. the members' group needs at least two thirds of its roster less the
 * candidate (who does not rate themself); otherwise the candidate's result is marked invalid.
 */
import { AppError } from '../errors.ts';
import { WITHHELD } from '../protocol/poll.ts';
import type { TallyInput } from './common.ts';
import { votesNeeded, type ThreeEvaluationsRule } from './rules.ts';
import type { PollResult } from './result.ts';
export { threeEvaluationsRuleSchema, DEFAULT_BANDS, DEFAULT_CRITERIA, type ThreeEvaluationsRule } from './rules.ts';
import type { Explanation } from './result.ts';
import { fractionZh } from './wording.ts';

export const EVALUATION_GROUPS = ['representatives', 'members', 'self'] as const;
export type EvaluationGroup = (typeof EVALUATION_GROUPS)[number];
export type AnonymousGroup = Exclude<EvaluationGroup, 'self'>;

const GROUP_ZH: Record<EvaluationGroup, string> = { representatives: '师生代表', members: '所在单位成员', self: '自评' };
const GROUP_EN: Record<EvaluationGroup, string> = { representatives: 'representatives', members: 'unit members', self: 'self' };


/**
 * The three evaluations as a poll: one score question per candidate, ballots from the
 * `representatives` and `members` groups (known from each token's key), self-evaluations
 * beside them. Counts per question are the raters per group.
 */
export function tallyEvaluationSession(input: TallyInput<ThreeEvaluationsRule>): PollResult {
  const groups = input.ballotGroups ?? [];
  if (groups.length !== input.ballots.length) throw new AppError('invalid_choices', 'each ballot needs its voter group');
  const sheets: ScoreSheet[] = input.ballots.map((ballot, i) => ({ group: groups[i] as EvaluationGroup, scores: ballot as ScoreSheet['scores'] }));
  const candidates = input.questions.map((q) => ({ id: q.id, name: q.title }));
  const selfEvaluations = (input.selfEvaluations ?? []).map((s) => ({ candidate: s.questionId, scores: s.scores }));
  const evaluations = tallyThreeEvaluations({ rule: input.rule, candidates, sheets, selfEvaluations, roster: input.electorate.expectedByGroup ?? {} });
  return {
    ballotsCast: input.ballots.length,
    questions: evaluations.map((e) => ({ id: e.id, counts: { representatives: e.groups.representatives.raters, members: e.groups.members.raters } })),
    candidates: evaluations,
  };
}

/** One anonymous score sheet: the group its token was issued for, and scores per candidate per criterion. */
export interface ScoreSheet {
  group: EvaluationGroup;
  /** Per candidate: scores per criterion, or the WITHHELD marker of a published bundle. */
  scores: Record<string, Record<string, number> | typeof WITHHELD | unknown>;
}
export interface SelfEvaluation {
  candidate: string;
  scores: Record<string, number>;
}

export interface GroupResult {
  raters: number;
  /** Null when nobody rated, or when an anonymous group is under the floor. */
  average: number | null;
  criteria: Record<string, number | null>;
}
export interface CandidateEvaluation {
  id: string;
  groups: Record<EvaluationGroup, GroupResult>;
  composite: number | null;
  band: string | null;
  rank: number | null;
  valid: boolean;
  /** Anonymous groups whose averages are withheld under the floor. */
  withheld: AnonymousGroup[];
  explanation: Explanation;
}

// ---- exact fractions ----
interface Fraction {
  n: bigint;
  d: bigint;
}
const frac = (n: bigint, d: bigint): Fraction => ({ n, d });
const add = (a: Fraction, b: Fraction): Fraction => frac(a.n * b.d + b.n * a.d, a.d * b.d);
const scale = (a: Fraction, k: bigint): Fraction => frac(a.n * k, a.d);
const atLeast = (a: Fraction, k: number) => a.n >= BigInt(k) * a.d;
const compare = (a: Fraction, b: Fraction) => {
  const left = a.n * b.d;
  const right = b.n * a.d;
  return left < right ? -1 : left > right ? 1 : 0;
};
/** Rounded half up to 2 decimals (values are never negative). */
const round2 = (a: Fraction): number => Number((a.n * 200n + a.d) / (2n * a.d)) / 100;
const fmt = (x: number) => x.toFixed(2);

export function tallyThreeEvaluations(input: {
  rule: ThreeEvaluationsRule;
  candidates: readonly { id: string; name: string }[];
  sheets: readonly ScoreSheet[];
  selfEvaluations: readonly SelfEvaluation[];
  /** Roster size per group, for the participation rule. */
  roster: Partial<Record<EvaluationGroup, number>>;
}): CandidateEvaluation[] {
  const { rule } = input;
  const criteria = rule.criteria.map((c) => c.id);
  const C = BigInt(criteria.length);

  const evaluations = input.candidates.map((candidate) => {
    const groups = {} as Record<EvaluationGroup, GroupResult & { exact: Fraction | null }>;
    const withheld: AnonymousGroup[] = [];
    for (const group of EVALUATION_GROUPS) {
      const rows =
        group === 'self'
          ? input.selfEvaluations.filter((s) => s.candidate === candidate.id).map((s) => s.scores)
          : input.sheets.filter((s) => s.group === group && Object.hasOwn(s.scores, candidate.id)).map((s) => s.scores[candidate.id]);
      const raters = rows.length;
      const underFloor = group !== 'self' && raters > 0 && raters < rule.anonymityFloor;
      if (underFloor) withheld.push(group as AnonymousGroup);
      const shown = raters > 0 && !underFloor;
      // A withheld marker counts the rater but carries no score; it may only stand under the floor.
      const scored = rows.filter((row): row is Record<string, number> => typeof row === 'object' && row !== null);
      if (shown && scored.length !== raters) throw new AppError('invalid_choices', `withheld scores for ${candidate.id} in ${group}, which is not under the floor`);
      const sums = criteria.map((c) => scored.reduce((sum, row) => sum + BigInt(row[c] ?? 0), 0n));
      const exact = shown ? frac(sums.reduce((a, b) => a + b, 0n), BigInt(raters) * C) : null;
      groups[group] = {
        raters,
        average: exact ? round2(exact) : null,
        criteria: Object.fromEntries(criteria.map((c, i) => [c, shown ? round2(frac(sums[i]!, BigInt(raters))) : null])),
        exact,
      };
    }
    const counted = EVALUATION_GROUPS.filter((g) => groups[g].exact && rule.weights[g] > 0);
    const weightSum = counted.reduce((sum, g) => sum + rule.weights[g], 0);
    let composite: Fraction | null = null;
    for (const g of counted) {
      const term = scale(groups[g].exact!, BigInt(rule.weights[g]));
      composite = composite ? add(composite, term) : term;
    }
    if (composite) composite = frac(composite.n, composite.d * BigInt(weightSum));
    const band = composite ? (rule.bands.find((b) => atLeast(composite!, b.min)) ?? rule.bands[rule.bands.length - 1]!) : null;

    let participation: { group: EvaluationGroup; raters: number; needed: number; base: number } | null = null;
    if (rule.participation) {
      // The candidate does not rate themself, so the base is the group's roster less one.
      const base = Math.max(0, (input.roster[rule.participation.group] ?? 0) - 1);
      const needed = votesNeeded(base, rule.participation.fraction, rule.participation.comparison);
      participation = { group: rule.participation.group, raters: groups[rule.participation.group].raters, needed, base };
    }
    const valid = !participation || participation.raters >= participation.needed;
    return { candidate, groups, withheld, composite, band, valid, participation, weightSum, counted };
  });

  // Competition ranking by the exact composite, among valid results that have one.
  const ranked = evaluations.filter((e) => e.valid && e.composite);
  return evaluations.map((e) => {
    const rank = e.valid && e.composite ? 1 + ranked.filter((o) => compare(o.composite!, e.composite!) > 0).length : null;
    const parts = e.counted.map((g) => ({
      zh: `${GROUP_ZH[g]} ${Math.round((rule.weights[g] * 1000) / e.weightSum) / 10}%：${fmt(e.groups[g].average!)}`,
      en: `${GROUP_EN[g]} ${Math.round((rule.weights[g] * 1000) / e.weightSum) / 10}%: ${fmt(e.groups[g].average!)}`,
    }));
    const floorNote = e.withheld.length
      ? {
          zh: `；${e.withheld.map((g) => `${GROUP_ZH[g]}评价人数 ${e.groups[g].raters} 人，少于 ${rule.anonymityFloor} 人，平均分不公布`).join('；')}，综合得分按其余各组权重重新折算`,
          en: `; ${e.withheld.map((g) => `${GROUP_EN[g]}: ${e.groups[g].raters} rater${e.groups[g].raters === 1 ? '' : 's'}, fewer than ${rule.anonymityFloor}, average withheld`).join('; ')}, composite reweighted over the other groups`,
        }
      : { zh: '', en: '' };
    const p = e.participation;
    const invalidNote =
      p && !e.valid
        ? {
            zh: `；${GROUP_ZH[p.group]}参评 ${p.raters} 人，未达到应参评 ${p.base} 人的${fractionZh(rule.participation!.fraction)}（需 ${p.needed} 人），结果无效`,
            en: `; ${GROUP_EN[p.group]}: ${p.raters} took part, fewer than the ${p.needed} needed of ${p.base}: result invalid`,
          }
        : { zh: '', en: '' };
    const name = e.candidate.name;
    const explanation = e.composite
      ? {
          zh: `${name}：综合得分 ${fmt(round2(e.composite))}（${parts.map((x) => x.zh).join('，')}），等级 ${e.band!.label}${rank ? `，排名第 ${rank}` : ''}${floorNote.zh}${invalidNote.zh}`,
          en: `${name}: composite ${fmt(round2(e.composite))} (${parts.map((x) => x.en).join(', ')}), band ${e.band!.label}${rank ? `, rank ${rank}` : ''}${floorNote.en}${invalidNote.en}.`,
        }
      : { zh: `${name}：没有可公布的评分${floorNote.zh}${invalidNote.zh}`, en: `${name}: no score can be shown${floorNote.en}${invalidNote.en}.` };
    const groups = Object.fromEntries(EVALUATION_GROUPS.map((g) => [g, { raters: e.groups[g].raters, average: e.groups[g].average, criteria: e.groups[g].criteria }])) as Record<
      EvaluationGroup,
      GroupResult
    >;
    return {
      id: e.candidate.id,
      groups,
      composite: e.composite ? round2(e.composite) : null,
      band: e.band?.id ?? null,
      rank,
      valid: e.valid,
      withheld: e.withheld,
      explanation,
    };
  });
}
