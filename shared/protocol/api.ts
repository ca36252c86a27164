/**
 * Request bodies and response shapes of the HTTP API that the browser client, the demo client
 * and the server share. The server validates every body with these (strict: unknown keys are
 * rejected) and generates /api/openapi.json from them.
 */
import { z } from 'zod';
import { choiceSchema, idSchema, questionListSchema, text, type Phase, type Question } from './poll.ts';
import { PRESET_KINDS, ruleSchema } from '../tally/rules.ts';
import { bindingViolations } from '../tally/binding.ts';
import { LATE_CHECKIN_CODE_PATTERN } from './late-checkin-code.ts';
import { isCalendarDate } from '../publicity.ts';

/** The longest base64 (or base64url) string any body may carry: a sealed comment is the longest in use. */
export const MAX_BASE64_LENGTH = 4096;
/** At most this many blinded requests in one check-in, and ballots in one cast (server/body-limits.ts sizes both bodies from them). */
export const MAX_CHECKIN_REQUESTS = 400;
export const MAX_BALLOTS_PER_CAST = 400;

const base64 = z
  .string()
  .max(MAX_BASE64_LENGTH)
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');
const base64url = z.string().max(MAX_BASE64_LENGTH).regex(/^[A-Za-z0-9_-]*$/, 'must be base64url without padding');
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
/** A calendar date that exists, `YYYY-MM-DD`. */
const calendarDate = z.string().refine(isCalendarDate, 'a date that exists, YYYY-MM-DD');
/** One year of the work calendar (shared/publicity.ts), as the State Council's notice gives it. */
export const calendarYearBody = z.strictObject({
  source: text(2, 200),
  holidays: z.array(calendarDate).max(80),
  workdays: z.array(calendarDate).max(20),
});
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
  // Scores belong to the three evaluations (their rule averages them); plain counts have none.
  questions: questionListSchema.refine((qs) => qs.every((q) => q.type !== 'score'), 'score questions belong to the three evaluations'),
  groups: groupsField,
  publicityWorkingDays,
});

/**
 * The kinds whose candidates are voters of the same poll: every member of the branch grades
 * every other in the democratic appraisal, every class member rates the others in the three
 * evaluations. Each candidate must name their roster number, or they would get a token for
 * their own candidacy (rate themself) and, in the three evaluations, could not self-evaluate.
 * In the other kinds the candidates are applicants, activists or probationary members, who hold
 * no vote in the poll; a number is optional there (the league recommendation is one question, so
 * a number cannot leave anyone's candidacy out of it).
 */
export const CANDIDATES_ON_ROSTER_KINDS: readonly string[] = ['democratic_appraisal', 'three_evaluations'];

/**
 * A poll from a preset kind: the server writes the questions from the candidates, and the rule
 * from the kind's defaults overridden by `settings` (see shared/tally/rules.ts).
 */
