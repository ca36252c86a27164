/**
 * What a counting rule returns for a poll: counts for every question and, for the kinds with
 * rules, the threshold, quorum, verdict and one explanation sentence in Chinese and English.
 * The same shape is published in the bundle's `result` and recomputed by the verifier.
 */
import { z } from 'zod';
import { idSchema } from '../protocol/poll.ts';

const count = z.number().int().min(0);
export const explanationSchema = z.strictObject({ zh: z.string(), en: z.string() });
export type Explanation = z.infer<typeof explanationSchema>;

export const candidateResultSchema = z.strictObject({
  id: idSchema,
  votes: count,
  rank: z.number().int().min(1),
  verdict: z.enum(['recommended', 'not_recommended', 'tied_at_cap']),
  explanation: explanationSchema,
});

export const questionResultSchema = z.strictObject({
  id: idSchema,
  counts: z.record(idSchema, count),
  /** Written opinions of absent members included in `counts`. */
  writtenOpinions: count.optional(),
  /** Votes needed, and what they are counted against. */
  threshold: count.optional(),
  thresholdBase: z.strictObject({ base: z.enum(['expected', 'present', 'ballots']), value: count }).optional(),
  quorumMet: z.boolean().optional(),
  verdict: z.string().optional(),
  explanation: explanationSchema.optional(),
  /** League recommendation: each candidate ranked, with the cap applied. */
  cap: count.optional(),
  candidates: z.array(candidateResultSchema).optional(),
  /** Democratic appraisal: the member's grade by the votes, and their place among those reaching the best grade. */
  grade: idSchema.nullable().optional(),
  rank: z.number().int().min(1).optional(),
  /** Opinion ballots: votes for the top grade out of all grades given. */
  topGrade: z.strictObject({ grade: idSchema, votes: count, of: count }).optional(),
  warnings: z.array(explanationSchema).optional(),
});
export type QuestionResult = z.infer<typeof questionResultSchema>;
export type CandidateResult = z.infer<typeof candidateResultSchema>;

const groupEvaluationSchema = z.strictObject({
  raters: count,
  average: z.number().nullable(),
  criteria: z.record(idSchema, z.number().nullable()),
});
/** The three evaluations, per candidate (names fixed by the format: id, groups, composite, band, rank). */
export const candidateEvaluationSchema = z.strictObject({
  id: idSchema,
  groups: z.strictObject({ representatives: groupEvaluationSchema, members: groupEvaluationSchema, self: groupEvaluationSchema }),
  composite: z.number().nullable(),
  band: idSchema.nullable(),
  rank: z.number().int().min(1).nullable(),
  valid: z.boolean(),
  withheld: z.array(z.enum(['representatives', 'members'])),
  explanation: explanationSchema,
});

export const pollResultSchema = z.strictObject({
  ballotsCast: count,
  candidates: z.array(candidateEvaluationSchema).optional(),
  quorum: z
    .strictObject({ met: z.boolean(), present: count, expected: count, needed: count, explanation: explanationSchema })
    .optional(),
  questions: z.array(questionResultSchema),
});
export type PollResult = z.infer<typeof pollResultSchema>;

/** A written opinion of an absent voting member: named in the unit's record, anonymous here. */
export const writtenOpinionSchema = z.strictObject({ questionId: idSchema, choice: z.union([idSchema, z.array(idSchema)]) });
export type WrittenOpinion = z.infer<typeof writtenOpinionSchema>;

/** A candidate's own signed self-evaluation (three evaluations): named, not a ballot. */
export const selfEvaluationSchema = z.strictObject({ questionId: idSchema, scores: z.record(idSchema, z.number().int().min(0).max(1000)) });
export type SelfEvaluationEntry = z.infer<typeof selfEvaluationSchema>;

export interface Electorate {
  /** Voting members expected, after exclusions. */
  expected: number;
  /** Checked in: present for the quorum. */
  present: number;
  /** Members left out of the expected count (with a recorded reason). */
  excluded: number;
  /** Expected voters per group (three evaluations: the participation rule's roster). */
  expectedByGroup?: Record<string, number>;
}
