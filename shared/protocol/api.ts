/**
 * Request bodies and response shapes of the HTTP API that the browser client, the demo client
 * and the server share. The server validates every body with these (strict: unknown keys are
 * rejected) and generates /api/openapi.json from them.
 */
import { z } from 'zod';
import { choicesSchema, idSchema, questionListSchema, text, type Phase, type Question } from './poll.ts';
import { PRESET_KINDS, ruleSchema } from '../tally/rules.ts';

const base64 = z
  .string()
  .max(4096)
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');
const base64url = z.string().max(4096).regex(/^[A-Za-z0-9_-]*$/, 'must be base64url without padding');
const name = text(1, 200);
export const votingCodeInput = z.string().min(1).max(40);

// ---- organizer side ----

export const loginBody = z.strictObject({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });
export const createUserBody = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9._-]{3,64}$/, '3–64 letters, digits, . _ or -'),
  password: z.string().min(10, 'at least 10 characters').max(200),
  role: z.enum(['admin', 'organizer', 'scrutineer']),
  /** The unit an organizer or scrutineer belongs to (required for them; an admin has none). */
  unitId: idSchema.optional(),
});
export const createUnitBody = z.strictObject({ name, parentId: idSchema.optional() });
export const scrutineerKeyBody = z.strictObject({ publicKey: base64 });
export const cosignatureBody = z.strictObject({ signature: base64 });
export const createMeetingBody = z.strictObject({ title: name });
export const rosterEntry = z.strictObject({
  name,
  number: text(1, 40),
  groups: z.array(idSchema).min(1).max(5).default(['members']),
  /** Party membership; only full members vote on accepting and converting members. */
  status: z.enum(['full', 'probationary']).default('full'),
});
export const addVotersBody = z.strictObject({ voters: z.array(rosterEntry).min(1).max(5000) });
const groupsField = z
  .array(idSchema)
  .min(1)
  .max(5)
  .refine((g) => new Set(g).size === g.length, 'a group is listed twice')
  .default(['members']);

/** The publicity period (公示) after publication, in working days; 5 by default. */
const publicityWorkingDays = z.number().int().min(1).max(30).optional();

/** A poll with hand-written questions and plain counts. */
export const createGenericPollBody = z.strictObject({
  title: name,
  kind: z.literal('generic').optional(),
  questions: questionListSchema,
  groups: groupsField,
  publicityWorkingDays,
});

/**
 * A poll from a preset kind: the server writes the questions from the candidates, and the rule
 * from the kind's defaults overridden by `settings` (see shared/tally/rules.ts).
 */
export const createPresetPollBody = z
  .strictObject({
    title: name,
    kind: z.enum(PRESET_KINDS),
    /** `number`: the candidate's roster number, for the three evaluations (self-evaluation, not rating oneself). */
    candidates: z.array(z.strictObject({ id: idSchema, name, number: text(1, 40).optional() })).min(1).max(200),
    settings: z.record(z.string(), z.unknown()).default({}),
    /** League recommendation: "recommend up to k"; default: the number of candidates. */
    maxChoices: z.number().int().min(1).max(200).optional(),
    groups: groupsField,
    publicityWorkingDays,
  })
  .superRefine((body, ctx) => {
    const ids = body.candidates.map((c) => c.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['candidates'], message: 'duplicate candidate id' });
    if (body.maxChoices !== undefined && body.maxChoices > ids.length)
      ctx.addIssue({ code: 'custom', path: ['maxChoices'], message: 'more than the number of candidates' });
    const rule = ruleSchema.safeParse({ ...body.settings, kind: body.kind });
    if (!rule.success)
      for (const issue of rule.error.issues) ctx.addIssue({ code: 'custom', path: ['settings', ...issue.path.map(String)], message: issue.message });
  });

