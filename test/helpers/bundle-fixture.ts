/**
 * Builds real, signed protocol v2 tally bundles for tests and benchmarks: one real RSA-2048 key
 * per (group, question), real tokens, valid random answers with their salts and receipts, the
 * meeting's key set, a consistent electorate, ballots in token order, withholding where the
 * anonymity floor requires it, an Ed25519 installation signature. Everything a test needs to forge
 * variations comes back with the bundle.
 *
 * A finalized RSABSSA-SHA384-PSS-Deterministic signature (RFC 9474) is an ordinary RSASSA-PSS
 * signature (SHA-384, MGF1-SHA-384, 48-byte salt) over the token input, so the fixture signs the
 * token input directly with node:crypto instead of running the blind protocol: the verifier
 * cannot, and should not, tell the difference. Signing runs on libuv's thread pool.
 *
 * `seed` makes nonces, answers, salts and the installation key reproducible (PSS salts stay
 * random). Protocol v1 bundles: bundle-fixture-v1.ts.
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { signBundle, ed25519PublicKey } from '../../shared/crypto/bundle-signature.ts';
import { keySetDigest } from '../../shared/crypto/key-set.ts';
import { ballotReceipt } from '../../shared/crypto/receipt.ts';
import { NONCE_LENGTH, tokenContext } from '../../shared/crypto/token.ts';
import { compareBytes, fromHex, toBase64, toBase64Url, toHex } from '../../shared/encoding.ts';
import { anonymityFloorOf, mustWithhold, publishedAnswer } from '../../shared/protocol/anonymity.ts';
import { BUNDLE_FORMAT, resultOfBundle, type BundleV2, type OpeningStatement, type UnsignedBundle } from '../../shared/protocol/bundle.ts';
import { ABSTAIN, AGREE_OPTIONS, type Choice, type Question } from '../../shared/protocol/poll.ts';
import type { Rule } from '../../shared/tally/rules.ts';
import { fixtureRsaKey, type FixtureTokenKey } from './bundle-fixture-v1.ts';
import { encodeToken, encodeTokenInput } from '../../shared/crypto/token.ts';
import { constants, sign, type KeyObject } from 'node:crypto';

export { fixtureRsaKey, type FixtureTokenKey };

export interface BundleFixtureOptions {
  /** Voters: each submits one ballot per question under their group's keys. */
  voters: number;
  /** Voter groups; voters are spread round-robin. Default ['members']. */
  groups?: string[];
  questions?: Question[];
  rule?: Rule;
  pollId?: string;
  /** Makes nonces, answers, salts and the installation key reproducible. Default: random. */
  seed?: number;
  /** Answers, by voter index and question; default random. */
  answer?: (voter: number, question: Question, random: () => number) => Choice;
}

export interface BundleFixture {
  bundle: BundleV2;
  installationSecretKey: Uint8Array;
  /** The key of each (group, question), by `group|questionId`. */
  keyOf(group: string, questionId: string): FixtureTokenKey;
  /** A valid token for (group, question) of `pollId` (default the bundle's), signed with the key of `keyGroup|keyQuestion` (default the same). */
  mintToken(options: { group: string; questionId: string; pollId?: string; keyGroup?: string; keyQuestion?: string; nonce?: Uint8Array }): Promise<Uint8Array>;
  /** Strips any signature and signs again with the installation key, as a compromised server could. */
  resign(bundle: BundleV2 | UnsignedBundle): BundleV2;
  /** The receipt of a shown ballot (hex), for tests that change a ballot and "fix" its receipt. */
  receiptOf(token: Uint8Array, salt: Uint8Array, answer: Choice): string;
}

/** RSASSA-PSS (SHA-384, salt 48) on the thread pool. */
function signPss(privateKey: KeyObject, message: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    sign('sha384', message, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, (error, signature) =>
      error ? reject(error) : resolve(new Uint8Array(signature)),
    );
  });
}

export async function mintTokenBytes(options: { pollId: string; group: string; questionId: string; key: FixtureTokenKey; nonce: Uint8Array }): Promise<Uint8Array> {
  const fields = { nonce: options.nonce, context: tokenContext(options.pollId, options.group, options.questionId), keyId: options.key.keyId };
  const authenticator = await signPss(options.key.privateKey, encodeTokenInput(fields));
  return encodeToken({ ...fields, authenticator });
}

