/**
 * The tally bundle: everything needed to re-check a published result without trusting the
 * server (format `anon-ballot-bundle/v1`, specified in docs/bundle-format.md).
 * `signature` is Ed25519 over the RFC 8785 (JCS) canonical JSON of the object without it.
 * `parseBundle` is strict: unknown members, wrong types and bad encodings are rejected.
 */
import { z } from 'zod';
import { choicesSchema, idSchema, questionSchema } from './poll.ts';
import { ruleSchema } from '../tally/rules.ts';
import { pollResultSchema, selfEvaluationSchema, writtenOpinionSchema, type PollResult } from '../tally/result.ts';
import { fromBase64Url, toHex } from '../encoding.ts';
import { tallyPoll } from '../tally/tally-poll.ts';

export const BUNDLE_FORMAT = 'anon-ballot-bundle/v1';

const base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'base64');
const base64url = z.string().regex(/^[A-Za-z0-9_-]*$/, 'base64url without padding');
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits');
const count = z.number().int().min(0);


export const bundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  poll: z.strictObject({
    id: idSchema,
    meetingId: idSchema,
    title: z.string(),
    kind: z.string(),
    questions: z.array(questionSchema),
    rule: ruleSchema,
  }),
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
  exclusions: z.array(z.strictObject({ reason: z.string(), approvedBy: z.string() })),
  /** `publicKey`: the Ed25519 key the scrutineer registered before close, to co-sign with. */
  scrutineers: z.array(z.strictObject({ name: z.string(), role: z.enum(['supervisor', 'counter']), publicKey: base64.optional() })),
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
  cosignatures: z.array(z.strictObject({ name: z.string(), role: z.enum(['supervisor', 'counter']), publicKey: base64, signature: base64 })).optional(),
});

export type Bundle = z.infer<typeof bundleSchema>;
export type UnsignedBundle = Omit<Bundle, 'signature' | 'cosignatures'>;
export type Cosignature = NonNullable<Bundle['cosignatures']>[number];

/**
 * The result that the bundle's own ballots, written opinions and electorate give under its
 * rule: what the server publishes at close and what the verifier recomputes.
 */
export function resultOfBundle(
  bundle: Pick<Bundle, 'poll' | 'ballots' | 'writtenOpinions' | 'exclusions' | 'electorate' | 'tokenKeys'> & Partial<Pick<Bundle, 'selfEvaluations'>>,
): PollResult {
  return tallyPoll({
    rule: bundle.poll.rule,
    questions: bundle.poll.questions,
    ballots: bundle.ballots.map((b) => b.choices),
    writtenOpinions: bundle.writtenOpinions,
    electorate: {
      expected: bundle.electorate.expected,
      present: bundle.electorate.checkedIn,
      excluded: bundle.exclusions.length,
      ...(bundle.electorate.expectedByGroup ? { expectedByGroup: bundle.electorate.expectedByGroup } : {}),
    },
    ...(bundle.poll.rule.kind === 'three_evaluations'
      ? { ballotGroups: ballotGroupsOf(bundle), selfEvaluations: bundle.selfEvaluations ?? [] }
      : {}),
  });
}

/** The voter group of each ballot: the group of the key its token names (bytes 66–97). */
export function ballotGroupsOf(bundle: Pick<Bundle, 'ballots' | 'tokenKeys'>): string[] {
  const groupByKey = new Map(bundle.tokenKeys.map((k) => [k.keyId, k.group]));
  return bundle.ballots.map((b) => groupByKey.get(toHex(fromBase64Url(b.token, 'token').subarray(66, 98))) ?? '');
}
