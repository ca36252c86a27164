/**
 * Protocol v1 bundles (`anon-ballot-bundle/v1`), for the tests that show results published under
 * v1 still verify under v1's rules. Builds real, signed tally bundles: real RSA-2048 token keys, real
 * tokens, valid random choices, the published counts, ballots in token order, an Ed25519
 * installation signature. Everything a test needs to forge variations comes back with the bundle.
 *
 * A finalized RSABSSA-SHA384-PSS-Deterministic signature (RFC 9474) is an ordinary RSASSA-PSS
 * signature (SHA-384, MGF1-SHA-384, 48-byte salt) over the token input, so the fixture signs the
 * token input directly with node:crypto instead of running the blind protocol: the verifier
 * cannot, and should not, tell the difference. Signing runs on libuv's thread pool (the callback
 * form of crypto.sign), which makes 10,000 tokens a few seconds rather than ten.
 *
 * RSA keys are cached per process by group name, so every fixture in a test file shares them.
 * `seed` makes nonces, choices and the installation key reproducible (PSS salts stay random).
 */
import { constants, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { signBundle, ed25519PublicKey } from '../../shared/crypto/bundle-signature.ts';
import {
  encodeToken,
  encodeTokenInput,
  NONCE_LENGTH,
  tokenContextV1,
  tokenKeyId,
  TOKEN_TYPE_V1,
} from '../../shared/crypto/token.ts';
import { compareBytes, fromBase64Url, toBase64, toBase64Url, toHex } from '../../shared/encoding.ts';
import { BUNDLE_FORMAT_V1, resultOfBundle, type BundleV1 as Bundle } from '../../shared/protocol/bundle.ts';

type UnsignedBundle = Omit<Bundle, 'signature' | 'cosignatures'>;
import { AGREE_OPTIONS, type Choices, type Question } from '../../shared/protocol/poll.ts';

export interface FixtureTokenKey {
  group: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo DER, as published in the bundle. */
  spki: Uint8Array;
  keyId: Uint8Array;
}

export interface BundleFixtureOptions {
  ballots: number;
  /** Voter groups; each has its own token key. Ballots are spread round-robin. Default ['members']. */
  groups?: string[];
  questions?: Question[];
  pollId?: string;
  /** Makes nonces, choices and the installation key reproducible. Default: random. */
  seed?: number;
}

export interface BundleFixture {
  bundle: Bundle;
  installationSecretKey: Uint8Array;
  /** The token keys published in the bundle, by group. */
  tokenKeys: Map<string, FixtureTokenKey>;
  /**
   * A valid token, signed for real. `pollId` and `group` set the context (default: the bundle's
   * poll); `keyGroup` picks the signing key (default: `group`; any other name makes a key that is
   * not in the bundle).
   */
  mintToken(options: { group: string; pollId?: string; keyGroup?: string; nonce?: Uint8Array }): Promise<string>;
  /** Strips any signature and signs again with the installation key, as a compromised server could. */
  resign(bundle: Bundle | UnsignedBundle): Bundle;
}

const tokenKeyCache = new Map<string, FixtureTokenKey>();

/** An RSA-2048 token key for `group`, made once per process. */
export function fixtureTokenKey(group: string): FixtureTokenKey {
  return fixtureRsaKey(group);
}

/** An RSA-2048 key named `name`, made once per process (shared by the v1 and v2 fixtures). */
export function fixtureRsaKey(name: string): FixtureTokenKey {
  const group = name;
  let key = tokenKeyCache.get(group);
  if (!key) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    key = { group, privateKey, publicKey, spki, keyId: tokenKeyId(spki) };
    tokenKeyCache.set(group, key);
  }
  return key;
}

/** RSASSA-PSS (SHA-384, salt 48) on the thread pool. */
function signPss(privateKey: KeyObject, message: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    sign('sha384', message, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, (error, signature) =>
      error ? reject(error) : resolve(new Uint8Array(signature)),
    );
  });
}

