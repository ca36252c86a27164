/**
 * RSA blind signatures, the issuer's side: RFC 9474 BlindSign for RSABSSA-SHA384-PSS-Deterministic,
 * plus the RSA-PSS verifier the server uses to check spent tokens.
 *
 * The issuer applies its private key to a blinded message it cannot read (`blindSign`), and later
 * checks finished tokens as plain RSASSA-PSS signatures (`nodePssVerifier`). The private-key
 * operation is OpenSSL's (through node:crypto): CRT for speed and RSA blinding against timing
 * attacks, which RFC 9474 §7.1 requires of a signer that answers arbitrary inputs. Before any
 * result leaves, it is checked with the public key (§4.3 step 4): a faulty CRT computation would
 * otherwise hand out a value that factors n.
 *
 * Parsed keys are cached by key id (SHA-256 of the SPKI), because re-importing a PKCS#8 key costs
 * about as much as the signature itself.
 */
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  timingSafeEqual,
  verify,
  type KeyObject,
  type RSAKeyPairOptions,
} from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { fail } from '../../shared/errors.ts';
import { abytes, bigIntToBytes } from '../../shared/encoding.ts';
import { parseRsaSpki, SALT_LENGTH } from '../../shared/crypto/blind-rsa.ts';
import type { PssVerifier } from '../../shared/crypto/token.ts';
import { rsaBlindSign } from './rsa-blind-sign.mjs';

export const ISSUING_KEY_BITS = 2048;
const PUBLIC_EXPONENT = 65537;
/** Keys live for one poll; a small bound keeps a long-running server from hoarding them. */
const MAX_CACHED_KEYS = 256;

export interface IssuingKey {
  /** SubjectPublicKeyInfo DER (rsaEncryption), published and hashed into the token key id. */
  spki: Uint8Array;
  /** PKCS#8 DER of the private key; never leaves the server. */
  privateKeyPkcs8: Uint8Array;
}

const KEY_OPTIONS: RSAKeyPairOptions<'der', 'der'> = {
  modulusLength: ISSUING_KEY_BITS,
  publicExponent: PUBLIC_EXPONENT,
  publicKeyEncoding: { type: 'spki', format: 'der' },
  privateKeyEncoding: { type: 'pkcs8', format: 'der' },
};

/** A new issuing key, on the calling thread (tests and tools; the server uses the async form). */
export function generateIssuingKey(): IssuingKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', KEY_OPTIONS);
  return { spki: new Uint8Array(publicKey), privateKeyPkcs8: new Uint8Array(privateKey) };
}

/**
 * A new issuing key generated on libuv's thread pool: opening check-in on a poll with many
 * candidates needs one key per (group, candidate), and generating them on the event loop would
 * stall every other request for seconds.
 */
export function generateIssuingKeyAsync(): Promise<IssuingKey> {
  return new Promise((resolve, reject) =>
    generateKeyPair('rsa', KEY_OPTIONS, (error, publicKey, privateKey) =>
      error ? reject(error) : resolve({ spki: new Uint8Array(publicKey), privateKeyPkcs8: new Uint8Array(privateKey) }),
    ),
  );
}

const keyIdOf = (spki: Uint8Array): string => createHash('sha256').update(spki).digest('hex');

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= MAX_CACHED_KEYS) cache.clear();
  cache.set(key, value);
  return value;
}

interface SigningKey {
  pkcs8: Uint8Array;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** n as modulusLength big-endian bytes, for the range check without BigInt. */
  modulus: Uint8Array;
}

const signingKeys = new Map<string, SigningKey>();

function signingKeyFor(privateKeyPkcs8: Uint8Array, spki: Uint8Array): SigningKey {
  const keyId = keyIdOf(spki);
  const cached = signingKeys.get(keyId);
  // The cache is keyed by the public key; make sure the caller's private key is the cached one.
  if (
    cached &&
    cached.pkcs8.length === privateKeyPkcs8.length &&
    timingSafeEqual(cached.pkcs8, privateKeyPkcs8)
  )
    return cached;
  const pk = parseRsaSpki(spki);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(privateKeyPkcs8), format: 'der', type: 'pkcs8' });
  } catch {
    fail('bad_private_key', 'private key: not a PKCS#8 RSA key');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') fail('bad_private_key', 'private key: not an RSA key');
  return remember(signingKeys, keyId, {
    pkcs8: new Uint8Array(privateKeyPkcs8),
    privateKey,
    publicKey: createPublicKey({ key: Buffer.from(pk.spki), format: 'der', type: 'spki' }),
    modulus: bigIntToBytes(pk.n, pk.modulusLength),
  });
}

/** Drops a destroyed issuing key from this process's memory too (called when its poll closes). */
export function forgetIssuingKey(spki: Uint8Array): void {
  const cached = signingKeys.get(keyIdOf(spki));
  cached?.pkcs8.fill(0);
  signingKeys.delete(keyIdOf(spki));
}

const BLIND_SIGN_REFUSALS = {
  bad_length: 'blinded_msg: not the length of the modulus',
  blinded_message_out_of_range: 'blinded message representative is not below n',
  signing_fault: 'the signature did not verify under the public key',
} as const;

/**
 * RFC 9474 §4.3 BlindSign on the calling thread (server/crypto/rsa-blind-sign.mjs has the steps).
 * Throws `bad_length`, `blinded_message_out_of_range` or `signing_fault`; on a fault nothing
 * derived from the private key is returned.
 */
