/**
 * The tally bundle: everything needed to re-check a published result without trusting the
 * server, specified in docs/bundle-format.md.
 *
 *  - `anon-ballot-bundle/v2` (what this software writes): one issuing key per (voter group,
 *    question), so each ballot answers exactly one question and no published ballot links a
 *    voter's answers on two candidates; ballots carry their receipt (and salt and answer where
 *    shown); the electorate includes the head count taken when voting opened; the audit log's
 *    head at opening and at close is anchored in the signed bytes.
 *  - `anon-ballot-bundle/v1`: one key per voter group, one ballot answering every question.
 *    Still parsed and verified under its own rules, so results published under v1 stay checkable.
 *
 * `signature` is Ed25519 over the RFC 8785 (JCS) canonical JSON of the object without it (and
 * without `cosignatures`). `parseBundle` is strict: unknown members, wrong types and bad
 * encodings are rejected.
 */
import { z } from 'zod';
import { ABSTAIN, choiceSchema, choicesSchema, idSchema, questionSchema, WITHHELD, type Choice, type Choices } from './poll.ts';
import { ruleSchema } from '../tally/rules.ts';
import { pollResultSchema, selfEvaluationSchema, writtenOpinionSchema, type PollResult } from '../tally/result.ts';
import { fromBase64Url, toHex } from '../encoding.ts';
import { tallyPoll } from '../tally/tally-poll.ts';

export const BUNDLE_FORMAT_V1 = 'anon-ballot-bundle/v1';
export const BUNDLE_FORMAT = 'anon-ballot-bundle/v2';

const base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'base64');
const base64url = z.string().regex(/^[A-Za-z0-9_-]*$/, 'base64url without padding');
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits');
const count = z.number().int().min(0);
const scrutineer = z.strictObject({ name: z.string(), role: z.enum(['supervisor', 'counter']), publicKey: base64.optional() });
const cosignature = z.strictObject({ name: z.string(), role: z.enum(['supervisor', 'counter']), publicKey: base64, signature: base64 });
const exclusion = z.strictObject({ reason: z.string(), approvedBy: z.string() });
const pollSchema = z.strictObject({
  id: idSchema,
  meetingId: idSchema,
  title: z.string(),
  kind: z.string(),
  questions: z.array(questionSchema),
  rule: ruleSchema,
});

export const bundleSchemaV1 = z.strictObject({
  format: z.literal(BUNDLE_FORMAT_V1),
  poll: pollSchema,
  electorate: z.strictObject({
    expected: count,
    checkedIn: count,
    issued: z.record(idSchema, count),
    /** Three evaluations: expected voters per group (the participation rule's roster). */
    expectedByGroup: z.record(idSchema, count).optional(),
  }),
  tokenKeys: z.array(z.strictObject({ group: idSchema, keyId: hex64, spki: base64 })),
  ballots: z.array(z.strictObject({ token: base64url, choices: choicesSchema })),
  /** Written opinions of absent voting members, counted in the result; no names. */
  writtenOpinions: z.array(writtenOpinionSchema),
  /** Members left out of the expected count: why, and who approved; no names. */
  exclusions: z.array(exclusion),
  /** `publicKey`: the Ed25519 key the scrutineer registered before close, to co-sign with. */
  scrutineers: z.array(scrutineer),
  /** Three evaluations: the candidates' own signed statements (not ballots). */
  selfEvaluations: z.array(selfEvaluationSchema).optional(),
  result: pollResultSchema,
  closedAt: z.string(),
  signer: z.strictObject({ alg: z.literal('Ed25519'), publicKey: base64 }),
  signature: base64,
  /**
   * Scrutineers' Ed25519 signatures over the bundle digest (shared/crypto/bundle-digest.ts),
   * added after close: outside both the installation's signature and the digest.
   */
  cosignatures: z.array(cosignature).min(1).optional(),
});