export async function mintTokenBytes(options: {
  pollId: string;
  group: string;
  key: FixtureTokenKey;
  nonce: Uint8Array;
}): Promise<Uint8Array> {
  const fields = { nonce: options.nonce, context: tokenContextV1(options.pollId, options.group), keyId: options.key.keyId };
  const authenticator = await signPss(options.key.privateKey, encodeTokenInput(fields, TOKEN_TYPE_V1));
  return encodeToken({ ...fields, authenticator }, TOKEN_TYPE_V1);
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

function randomChoices(questions: readonly Question[], random: () => number): Choices {
  const choices: Choices = {};
  for (const q of questions) {
    if (q.type === 'single') {
      choices[q.id] = q.options[Math.floor(random() * q.options.length)]!;
    } else if (q.type === 'score') {
      choices[q.id] = Object.fromEntries(q.criteria.map((c) => [c, q.min + Math.floor(random() * (q.max - q.min + 1))]));
    } else {
      const pool = [...q.options];
      const picked: string[] = [];
      const k = Math.floor(random() * (q.maxChoices + 1));
      for (let i = 0; i < k; i++) picked.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
      choices[q.id] = picked.sort(); // the canonical form validateChoices returns
    }
  }
  return choices;
}

/** Ballots in strictly ascending token byte order, as the bundle publishes them. */
export function sortBallotsByToken<T extends { token: string }>(ballots: readonly T[]): T[] {
  return ballots
    .map((ballot) => ({ ballot, bytes: fromBase64Url(ballot.token) }))
    .sort((a, b) => compareBytes(a.bytes, b.bytes))
    .map(({ ballot }) => ballot);
}

/** The result a server would publish for these ballots (no written opinions, no exclusions unless given). */
export function recountResult(bundle: Pick<Bundle, 'poll' | 'ballots' | 'electorate' | 'tokenKeys'> & Partial<Pick<Bundle, 'writtenOpinions' | 'exclusions'>>): Bundle['result'] {
  return resultOfBundle({ format: BUNDLE_FORMAT_V1, writtenOpinions: [], exclusions: [], ...bundle } as Bundle);
}

export async function buildSignedBundle(options: BundleFixtureOptions): Promise<BundleFixture> {
  const groups = options.groups ?? ['members'];
  const questions = options.questions ?? defaultFixtureQuestions;
  const pollId = options.pollId ?? 'poll-1';
  const random = seededRandom(options.seed ?? randomBytes(4).readUInt32BE(0));
  const randomBytesSeeded = (length: number) => Uint8Array.from({ length }, () => Math.floor(random() * 256));

  const tokenKeys = new Map(groups.map((group) => [group, fixtureTokenKey(group)]));
  const installationSecretKey = randomBytesSeeded(32);
  const signerPublicKey = toBase64(ed25519PublicKey(installationSecretKey));

  const mint = (group: string, pollIdForToken: string, keyGroup: string, nonce: Uint8Array) =>
    mintTokenBytes({ pollId: pollIdForToken, group, key: tokenKeys.get(keyGroup) ?? fixtureTokenKey(keyGroup), nonce });

  // Signing is the slow part: keep a bounded number of signatures in flight on the thread pool.
  const ballotGroups = Array.from({ length: options.ballots }, (_, i) => groups[i % groups.length]!);
  const choices = ballotGroups.map(() => randomChoices(questions, random));
  const nonces = ballotGroups.map(() => randomBytesSeeded(NONCE_LENGTH));
  const tokens: Uint8Array[] = new Array(options.ballots);
  const BATCH = 512;
  for (let start = 0; start < options.ballots; start += BATCH) {
    const end = Math.min(options.ballots, start + BATCH);
    const batch = await Promise.all(
      ballotGroups.slice(start, end).map((group, j) => mint(group, pollId, group, nonces[start + j]!)),
    );
    batch.forEach((token, j) => (tokens[start + j] = token));
  }
  const order = tokens.map((_, i) => i).sort((a, b) => compareBytes(tokens[a]!, tokens[b]!));
  const ballots = order.map((i) => ({ token: toBase64Url(tokens[i]!), choices: choices[i]! }));

  const issued: Record<string, number> = Object.fromEntries(groups.map((g) => [g, 0]));
  for (const group of ballotGroups) issued[group]! += 1;
  const checkedIn = options.ballots;

  const poll: UnsignedBundle['poll'] = {
    id: pollId,
    meetingId: 'meeting-1',
    title: 'Branch general meeting, autumn term',
    kind: 'generic',
    questions,
    rule: { kind: 'generic' },
  };
  const electorate = { expected: checkedIn, checkedIn, issued };
  const publishedKeys = [...tokenKeys.values()].map((key) => ({ group: key.group, keyId: toHex(key.keyId), spki: toBase64(key.spki) }));
  const unsigned: UnsignedBundle = {
    format: BUNDLE_FORMAT_V1,
    poll,
    electorate,
    writtenOpinions: [],
    exclusions: [],
    scrutineers: [],
    tokenKeys: publishedKeys,
    ballots,
    result: recountResult({ poll, ballots, electorate, tokenKeys: publishedKeys }),
    closedAt: '2025-06-01T12:00:00.000Z',
    signer: { alg: 'Ed25519', publicKey: signerPublicKey },
  };

  const resign = (bundle: Bundle | UnsignedBundle): Bundle => {
    const { signature: _signature, ...rest } = bundle as Bundle;
    return signBundle(rest, installationSecretKey) as Bundle;
  };

  return {
    bundle: resign(unsigned),
    installationSecretKey,
    tokenKeys,
    mintToken: async ({ group, pollId: tokenPollId, keyGroup, nonce }) =>
      toBase64Url(await mint(group, tokenPollId ?? pollId, keyGroup ?? group, nonce ?? randomBytesSeeded(NONCE_LENGTH))),
    resign,
  };
}

/** A fresh Ed25519 secret key, for tests that sign as someone else. */
export const randomEd25519SecretKey = (): Uint8Array => ed25519.utils.randomSecretKey();