/** mulberry32: a tiny seeded generator; fixtures need reproducibility, not secrecy. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const defaultFixtureQuestions: Question[] = [
  { id: 'accept-zhang', type: 'single', title: 'Accept Zhang San as a probationary member', options: [...AGREE_OPTIONS] },
  { id: 'accept-li', type: 'single', title: 'Accept Li Si as a probationary member', options: [...AGREE_OPTIONS] },
  {
    id: 'recommend',
    type: 'approval',
    title: 'Recommend at most two for the youth league list',
    options: ['wang-wu', 'zhao-liu', 'qian-qi', 'sun-ba'],
    maxChoices: 2,
  },
];

/** A random valid answer (canonical form). */
export function randomAnswer(q: Question, random: () => number): Choice {
  if (q.type === 'single') return q.options[Math.floor(random() * q.options.length)]!;
  if (q.type === 'score') {
    if (random() < 0.1) return ABSTAIN;
    return Object.fromEntries([...q.criteria].sort().map((c) => [c, q.min + Math.floor(random() * (q.max - q.min + 1))]));
  }
  const pool = [...q.options];
  const picked: string[] = [];
  const k = Math.floor(random() * (q.maxChoices + 1));
  for (let i = 0; i < k; i++) picked.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return picked.sort();
}

export async function buildSignedBundle(options: BundleFixtureOptions): Promise<BundleFixture> {
  const groups = options.groups ?? ['members'];
  const questions = options.questions ?? defaultFixtureQuestions;
  const rule: Rule = options.rule ?? { kind: 'generic' };
  const pollId = options.pollId ?? 'poll-1';
  const random = seededRandom(options.seed ?? randomBytes(4).readUInt32BE(0));
  const randomBytesSeeded = (length: number) => Uint8Array.from({ length }, () => Math.floor(random() * 256));
  const keyOf = (group: string, questionId: string) => fixtureRsaKey(`${group}|${questionId}`);

  const installationSecretKey = randomBytesSeeded(32);
  const signerPublicKey = toBase64(ed25519PublicKey(installationSecretKey));

  // Each voter: one ballot per question under their group's key for it.
  const slots = Array.from({ length: options.voters }, (_, voter) => voter).flatMap((voter) =>
    questions.map((question) => ({ voter, group: groups[voter % groups.length]!, question })),
  );
  const answers = slots.map((s) => (options.answer ?? ((_v, q, r) => randomAnswer(q, r)))(s.voter, s.question, random));
  const nonces = slots.map(() => randomBytesSeeded(NONCE_LENGTH));
  const salts = slots.map(() => randomBytesSeeded(32));
  const tokens: Uint8Array[] = new Array(slots.length);
  const BATCH = 512;
  for (let start = 0; start < slots.length; start += BATCH) {
    const batch = await Promise.all(
      slots.slice(start, start + BATCH).map((s, j) =>
        mintTokenBytes({ pollId, group: s.group, questionId: s.question.id, key: keyOf(s.group, s.question.id), nonce: nonces[start + j]! }),
      ),
    );
    batch.forEach((token, j) => (tokens[start + j] = token));
  }
  const order = tokens.map((_, i) => i).sort((a, b) => compareBytes(tokens[a]!, tokens[b]!));
  const real = order.map((i) => ({
    token: toBase64Url(tokens[i]!),
    receipt: toHex(ballotReceipt(tokens[i]!, salts[i]!, answers[i]!)),
    salt: toBase64(salts[i]!),
    answer: answers[i]!,
    slot: slots[i]!,
  }));

  const keys = groups.flatMap((group) => questions.map((q) => ({ group, question: q, key: keyOf(group, q.id) })));
  const votersIn = (group: string) => Array.from({ length: options.voters }, (_, v) => v).filter((v) => groups[v % groups.length] === group).length;
  const tokenKeys = keys.map(({ group, question, key }) => ({ group, questionId: question.id, keyId: toHex(key.keyId), spki: toBase64(key.spki), issued: votersIn(group) }));
  const keyIds = tokenKeys.map((k) => k.keyId).sort();
  const floor = anonymityFloorOf(rule);
  const poll = { id: pollId, meetingId: 'meeting-1', title: 'Branch general meeting, autumn term', kind: rule.kind, questions, rule, anonymityFloor: floor };
  const n = options.voters;
  const electorate = {
    expected: n,
    headCount: n,
    headCountNote: '',
    checkedIn: n,
    struck: 0,
    lateCheckIns: 0,
    present: n,
    submitted: n,
    declaredNotVoted: null,
    refusedOverIssued: 0,
    ...(rule.kind === 'three_evaluations' ? { expectedByGroup: Object.fromEntries(groups.map((g) => [g, votersIn(g)])) } : {}),
  };
  const parts = {
    poll,
    electorate,
    keySet: { digest: toHex(keySetDigest(keyIds.map((id) => fromHex(id)))), keyIds },
    tokenKeys,
    ballots: real.map(({ token, receipt, salt, answer }) => ({ token, receipt, salt, answer })),
    writtenOpinions: [],
    exclusions: [],
  };
  const result = resultOfBundle(parts);
  const withheld = new Set(
    keys.filter(({ group, question }) => mustWithhold(question, real.filter((b) => b.slot.group === group && b.slot.question.id === question.id).map((b) => b.answer), floor)).map(({ key }) => toHex(key.keyId)),
  );
  const openingAnchor = { seq: 7, digest: toHex(randomBytesSeeded(32)) };
  const unsigned: UnsignedBundle = {
    format: BUNDLE_FORMAT,
    ...parts,
    ballots: real.map((b) => {
      const answer = publishedAnswer(b.answer, withheld.has(toHex(keyOf(b.slot.group, b.slot.question.id).keyId)));
      return answer === b.answer ? { token: b.token, receipt: b.receipt, salt: b.salt, answer } : { token: b.token, receipt: b.receipt, answer };
    }),
    scrutineers: [],
    opening: { statement: openingStatementOf(parts, openingAnchor), cosignatures: [] },
    record: { opening: openingAnchor, close: { seq: 9, digest: toHex(randomBytesSeeded(32)) } },
    result,
    closedAt: '2026-06-01T12:00:00.000Z',
    signer: { alg: 'Ed25519', publicKey: signerPublicKey },
  };
  const resign = (bundle: BundleV2 | UnsignedBundle): BundleV2 => {
    const { signature: _signature, cosignatures: _cosignatures, ...rest } = bundle as BundleV2;
    return signBundle(rest, installationSecretKey);
  };
  return {
    bundle: resign(unsigned),
    installationSecretKey,
    keyOf,
    mintToken: ({ group, questionId, pollId: tokenPollId, keyGroup, keyQuestion, nonce }) =>
      mintTokenBytes({ pollId: tokenPollId ?? pollId, group, questionId, key: keyOf(keyGroup ?? group, keyQuestion ?? questionId), nonce: nonce ?? randomBytesSeeded(NONCE_LENGTH) }),
    resign,
    receiptOf: (token, salt, answer) => toHex(ballotReceipt(token, salt, answer)),
  };
}

/** A fresh Ed25519 secret key, for tests that sign as someone else. */
export const randomEd25519SecretKey = (): Uint8Array => ed25519.utils.randomSecretKey();

/**
 * The opening statement that agrees with a bundle's electorate, keys and anchor at the opening
 * (shared/protocol/bundle.ts `openingStatementSchema`): every token issued at the opening, none late.
 */
export function openingStatementOf(
  parts: Pick<BundleV2, 'poll' | 'electorate' | 'keySet' | 'tokenKeys'>,
  anchor: { seq: number; digest: string },
): OpeningStatement {
  const e = parts.electorate;
  return {
    pollId: parts.poll.id,
    meetingId: parts.poll.meetingId,
    headCount: e.headCount,
    headCountNote: e.headCountNote,
    checkedIn: e.checkedIn - e.lateCheckIns,
    struck: e.struck,
    issued: parts.tokenKeys.map((k) => ({ keyId: k.keyId, issued: k.issued })).sort((a, b) => (a.keyId < b.keyId ? -1 : 1)),
    keySetDigest: parts.keySet.digest,
    record: anchor,
  };
}