export const createPollBody = z.union([createGenericPollBody, createPresetPollBody]);
export const scrutineersBody = z.strictObject({
  scrutineers: z
    .array(
      z.strictObject({
        name,
        role: z.enum(['supervisor', 'counter']),
        /** The scrutineer's account, when they will co-sign the result from their own browser. */
        account: z.string().regex(/^[A-Za-z0-9._-]{3,64}$/, 'a username').optional(),
      }),
    )
    .max(10),
});
export const exclusionBody = z.strictObject({ reason: text(2, 500), approvedBy: name });
export const writtenOpinionBody = z.strictObject({ choices: z.record(idSchema, z.union([idSchema, z.array(idSchema).max(200)])) });
export const updatePollBody = z.strictObject({ title: name.optional(), questions: questionListSchema.optional() });
export const transitionBody = z.strictObject({ to: z.enum(['checkin', 'voting', 'closed', 'published']) });
export const slipsBody = z.strictObject({ voterIds: z.array(z.string().max(64)).max(5000).optional() });

/** An objection during the publicity period: anonymous unless a name is given. */
export const objectionBody = z.strictObject({
  text: text(5, 2000),
  name: text(1, 100).optional(),
  contact: text(1, 200).optional(),
});
export const objectionOutcomeBody = z.strictObject({ outcome: z.enum(['proceed', 'defer', 'reject']), note: text(1, 2000) });

// ---- voter side ----

export const lookupBody = z.strictObject({ code: votingCodeInput });
export const checkinBody = z.strictObject({
  code: votingCodeInput,
  requests: z
    .array(z.strictObject({ pollId: idSchema, group: idSchema, blindedMessage: base64 }))
    .min(1)
    .max(50),
});
/** Three evaluations: a short comment per candidate (question id → text), shown to that candidate only, never attributed. */
export const ballotComments = z.record(idSchema, text(1, 500)).refine((c) => Object.keys(c).length <= 200, 'at most 200 comments');
export const castBody = z.strictObject({ token: base64url, choices: choicesSchema, comments: ballotComments.optional() });

export interface PublicKeyView {
  group: string;
  keyId: string;
  /** base64 DER SubjectPublicKeyInfo */
  spki: string;
  fingerprint: string;
}

export interface PublicPollView {
  id: string;
  title: string;
  kind: string;
  phase: Phase;
  groups: string[];
  questions: Question[];
  keys: PublicKeyView[];
}

export interface PublicMeetingView {
  id: string;
  title: string;
  polls: PublicPollView[];
}

export interface LookupResponse {
  meetingId: string;
  voter: { name: string };
  /** Three evaluations: the questions that are this voter's own candidacy (not scored by them as a member; self-evaluated instead). */
  ownCandidacies: { pollId: string; questionId: string }[];
  entitlements: { pollId: string; group: string; keyId: string; issued: boolean }[];
}

export interface CheckinResponse {
  signatures: { pollId: string; group: string; blindSignature: string }[];
}

export interface CastResponse {
  receipt: string;
  replay: boolean;
}

export interface TurnoutView {
  pollId: string;
  phase: Phase;
  expected: number;
  checkedIn: number;
  ballotsCast: number;
}

/** Outcomes of each recorded step; the vote itself stays advisory. */
export const DECISION_OUTCOMES = {
  committee_decision: ['confirmed', 'not_confirmed', 'deferred'],
  pre_examination: ['approved', 'returned'],
} as const;

export const decisionBody = z
  .strictObject({
    step: z.enum(['committee_decision', 'pre_examination']),
    outcome: z.string().max(40),
    decidedBy: name,
    date: z.iso.date(),
    note: text(0, 1000).default(''),
  })
  .refine((d) => (DECISION_OUTCOMES[d.step] as readonly string[]).includes(d.outcome), {
    path: ['outcome'],
    message: 'committee_decision: confirmed, not_confirmed or deferred; pre_examination: approved or returned',
  });

export interface DecisionView {
  questionId: string;
  step: 'committee_decision' | 'pre_examination';
  outcome: string;
  decidedBy: string;
  date: string;
  note: string;
}

export const candidateCommentsBody = z.strictObject({ code: votingCodeInput });
/** The comments raters wrote to a candidate, per candidacy in a closed three-evaluations poll. */
export interface CandidateCommentsResponse {
  candidacies: {
    pollId: string;
    pollTitle: string;
    questionId: string;
    /** Sorted by text. Null when fewer than the anonymity floor rated this candidate: then even unattributed comments could be told apart. */
    comments: string[] | null;
  }[];
}
export const selfEvaluationBody = z.strictObject({
  code: votingCodeInput,
  pollId: idSchema,
  scores: z.record(idSchema, z.number().int().min(0).max(1000)),
});