export function blindSign(privateKeyPkcs8: Uint8Array, spki: Uint8Array, blindedMessage: Uint8Array): Uint8Array {
  const key = signingKeyFor(privateKeyPkcs8, spki);
  abytes(blindedMessage, key.modulus.length, 'blinded_msg');
  const outcome = rsaBlindSign(key, blindedMessage);
  if (outcome.code) fail(outcome.code, BLIND_SIGN_REFUSALS[outcome.code]);
  return outcome.signature!;
}

/** The pending requests of one key, to be signed at the opening of voting. */
export interface SigningBatch {
  privateKeyPkcs8: Uint8Array;
  spki: Uint8Array;
  blindedMessages: Uint8Array[];
}

/**
 * Signs every batch in worker threads (one per core, at most 4), so that the opening of a poll
 * with hundreds of voters and many candidates leaves the event loop free. Each worker gets a
 * copy of its keys and exits afterwards, taking them with it. Throws the first refusal
 * (`signing_fault`, `blinded_message_out_of_range`, …): the opening is then not made.
 */
export async function blindSignInWorkers(batches: readonly SigningBatch[]): Promise<Uint8Array[][]> {
  if (batches.length === 0) return [];
  const workers = Math.max(1, Math.min(batches.length, availableParallelism(), 4));
  // Spread the keys so that each worker has about the same number of signatures to make.
  const shares: number[][] = Array.from({ length: workers }, () => []);
  const load = new Array<number>(workers).fill(0);
  [...batches.keys()]
    .sort((a, b) => batches[b]!.blindedMessages.length - batches[a]!.blindedMessages.length)
    .forEach((index) => {
      const lightest = load.indexOf(Math.min(...load));
      shares[lightest]!.push(index);
      load[lightest]! += batches[index]!.blindedMessages.length;
    });
  const results: Uint8Array[][] = new Array(batches.length);
  await Promise.all(
    shares.map(async (share) => {
      if (share.length === 0) return;
      const keys = share.map((index) => {
        const batch = batches[index]!;
        const pk = parseRsaSpki(batch.spki);
        return { pkcs8: new Uint8Array(batch.privateKeyPkcs8), spki: batch.spki, modulus: bigIntToBytes(pk.n, pk.modulusLength), messages: batch.blindedMessages };
      });
      const answers = await runSigningWorker(keys);
      share.forEach((index, i) => {
        const { signatures, codes } = answers[i]!;
        const refused = codes.find((code) => code !== null);
        if (refused) fail(refused, `an opening signature was refused: ${refused}`);
        results[index] = signatures.map((signature) => new Uint8Array(signature!));
      });
    }),
  );
  return results;
}

function runSigningWorker(keys: { pkcs8: Uint8Array; spki: Uint8Array; modulus: Uint8Array; messages: Uint8Array[] }[]) {
  return new Promise<{ signatures: (Uint8Array | null)[]; codes: (string | null)[] }[]>((resolve, reject) => {
    const worker = new Worker(new URL('./signing-worker.mjs', import.meta.url), { workerData: { keys } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`signing worker exited with ${code}`))));
  });
}

const verifyingKeys = new Map<string, { publicKey: KeyObject; modulusLength: number }>();
/** Callers (the verifier, the ballot box) pass the same SPKI object for every token of a key: skip re-hashing it. */
const verifyingKeysBySpkiObject = new WeakMap<Uint8Array, { publicKey: KeyObject; modulusLength: number }>();

function verifyingKeyFor(spki: Uint8Array): { publicKey: KeyObject; modulusLength: number } {
  const known = verifyingKeysBySpkiObject.get(spki);
  if (known) return known;
  const key = verifyingKeyBySpkiBytes(spki);
  verifyingKeysBySpkiObject.set(spki, key);
  return key;
}

function verifyingKeyBySpkiBytes(spki: Uint8Array): { publicKey: KeyObject; modulusLength: number } {
  const keyId = keyIdOf(spki);
  const cached = verifyingKeys.get(keyId);
  if (cached) return cached;
  // The same strict parser as the voter's side, so both accept exactly the same keys.
  const pk = parseRsaSpki(spki);
  return remember(verifyingKeys, keyId, {
    publicKey: createPublicKey({ key: Buffer.from(pk.spki), format: 'der', type: 'spki' }),
    modulusLength: pk.modulusLength,
  });
}

/**
 * RSASSA-PSS verification (SHA-384, MGF1-SHA-384, salt 48) by OpenSSL. A malformed signature is
 * simply invalid (false); a malformed key throws `bad_public_key`, which is a configuration error.
 */
export const nodePssVerifier: PssVerifier = (spki, message, signature) => {
  const key = verifyingKeyFor(spki);
  if (!(signature instanceof Uint8Array) || signature.length !== key.modulusLength) return false;
  try {
    return verify(
      'sha384',
      message,
      { key: key.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: SALT_LENGTH },
      signature,
    );
  } catch {
    return false;
  }
};

/**
 * The same check on libuv's thread pool (the callback form of crypto.verify), for the
 * command-line verifier: with 64 checks in flight, both cores work on a large bundle.
 */
export const nodePssVerifierParallel: PssVerifier = (spki, message, signature) => {
  const key = verifyingKeyFor(spki);
  if (!(signature instanceof Uint8Array) || signature.length !== key.modulusLength) return false;
  return new Promise<boolean>((resolve) => {
    try {
      verify(
        'sha384',
        message,
        { key: key.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: SALT_LENGTH },
        signature,
        (error, valid) => resolve(!error && valid),
      );
    } catch {
      resolve(false);
    }
  });
};