export const createPresetPollBody = z
  .strictObject({
    title: name,
    kind: z.enum(PRESET_KINDS),
    /**
     * `number`: the candidate's roster number: no token for their own candidacy, and in the three
     * evaluations their self-evaluation. Required in CANDIDATES_ON_ROSTER_KINDS; checked against
     * the roster when check-in opens.
     */
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
    if (CANDIDATES_ON_ROSTER_KINDS.includes(body.kind))
      body.candidates.forEach((c, i) => {
        if (c.number === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['candidates', i, 'number'],
            message: `candidate ${c.name} needs their roster number: in a ${body.kind} poll the candidates are voters too, and no one may rate themself`,
          });
      });
    const numbers = body.candidates.flatMap((c) => (c.number === undefined ? [] : [c.number]));
    if (new Set(numbers).size !== numbers.length) ctx.addIssue({ code: 'custom', path: ['candidates'], message: 'two candidates have the same roster number' });
    if (body.maxChoices !== undefined && body.maxChoices > ids.length)
      ctx.addIssue({ code: 'custom', path: ['maxChoices'], message: 'more than the number of candidates' });
    const rule = ruleSchema.safeParse({ ...body.settings, kind: body.kind });
    if (!rule.success)
      for (const issue of rule.error.issues) ctx.addIssue({ code: 'custom', path: ['settings', ...issue.path.map(String)], message: issue.message });
    // The Working Rules' thresholds may be made stricter, never looser (shared/tally/binding.ts).
    else
      for (const violation of bindingViolations(rule.data))
        ctx.addIssue({ code: 'custom', path: ['settings', violation.setting], message: `${violation.en} ${violation.zh}` });
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
/** 会议改期: the head count that did not reach the quorum (services/opening.ts). */
export const rescheduleBody = z.strictObject({ headCount: z.number().int().min(0).max(100_000) });
/** What the act that opens voting records for a poll (services/opening.ts). */
export const openingFacts = z.strictObject({
  /** 清点人数: voting members in the room, counted before voting opens. */
  headCount: z.number().int().min(0).max(100_000),
  /** Why more were counted than have checked in. */
  headCountNote: text(0, 500).optional(),
  /** Voters (roster ids) whose check-in the scrutineers strike: not in the room. */
  strike: z.array(z.string().max(64)).max(5000).optional(),
});
export type OpeningFactsInput = z.infer<typeof openingFacts>;

/** One poll moves to its next phase; opening voting (`to: 'voting'`) carries the head count. */
export const transitionBody = z
  .strictObject({
    to: z.enum(['checkin', 'voting', 'closed', 'published']),
    headCount: openingFacts.shape.headCount.optional(),
    headCountNote: openingFacts.shape.headCountNote,
    strike: openingFacts.shape.strike,
  })
  .refine((b) => b.to !== 'voting' || b.headCount !== undefined, { path: ['headCount'], message: 'opening voting needs the head count' })
  .refine((b) => b.to === 'voting' || (b.headCount === undefined && b.headCountNote === undefined && b.strike === undefined), {
    path: ['to'],
    message: 'head count and strikes belong to opening voting',
  });
/** Every poll of a meeting one phase behind `to` moves; opening voting gives each poll's head count. */
export const meetingTransitionBody = z
  .strictObject({
    to: z.enum(['checkin', 'voting', 'closed', 'published']),
    openings: z.record(idSchema, openingFacts).optional(),
  })
  .refine((b) => b.to === 'voting' || b.openings === undefined, { path: ['openings'], message: 'openings belong to opening voting' });
export const declaredNotVotedBody = z.strictObject({ count: z.number().int().min(0).max(100_000).nullable() });
export const lateCheckInBody = z.strictObject({
  allowed: z.boolean(),
  /** Allowing it exposes each late voter who votes at once to timing: the organizer says they know. */
  exposureAccepted: z.boolean().optional(),
});
/** A scrutineer's approval of a late check-in names the check-in by the code they compared on the voter's phone. */
export const lateCheckInApprovalBody = z.strictObject({
  confirmationCode: z.string().regex(LATE_CHECKIN_CODE_PATTERN, 'the six characters the voter’s phone shows'),
});
/** GET /api/cosign/:id/late-checkins: the late check-ins waiting for a scrutineer, each with the code its phone shows. */
export interface LateCheckInsAwaiting {
  pollId: string;
  waiting: { voterId: string; name: string; number: string; confirmationCode: string }[];
}
export const slipsBody = z.strictObject({ voterIds: z.array(z.string().max(64)).max(5000).optional() });

/** An objection during the publicity period: anonymous unless a name is given. */
export const objectionBody = z.strictObject({
  text: text(5, 2000),
  name: text(1, 100).optional(),
  contact: text(1, 200).optional(),
  /** A member of the meeting's roster objects with their voting code: their own share, never stored. */
  code: votingCodeInput.optional(),
});
export const objectionOutcomeBody = z.strictObject({ outcome: z.enum(['proceed', 'defer', 'reject']), note: text(1, 2000) });

// ---- voter side ----

export const lookupBody = z.strictObject({ code: votingCodeInput });
/** The six digits the projector shows while check-in is open. */
export const roomCodeInput = z.string().regex(/^[0-9]{6}$/, 'the six digits shown on the projector');
/** A check-in's random handle: the device fetches its blind signatures with it. */
export const checkinIdInput = z.string().regex(/^[a-z0-9]{26}$/, 'a check-in id');

/** A blinded request for the token of one key: one per (poll, group, question) the voter holds a vote in. */
export const blindedRequest = z.strictObject({ pollId: idSchema, group: idSchema, questionId: idSchema, blindedMessage: base64 });
export const checkinBody = z.strictObject({
  code: votingCodeInput,
  roomCode: roomCodeInput,
  /** Every key of each poll checked in for, in one request: all of a poll or none of it. */
  requests: z.array(blindedRequest).min(1).max(MAX_CHECKIN_REQUESTS),
});
export const checkinStatusBody = z.strictObject({ checkinId: checkinIdInput });

/** Where a voter's check-in for one poll stands. */
export type CheckinState = 'none' | 'pending' | 'issued' | 'struck' | 'awaiting_approval';

export interface EntitledKey {
  group: string;
  questionId: string;
  keyId: string;
}

export interface LookupResponse {
  meetingId: string;
  voter: { name: string };
  /** The questions that are this voter's own candidacy: no token for them (self-evaluated instead in the three evaluations). */
  ownCandidacies: { pollId: string; questionId: string }[];
  /**
   * Each poll the code gives a vote in now: the keys its tokens would be issued under, and the
   * check-in's state; also (with no keys) the polls whose check-in was signed or struck when
   * voting opened.
   */
  polls: { pollId: string; phase: Phase; keys: EntitledKey[]; checkin: CheckinState; late: boolean }[];
}

export interface CheckinResponse {
  /** Keep it: the blind signatures are fetched with it once voting opens. */
  checkinId: string;
  polls: { pollId: string; state: CheckinState }[];
}

/**
 * A check-in's state per poll, and its blind signatures once voting opened. A poll the device
 * checked in for but that is missing here was checked in again from another device (or struck).
 */
export interface CheckinStatusResponse {
  polls: {
    pollId: string;
    phase: Phase;
    state: CheckinState;
    signatures?: { group: string; questionId: string; blindSignature: string }[];
  }[];
}

/** A ballot: one token (one key: one question) and its answer, with the device's receipt salt. */
export const ballotInput = z.strictObject({
  token: base64url,
  salt: base64,
  answer: choiceSchema,
  /** Three evaluations: a short comment on the candidate this ballot scores, sealed on the rater's device to the candidate's box key (base64). */
  comment: base64.optional(),
});
/** Every ballot of one voter for one poll, in one request or none. */
export const castBody = z.strictObject({ ballots: z.array(ballotInput).min(1).max(MAX_BALLOTS_PER_CAST) });

export interface CastResponse {
  /** True when the ballot box already held exactly these ballots (a retry after a lost answer). */
  replay: boolean;
  /** In the order of the request: each ballot's receipt (hex) and the installation's Ed25519 signature over it (base64). */
  receipts: { receipt: string; signature: string }[];
}

export interface PublicKeyView {
  group: string;
  questionId: string;
  keyId: string;
  /** base64 DER SubjectPublicKeyInfo */
  spki: string;
}

export interface PublicPollView {
  id: string;
  title: string;
  kind: string;
  phase: Phase;
  groups: string[];
  questions: Question[];
  keys: PublicKeyView[];
  /** Three evaluations: the keys candidates registered, with their fingerprints (raters seal comments to `boxKey`). */
  candidateKeys?: { questionId: string; signingKey: string; boxKey: string; fingerprint: string }[];
}

export interface PublicMeetingView {
  id: string;
  title: string;
  polls: PublicPollView[];
  /** The fingerprint of the meeting's key set, as on the slips and the projector (null before any key exists). */
  keySetFingerprint: string | null;
  /** The installation's Ed25519 key: the ballot box signs receipts with it. */
  signer: string;
}

export interface TurnoutView {
  pollId: string;
  phase: Phase;
  expected: number;
  /** Check-ins pending (before voting opens) or signed; never struck or unapproved ones. */
  checkedIn: number;
  /** Voters whose ballots the ballot box took: one submission per voter and poll. */
  submitted: number;
  /** 清点人数, once voting has opened. */
  headCount: number | null;
  /** Submissions refused because a key had no token left. */
  refusedOverIssued: number;
  /** How many in the room said they did not vote, as the scrutineers recorded it. */
  declaredNotVoted: number | null;
}

/** Outcomes of each recorded step; the vote itself stays advisory. */
export const DECISION_OUTCOMES = {
  committee_decision: ['confirmed', 'not_confirmed', 'deferred'],
  /** 预审 of a development object by a Party committee above the branch. */
  pre_examination: ['approved', 'returned'],
  /** 团委审核: the league committee reviews a league branch's recommendation (推优). */
  league_review: ['agreed', 'not_agreed'],
} as const;
export type DecisionStep = keyof typeof DECISION_OUTCOMES;
export const DECISION_STEPS = Object.keys(DECISION_OUTCOMES) as [DecisionStep, ...DecisionStep[]];

export const decisionBody = z
  .strictObject({
    step: z.enum(DECISION_STEPS),
    outcome: z.string().max(40),
    decidedBy: name,
    date: z.iso.date(),
    note: text(0, 1000).default(''),
  })
  .refine((d) => (DECISION_OUTCOMES[d.step] as readonly string[]).includes(d.outcome), {
    path: ['outcome'],
    message: 'committee_decision: confirmed, not_confirmed or deferred; pre_examination: approved or returned; league_review: agreed or not_agreed',
  });

export interface DecisionView {
  questionId: string;
  step: DecisionStep;
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
  /** The candidate's Ed25519 signature over the scores, with the key they registered in the room. */
  signature: base64,
});
/** A candidate's own public keys, registered in the room before voting opens (three evaluations). */
/** POST /api/candidate-keys: the first keys registered hold; others wait for a scrutineer's approval. */
export interface CandidateKeyRegistration {
  questionId: string;
  fingerprint: string;
  state: 'registered' | 'awaiting_approval';
}
/** GET /api/cosign/:id/candidate-keys: candidates with keys waiting to replace theirs (three evaluations). */
export interface CandidateKeyRequests {
  pollId: string;
  /** Keys can still be replaced (check-in, before the opening). */
  open: boolean;
  /** `approved`: a fingerprint a scrutineer approved whose keys have not reached the server yet. */
  candidates: { questionId: string; name: string; registered: string | null; requested: string[]; approved: string | null }[];
}
/**
 * POST /api/cosign/:id/candidate-keys/approve: `in_force` — the keys with this fingerprint are the
 * candidate's now; `awaiting_keys` — none with it waits (yet): they take effect as soon as the
 * candidate's phone sends them (the candidate checks in again on it).
 */
export interface CandidateKeyApproval {
  questionId: string;
  fingerprint: string;
  state: 'in_force' | 'awaiting_keys';
}
export const candidateKeyApprovalBody = z.strictObject({
  questionId: idSchema,
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/, 'the 16 hex digits the candidate’s phone shows'),
});
export const candidateKeyBody = z.strictObject({
  code: votingCodeInput,
  roomCode: roomCodeInput,
  pollId: idSchema,
  signingKey: base64,
  boxKey: base64,
});