/** The meeting's record at a moment (shared/audit/record.ts): its last entry's seq and the digest of its entries. */
export const auditAnchorSchema = z.strictObject({ seq: z.number().int().min(0), digest: hex64 });
export type AuditAnchor = z.infer<typeof auditAnchorSchema>;

/**
 * The opening statement (shared/crypto/opening-statement.ts): what was true when voting opened,
 * as the projector showed it and the scrutineers co-signed it. `issued` lists every key of the
 * poll, sorted by key id, with the tokens issued under it at the opening (late check-ins come after).
 */
export const openingStatementSchema = z.strictObject({
  pollId: idSchema,
  meetingId: idSchema,
  headCount: count,
  headCountNote: z.string(),
  checkedIn: count,
  struck: count,
  issued: z.array(z.strictObject({ keyId: hex64, issued: count })),
  keySetDigest: hex64,
  record: auditAnchorSchema,
});
export type OpeningStatement = z.infer<typeof openingStatementSchema>;

/** A v2 ballot: shown (salt and answer), or withheld under the anonymity floor (answer WITHHELD, no salt). */
export const ballotV2Schema = z.strictObject({
  token: base64url,
  receipt: hex64,
  salt: base64.optional(),
  answer: choiceSchema,
});
export type BallotV2 = z.infer<typeof ballotV2Schema>;

export const bundleSchemaV2 = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  poll: pollSchema
    .extend({
      /** Ballots richer than counts (scores, approval sets) are withheld under a key with fewer shown raters than this. */
      anonymityFloor: z.number().int().min(1).max(100),
    })
    // WITHHELD stands in for an answer: no option may be called so. A generic poll counts choices:
    // a score question (the three evaluations' own) has no count there.
    .refine((p) => p.questions.every((q) => !(q.type === 'score' ? q.criteria : q.options).includes(WITHHELD)), `no option or criterion may be "${WITHHELD}"`)
    .refine((p) => p.rule.kind !== 'generic' || p.questions.every((q) => q.type !== 'score'), 'a generic poll has no score question'),
  electorate: z.strictObject({
    expected: count,
    /** 清点人数: voting members in the room, counted when voting opened. */
    headCount: count,
    /** Why more were counted than had checked in (empty when the two agree). */
    headCountNote: z.string(),
    /** Voters whose check-in was signed: at the opening, plus approved late check-ins. */
    checkedIn: count,
    /** Check-ins struck at the opening by the scrutineers (the voter was not in the room). */
    struck: count,
    /** Check-ins after the opening, each approved by a scrutineer (0 unless the meeting allowed them). */
    lateCheckIns: count,
    /** The quorum's base: headCount + lateCheckIns. */
    present: count,
    /** Voters whose ballots the ballot box took (one submission per voter and poll). */
    submitted: count,
    /** How many in the room said they did not vote, as the scrutineers recorded it (null: not recorded). */
    declaredNotVoted: count.nullable(),
    /** Casts refused because no token was left under their key. */
    refusedOverIssued: count,
    /** Three evaluations: expected voters per group (the participation rule's roster). */
    expectedByGroup: z.record(idSchema, count).optional(),
  }),
  /** Every issuing key of the meeting, by id, and the digest printed on the slips. */
  keySet: z.strictObject({ digest: hex64, keyIds: z.array(hex64) }),
  /** This poll's keys: one per (group, question), with the number of tokens issued under it. */
  tokenKeys: z.array(z.strictObject({ group: idSchema, questionId: idSchema, keyId: hex64, spki: base64, issued: count })),
  ballots: z.array(ballotV2Schema),
  writtenOpinions: z.array(writtenOpinionSchema),
  exclusions: z.array(exclusion),
  scrutineers: z.array(scrutineer),
  /** Three evaluations: the public keys each candidate registered in the room (shared/crypto/candidate-key.ts). */
  candidateKeys: z.array(z.strictObject({ questionId: idSchema, signingKey: base64, boxKey: base64 })).optional(),
  /** Three evaluations: the candidates' own statements, each signed with their registered signing key. */
  selfEvaluations: z.array(selfEvaluationSchema.extend({ signature: base64 })).optional(),
  /** The opening statement and the scrutineers' co-signatures of it, gathered while voting was open. */
  opening: z.strictObject({ statement: openingStatementSchema, cosignatures: z.array(cosignature) }),
  /** The meeting's record (audit entries) anchored when voting opened and when the poll closed. */
  record: z.strictObject({ opening: auditAnchorSchema, close: auditAnchorSchema }),
  result: pollResultSchema,
  closedAt: z.iso.datetime(),
  signer: z.strictObject({ alg: z.literal('Ed25519'), publicKey: base64 }),
  signature: base64,
  cosignatures: z.array(cosignature).min(1).optional(),
}).refine(
  // The three evaluations always list the candidates' keys and statements (possibly none).
  (b) => b.poll.rule.kind !== 'three_evaluations' || (b.candidateKeys !== undefined && b.selfEvaluations !== undefined),
  { path: ['candidateKeys'], message: 'a three evaluations bundle lists candidateKeys and selfEvaluations' },
);

