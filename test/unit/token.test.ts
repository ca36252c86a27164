/**
 * The ballot token format (shared/crypto/token.ts) with real keys and real blind signatures:
 * encode/decode round trip, every rejection with its own error code, and agreement between the
 * OpenSSL and WebCrypto verifiers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { concatBytes, toHex } from '../../shared/encoding.ts';
import { blind, finalize, parseRsaSpki, randomNonce } from '../../shared/crypto/blind-rsa.ts';
import {
  AUTHENTICATOR_LENGTH,
  checkToken,
  decodeToken,
  encodeToken,
  encodeTokenInput,
  keyFingerprint,
  tokenContext,
  tokenInputOf,
  tokenKeyId,
  TOKEN_INPUT_LENGTH,
  TOKEN_LENGTH,
  webCryptoPssVerifier,
  type PssVerifier,
  type TokenExpectation,
} from '../../shared/crypto/token.ts';
import { blindSign, generateIssuingKey, nodePssVerifier, nodePssVerifierParallel, type IssuingKey } from '../../server/crypto/blind-signer.ts';

const POLL = 'poll-2024-agm';
const GROUP = 'members';
const QUESTION = 'cand-1';
const verifiers: [string, PssVerifier][] = [
  ['node:crypto', nodePssVerifier],
  ['node:crypto on the thread pool', nodePssVerifierParallel],
  ['WebCrypto', webCryptoPssVerifier],
];

/** What a voter's client does: blind the token input, have it signed, unblind. */
function issueToken(key: IssuingKey, pollId: string, group: string, keyId = tokenKeyId(key.spki), questionId = QUESTION): Uint8Array {
  const pk = parseRsaSpki(key.spki);
  const fields = { nonce: randomNonce(), context: tokenContext(pollId, group, questionId), keyId };
  const input = encodeTokenInput(fields);
  const { blindedMessage, inverse } = blind(pk, input);
  const authenticator = finalize(pk, input, blindSign(key.privateKeyPkcs8, key.spki, blindedMessage), inverse);
  return encodeToken({ ...fields, authenticator });
}

