/**
 * Poll questions and ballot choices as they travel on the wire and appear in the bundle.
 * A question is one line of the ballot paper:
 *  - `single`: exactly one option (e.g. one candidate with agree / disagree / abstain);
 *  - `approval`: any subset of the options of size at most `maxChoices` ("recommend up to k");
 *  - `score`: a whole-number score from `min` to `max` on each criterion (the three evaluations).
 *    A rater may leave a score question out (members do not score themselves).
 * `validateChoices` is the one place that decides whether a ballot is well formed; the server
 * calls it at cast time and the verifier calls it again on every published ballot.
 */
import { z } from 'zod';
import { fail } from '../errors.ts';
import { validateAnswer, WITHHELD, type Choice, type Choices } from './answer.ts';

// The answer check lives in ./answer.ts, without zod, so the voter's phone does not download
// the schema library for it; every caller keeps importing it from here.
export { ABSTAIN, validateAnswer, WITHHELD } from './answer.ts';

export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;
/** The bounds of a ballot paper that size the largest body a voter sends (server/body-limits.ts). */
export const MAX_ID_LENGTH = 40;
export const MAX_QUESTIONS = 50;
export const MAX_OPTIONS = 200;
export const MAX_CRITERIA = 12;
export const MAX_SCORE = 1000;
export const idSchema = z.string().regex(ID_PATTERN, 'lowercase letters, digits, _ or -, at most 40');

export const PHASES = ['draft', 'checkin', 'voting', 'closed', 'published'] as const;
export type Phase = (typeof PHASES)[number];

export const AGREE_OPTIONS = ['agree', 'disagree', 'abstain'] as const;

/**
 * Free text as people type it: trimmed, bounded, and well-formed Unicode. A lone surrogate
 * (from a label cut in the middle of an emoji, say) cannot be written as UTF-8 nor signed as
 * canonical JSON, so it is refused here rather than found at close.
 */
export function text(min: number, max: number) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((value) => !/[\uD800-\uDFFF]/u.test(value), 'contains a broken character (an unpaired surrogate)');
}

const labelSchema = text(1, 200);

export const singleQuestionSchema = z.strictObject({
  id: idSchema,
  type: z.literal('single'),
  title: labelSchema,
  options: z.array(idSchema).min(2).max(20),
  optionLabels: z.record(idSchema, labelSchema).optional(),
});

export const approvalQuestionSchema = z.strictObject({
  id: idSchema,
  type: z.literal('approval'),
  title: labelSchema,
  options: z.array(idSchema).min(1).max(MAX_OPTIONS),
  optionLabels: z.record(idSchema, labelSchema).optional(),
  maxChoices: z.number().int().min(1).max(MAX_OPTIONS),
});

export const scoreQuestionSchema = z
  .strictObject({
    id: idSchema,
    type: z.literal('score'),
    title: labelSchema,
    criteria: z.array(idSchema).min(1).max(MAX_CRITERIA),
    criterionLabels: z.record(idSchema, labelSchema).optional(),
    min: z.number().int().min(0).max(MAX_SCORE),
    max: z.number().int().min(1).max(MAX_SCORE),
  })
  .refine((q) => q.min < q.max, 'min must be below max');

export const questionSchema = z.discriminatedUnion('type', [singleQuestionSchema, approvalQuestionSchema, scoreQuestionSchema]);
export type Question = z.infer<typeof questionSchema>;

export const questionListSchema = z
  .array(questionSchema)
  .min(1)
  .max(MAX_QUESTIONS)
  .superRefine((questions, ctx) => {
    const seen = new Set<string>();
    for (const q of questions) {
      if (seen.has(q.id)) ctx.addIssue({ code: 'custom', message: `duplicate question id ${q.id}` });
      seen.add(q.id);
      const options = q.type === 'score' ? q.criteria : q.options;
      if (new Set(options).size !== options.length)
        ctx.addIssue({ code: 'custom', message: `question ${q.id}: duplicate option` });
      // A published bundle writes WITHHELD in place of an answer it does not show.
      if (options.includes(WITHHELD)) ctx.addIssue({ code: 'custom', message: `question ${q.id}: "${WITHHELD}" cannot be an option` });
      if (q.type === 'approval' && q.maxChoices > q.options.length)
        ctx.addIssue({ code: 'custom', message: `question ${q.id}: maxChoices exceeds the number of options` });
    }
  });

export type { Choice, Choices, Scores } from './answer.ts';

export const choiceSchema = z.union([idSchema, z.array(idSchema).max(MAX_OPTIONS), z.record(idSchema, z.number().int().min(0).max(MAX_SCORE))]);
export const choicesSchema = z.record(idSchema, choiceSchema);

/**
 * Throws `invalid_choices` unless `choices` answers every question exactly once with a
 * permitted value. Returns the choices in canonical form (approval arrays sorted), so two
 * ballots that mean the same thing compare equal.
 */
export function validateChoices(questions: readonly Question[], choices: Choices, options: { allowWithheld?: boolean } = {}): Choices {
  const canonical: Choices = {};
  const known = new Set(questions.map((q) => q.id));
  for (const key of Object.keys(choices))
    if (!known.has(key)) fail('invalid_choices', `unknown question ${key}`);
  for (const q of questions) {
    // Own properties only: an id such as "constructor" must not read Object.prototype.
    const value = Object.hasOwn(choices, q.id) ? choices[q.id] : undefined;
    if (value === undefined) {
      if (q.type === 'score') continue;
      fail('invalid_choices', `question ${q.id} is not answered`);
    }
    canonical[q.id] = q.type === 'score' && value === WITHHELD && options.allowWithheld ? WITHHELD : validateAnswer(q, value);
  }
  if (Object.keys(canonical).length === 0) fail('invalid_choices', 'the ballot scores nobody');
  return canonical;
}