export const bundleSchema = z.discriminatedUnion('format', [bundleSchemaV2, bundleSchemaV1]);

export type BundleV1 = z.infer<typeof bundleSchemaV1>;
export type BundleV2 = z.infer<typeof bundleSchemaV2>;
export type Bundle = BundleV1 | BundleV2;
export type UnsignedBundle = Omit<BundleV2, 'signature' | 'cosignatures'>;
export type Cosignature = z.infer<typeof cosignature>;

export const isV2 = (bundle: Bundle): bundle is BundleV2 => bundle.format === BUNDLE_FORMAT;

/**
 * The result that the bundle's own ballots, written opinions and electorate give under its
 * rule: what the server publishes at close and what the verifier recomputes.
 */
export function resultOfBundle(bundle: Bundle | V2Input): PollResult {
  if (!('format' in bundle) || bundle.format === BUNDLE_FORMAT) return resultOfV2(bundle as BundleV2);
  const v1 = bundle as BundleV1;
  return tallyPoll({
    rule: v1.poll.rule,
    questions: v1.poll.questions,
    ballots: v1.ballots.map((b) => b.choices),
    writtenOpinions: v1.writtenOpinions,
    electorate: {
      expected: v1.electorate.expected,
      present: v1.electorate.checkedIn,
      excluded: v1.exclusions.length,
      ...(v1.electorate.expectedByGroup ? { expectedByGroup: v1.electorate.expectedByGroup } : {}),
    },
    ...(v1.poll.rule.kind === 'three_evaluations' ? { ballotGroups: ballotGroupsOf(v1), selfEvaluations: v1.selfEvaluations ?? [] } : {}),
  });
}

export type V2Input = Pick<BundleV2, 'poll' | 'ballots' | 'writtenOpinions' | 'exclusions' | 'electorate' | 'tokenKeys'> &
  Partial<Pick<BundleV2, 'selfEvaluations' | 'result'>>;

function resultOfV2(bundle: V2Input): PollResult {
  const keys = ballotKeysOf(bundle);
  const ballots = bundle.ballots.map((b, i) => ballotChoices(keys[i], b.answer));
  standInForWithheldApprovals(bundle, keys, ballots);
  return tallyPoll({
    rule: bundle.poll.rule,
    questions: bundle.poll.questions,
    ballots,
    writtenOpinions: bundle.writtenOpinions,
    electorate: {
      expected: bundle.electorate.expected,
      present: bundle.electorate.present,
      excluded: bundle.exclusions.length,
      ...(bundle.electorate.expectedByGroup ? { expectedByGroup: bundle.electorate.expectedByGroup } : {}),
    },
    ...(bundle.poll.rule.kind === 'three_evaluations'
      ? { ballotGroups: keys.map((k) => k?.group ?? ''), selfEvaluations: bundle.selfEvaluations ?? [] }
      : {}),
  });
}