async function expectCode(action: () => unknown, code: string): Promise<void> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected an AppError with code ${code}`).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe(code);
}

const flip = (bytes: Uint8Array, index: number): Uint8Array => {
  const copy = bytes.slice();
  copy[index]! ^= 0x01;
  return copy;
};

describe('the token context', () => {
  it('is SHA-256 over the framed label, poll, group and question: no two different triples share it', async () => {
    const { createHash } = await import('node:crypto');
    const framed = (...parts: string[]) => Buffer.concat(parts.flatMap((p) => [Buffer.from([0, 0, 0, Buffer.byteLength(p)]), Buffer.from(p)]));
    expect(toHex(tokenContext('p', 'g', 'q'))).toBe(createHash('sha256').update(framed('anon-ballot/v2/token-context', 'p', 'g', 'q')).digest('hex'));
    // Without lengths "ab"+"c" and "a"+"bc" would collide; with them they do not.
    expect(toHex(tokenContext('p', 'ab', 'c'))).not.toBe(toHex(tokenContext('p', 'a', 'bc')));
  });
});

describe('ballot tokens', () => {
  let key: IssuingKey;
  let otherKey: IssuingKey;
  let token: Uint8Array;
  let expected: TokenExpectation;

  beforeAll(() => {
    key = generateIssuingKey();
    otherKey = generateIssuingKey();
    token = issueToken(key, POLL, GROUP);
    expected = { keyId: tokenKeyId(key.spki), spki: key.spki, context: tokenContext(POLL, GROUP, QUESTION) };
  });

  it('has the documented layout', () => {
    expect(TOKEN_INPUT_LENGTH).toBe(98);
    expect(AUTHENTICATOR_LENGTH).toBe(256);
    expect(token.length).toBe(TOKEN_LENGTH);
    expect(toHex(token.subarray(0, 2))).toBe('ba11');
    expect(toHex(token.subarray(34, 66))).toBe(toHex(tokenContext(POLL, GROUP, QUESTION)));
    expect(toHex(token.subarray(66, 98))).toBe(toHex(tokenKeyId(key.spki)));
    expect(keyFingerprint(tokenKeyId(key.spki))).toBe(toHex(tokenKeyId(key.spki)).slice(0, 16));
  });

  it('decodes what it encodes', () => {
    const decoded = decodeToken(token);
    expect(toHex(encodeToken(decoded))).toBe(toHex(token));
    expect(toHex(decoded.keyId)).toBe(toHex(expected.keyId));
    expect(toHex(decoded.context)).toBe(toHex(expected.context));
    expect(decoded.nonce.length).toBe(32);
    expect(decoded.authenticator.length).toBe(256);
  });

  it.each(verifiers)('accepts a genuine token (%s)', async (_name, verifier) => {
    const checked = await checkToken(token, expected, verifier);
    expect(toHex(checked.nonce)).toBe(toHex(token.subarray(2, 34)));
  });

  it('rejects a token of the wrong length: short, or with a trailing byte', async () => {
    await expectCode(() => decodeToken(token.subarray(0, TOKEN_LENGTH - 1)), 'token_length');
    await expectCode(() => decodeToken(concatBytes(token, Uint8Array.of(0))), 'token_length');
    await expectCode(() => checkToken(new Uint8Array(0), expected, nodePssVerifier), 'token_length');
  });

  it('rejects an unknown token type, and a v1 token (0x0002) where v2 is expected', async () => {
    const wrongType = token.slice();
    wrongType[1] = 0x03;
    await expectCode(() => decodeToken(wrongType), 'token_type');
    const v1 = token.slice();
    v1.set([0x00, 0x02], 0);
    await expectCode(() => decodeToken(v1), 'token_type');
    expect(decodeToken(v1, 0x0002).nonce).toEqual(v1.subarray(2, 34));
    await expectCode(() => checkToken(flip(token, 0), expected, nodePssVerifier), 'token_type');
  });

  it('rejects a token issued under another key', async () => {
    const foreign = issueToken(otherKey, POLL, GROUP);
    await expectCode(() => checkToken(foreign, expected, nodePssVerifier), 'token_key_id');
    await expectCode(() => checkToken(flip(token, 70), expected, nodePssVerifier), 'token_key_id');
  });

  it('rejects a token spent in another poll, for another voter group or for another question', async () => {
    await expectCode(() => checkToken(issueToken(key, 'another-poll', GROUP), expected, nodePssVerifier), 'token_context');
    await expectCode(() => checkToken(issueToken(key, POLL, 'observers'), expected, nodePssVerifier), 'token_context');
    await expectCode(() => checkToken(issueToken(key, POLL, GROUP, tokenKeyId(key.spki), 'cand-2'), expected, nodePssVerifier), 'token_context');
    await expectCode(() => checkToken(flip(token, 40), expected, nodePssVerifier), 'token_context');
  });

  it.each(verifiers)('rejects a tampered nonce (%s)', async (_name, verifier) => {
    await expectCode(() => checkToken(flip(token, 2), expected, verifier), 'token_signature');
    await expectCode(() => checkToken(flip(token, 33), expected, verifier), 'token_signature');
  });

  it.each(verifiers)('rejects a tampered authenticator (%s)', async (_name, verifier) => {
    await expectCode(() => checkToken(flip(token, TOKEN_INPUT_LENGTH), expected, verifier), 'token_signature');
    await expectCode(() => checkToken(flip(token, TOKEN_LENGTH - 1), expected, verifier), 'token_signature');
  });

  it.each(verifiers)('rejects a token signed by another key that claims ours (%s)', async (_name, verifier) => {
    const forged = issueToken(otherKey, POLL, GROUP, tokenKeyId(key.spki));
    await expectCode(() => checkToken(forged, expected, verifier), 'token_signature');
  });

  it('gets the same answer from both verifiers on genuine and tampered tokens', async () => {
    const candidates = [token, flip(token, 5), flip(token, 120), flip(token, TOKEN_LENGTH - 1), issueToken(key, POLL, GROUP)];
    for (const candidate of candidates) {
      const input = tokenInputOf(candidate);
      const authenticator = candidate.subarray(TOKEN_INPUT_LENGTH);
      const byNode = await nodePssVerifier(key.spki, input, authenticator);
      const byWebCrypto = await webCryptoPssVerifier(key.spki, input, authenticator);
      expect(byWebCrypto).toBe(byNode);
    }
    expect(await nodePssVerifier(key.spki, tokenInputOf(token), token.subarray(TOKEN_INPUT_LENGTH))).toBe(true);
    expect(await nodePssVerifier(key.spki, tokenInputOf(flip(token, 5)), token.subarray(TOKEN_INPUT_LENGTH))).toBe(false);
  });
});