/**
 * Approval sets withheld under the anonymity floor cannot be counted again; their counts are
 * public (the rule publishes them). So that the rule can still be applied to the published
 * counts, each withheld approval ballot is replaced, in place, by a stand-in: with `r[o]` the
 * published count of option o less the shown ballots and written opinions choosing it, the k-th
 * withheld ballot of a question (k = 0, 1, …) chooses every option with k < r[o]. The stand-ins
 * reproduce the published counts exactly when those are consistent (0 ≤ r[o] ≤ the number of
 * withheld ballots); otherwise the recount differs and the verifier says so. The server never
 * needs them: it counts the real ballots before withholding them.
 */
function standInForWithheldApprovals(bundle: V2Input, keys: ReturnType<typeof ballotKeysOf>, ballots: Choices[]) {
  for (const question of bundle.poll.questions) {
    if (question.type !== 'approval') continue;
    const withheld = bundle.ballots.flatMap((b, i) => (keys[i]?.questionId === question.id && b.answer === WITHHELD ? [i] : []));
    if (withheld.length === 0) continue;
    const published = bundle.result?.questions.find((q) => q.id === question.id)?.counts ?? {};
    const remaining = new Map(question.options.map((o) => [o, Object.hasOwn(published, o) ? published[o]! : 0]));
    const subtract = (choice: Choice | undefined) => {
      if (Array.isArray(choice)) for (const o of choice) remaining.set(o, (remaining.get(o) ?? 0) - 1);
    };
    bundle.ballots.forEach((b, i) => keys[i]?.questionId === question.id && b.answer !== WITHHELD && subtract(b.answer));
    for (const opinion of bundle.writtenOpinions) if (opinion.questionId === question.id) subtract(opinion.choice);
    withheld.forEach((index, k) => {
      ballots[index] = { [question.id]: question.options.filter((o) => k < (remaining.get(o) ?? 0)) };
    });
  }
}

/**
 * A v2 ballot as the counting rules read ballots: its one answer under its key's question. A
 * score question answered ABSTAIN (不了解) rates nobody, so it leaves the question out. A ballot
 * whose token names no published key counts for nothing (the verifier reports it).
 */
export function ballotChoices(key: { questionId: string } | undefined, answer: Choice): Choices {
  if (!key) return {};
  if (answer === ABSTAIN && isScoreAnswerKey(key)) return {};
  return { [key.questionId]: answer };
}
const isScoreAnswerKey = (key: { questionId: string; scored?: boolean }) => key.scored === true;

/** The published key each v2 ballot's token names (bytes 66–97), with whether its question is scored. */
export function ballotKeysOf(
  bundle: Pick<BundleV2, 'ballots' | 'tokenKeys' | 'poll'>,
): ({ group: string; questionId: string; keyId: string; scored: boolean } | undefined)[] {
  const scored = new Set(bundle.poll.questions.filter((q) => q.type === 'score').map((q) => q.id));
  const byId = new Map(bundle.tokenKeys.map((k) => [k.keyId, { group: k.group, questionId: k.questionId, keyId: k.keyId, scored: scored.has(k.questionId) }]));
  return bundle.ballots.map((b) => {
    try {
      return byId.get(toHex(fromBase64Url(b.token, 'token').subarray(66, 98)));
    } catch {
      return undefined;
    }
  });
}

/** v1: the voter group of each ballot, the group of the key its token names (bytes 66–97). */
export function ballotGroupsOf(bundle: Pick<BundleV1, 'ballots' | 'tokenKeys'>): string[] {
  const groupByKey = new Map(bundle.tokenKeys.map((k) => [k.keyId, k.group]));
  return bundle.ballots.map((b) => groupByKey.get(toHex(fromBase64Url(b.token, 'token').subarray(66, 98))) ?? '');
}

/** Is this published v2 answer withheld (not shown)? */
export const isWithheld = (answer: Choice) => answer === WITHHELD;
