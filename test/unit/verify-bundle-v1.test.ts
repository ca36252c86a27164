import { constants, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bundleSigningBytes,
  ed25519PublicKey,
  signBundle,
  verifyBundleSignature,
} from '../../shared/crypto/bundle-signature.ts';
import { canonicalJson } from '../../shared/crypto/jcs.ts';
import { webCryptoPssVerifier, type PssVerifier } from '../../shared/crypto/token.ts';
import { fromBase64, fromBase64Url, toBase64, toBase64Url, toHex, utf8 } from '../../shared/encoding.ts';
import { AppError } from '../../shared/errors.ts';
import type { BundleV1 as Bundle } from '../../shared/protocol/bundle.ts';
import { verifyBundle, type VerificationReport, type VerifyBundleOptions } from '../../shared/verify/verify-bundle.ts';
import {
  buildSignedBundle,
  randomEd25519SecretKey,
  recountResult,
  sortBallotsByToken,
  type BundleFixture,
} from '../helpers/bundle-fixture-v1.ts';

const CHECK_IDS = ['format', 'signature', 'token_keys', 'tokens', 'unique_nonces', 'ballot_order', 'issued', 'choices', 'recount', 'verdicts', 'cosignatures'];

/** A synchronous node:crypto verifier, to run the sequential path as the CLI does. */
const nodeKeys = new Map<string, KeyObject>();
const syncNodePssVerifier: PssVerifier = (spki, message, signature) => {
  const id = toHex(spki);
  let key = nodeKeys.get(id);
  if (!key) nodeKeys.set(id, (key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })));
  return nodeVerify('sha384', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, signature);
};

let fixture: BundleFixture;
beforeAll(async () => {
  fixture = await buildSignedBundle({ ballots: 40, groups: ['members', 'masses'], seed: 20250601 });
});

const copy = (): Bundle => structuredClone(fixture.bundle);
const verify = (input: unknown, options: Partial<VerifyBundleOptions> = {}) =>
  verifyBundle(input, { verifyPss: webCryptoPssVerifier, ...options });
const check = (report: VerificationReport, id: string) => report.checks.find((c) => c.id === id);

function expectFirstFailure(report: VerificationReport, id: string, code: string): void {
  expect(report.ok).toBe(false);
  expect(report.firstFailure).toMatchObject({ id, code });
  const failed = check(report, id);
  expect(failed).toMatchObject({ ok: false, code });
  // Every check before the first failure passed.
  for (const earlier of report.checks.slice(0, report.checks.indexOf(failed!))) expect(earlier.ok).toBe(true);
}

/** Index of a ballot whose token was issued to `group`. */
function ballotOfGroup(bundle: Bundle, group: string): number {
  const keyId = bundle.tokenKeys.find((k) => k.group === group)!.keyId;
  return bundle.ballots.findIndex((b) => toHex(fromBase64Url(b.token).subarray(66, 98)) === keyId);
}

function flipTokenByte(token: string, offset: number): string {
  const bytes = fromBase64Url(token);
  bytes[offset]! ^= 0x01;
  return toBase64Url(bytes);
}

describe('a bundle published under protocol v1 verifies under v1 rules', () => {
  it('passes every check, in order, with a sentence each', async () => {
    const report = await verify(fixture.bundle);
    expect(report.checks.map((c) => c.id)).toEqual(CHECK_IDS);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.firstFailure).toBeUndefined();
    expect(check(report, 'signature')!.detail).toBe(`Ed25519 signature by ${fixture.bundle.signer.publicKey} is valid; the signer is not pinned (no expected key was given)`);
    expect(check(report, 'tokens')!.detail).toMatch(/^40 tokens /);
  });

  it('gives the same report with a synchronous verifier, one at a time or many at once', async () => {
    const reference = await verify(fixture.bundle);
    expect(await verify(fixture.bundle, { verifyPss: syncNodePssVerifier })).toEqual(reference);
    expect(await verify(fixture.bundle, { concurrency: 1 })).toEqual(reference);
  });

  it('still verifies after a JSON round trip with other member order and indentation', async () => {
    const { signature, ...rest } = fixture.bundle;
    const reordered = JSON.parse(JSON.stringify({ signature, ...Object.fromEntries(Object.entries(rest).reverse()) }, null, 2));
    expect((await verify(reordered)).ok).toBe(true);
  });

  it('checks the signature over the bundle as published, not as the schema normalizes it', async () => {
    const bundle = copy();
    bundle.poll.questions[0]!.title = '  Accept Zhang San as a probationary member  '; // the schema trims titles
    expect((await verify(fixture.resign(bundle))).ok).toBe(true);
  });

  it('accepts the expected signer and names it', async () => {
    const report = await verify(fixture.bundle, { expectedSignerPublicKey: fixture.bundle.signer.publicKey });
    expect(report.ok).toBe(true);
    expect(check(report, 'signature')!.detail).toContain('(the expected signer)');
  });
});

describe('verifyBundle catches tampering', () => {
  it('an altered ballot choice: the signature fails; re-signed, the recount fails', async () => {
    const bundle = copy();
    const ballot = bundle.ballots[3]!;
    ballot.choices['accept-zhang'] = ballot.choices['accept-zhang'] === 'agree' ? 'disagree' : 'agree';
    const report = await verify(bundle);
    expectFirstFailure(report, 'signature', 'bundle_signature');
    expect(check(report, 'recount')!.ok).toBe(false); // later checks still run
    expectFirstFailure(await verify(fixture.resign(bundle)), 'recount', 'recount_mismatch');
  });

  it('a dropped ballot: the signature fails; re-signed, the recount fails', async () => {
    const bundle = copy();
    bundle.ballots.splice(5, 1);
    expectFirstFailure(await verify(bundle), 'signature', 'bundle_signature');
    expectFirstFailure(await verify(fixture.resign(bundle)), 'recount', 'ballots_cast_mismatch');
  });

  it('a dropped ballot with the counts adjusted to match: only the signature can tell', async () => {
    const bundle = copy();
    bundle.ballots.splice(5, 1);
    bundle.result = recountResult(bundle);
    const report = await verify(bundle);
    expectFirstFailure(report, 'signature', 'bundle_signature');
    expect(report.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['signature']);
  });

  it('a duplicated ballot, re-signed: unique_nonces', async () => {
    const bundle = copy();
    bundle.ballots.splice(4, 0, structuredClone(bundle.ballots[3]!));
    bundle.result = recountResult(bundle);
    const report = await verify(fixture.resign(bundle));
    expectFirstFailure(report, 'unique_nonces', 'duplicate_nonce');
    expect(report.firstFailure!.detail).toBe('ballots 3 and 4 carry the same token nonce');
  });

  it('a token from another poll signed with the right key, re-signed: tokens/token_context', async () => {
    const bundle = copy();
    const index = ballotOfGroup(bundle, 'members');
    const foreign = await fixture.mintToken({ group: 'members', pollId: 'poll-2' });
    bundle.ballots[index]!.token = foreign;
    bundle.ballots = sortBallotsByToken(bundle.ballots);
    const report = await verify(fixture.resign(bundle));
    expectFirstFailure(report, 'tokens', 'token_context');
    const at = bundle.ballots.findIndex((b) => b.token === foreign);
    expect(report.firstFailure!.detail).toBe(`ballot ${at}: token_context: the token was issued for another poll, voter group or question`);
  });

  it('a token for the other group of the same poll, re-signed: tokens/token_context', async () => {
    const bundle = copy();
    const index = ballotOfGroup(bundle, 'members');
    bundle.ballots[index]!.token = await fixture.mintToken({ group: 'masses', keyGroup: 'members' });
    bundle.ballots = sortBallotsByToken(bundle.ballots);
    expectFirstFailure(await verify(fixture.resign(bundle)), 'tokens', 'token_context');
  });

  it('a token under a key the bundle does not publish, re-signed: tokens/token_key_unknown', async () => {
    const bundle = copy();
    bundle.ballots[0]!.token = await fixture.mintToken({ group: 'members', keyGroup: 'stranger' });
    bundle.ballots = sortBallotsByToken(bundle.ballots);
    expectFirstFailure(await verify(fixture.resign(bundle)), 'tokens', 'token_key_unknown');
  });

  it('a changed count: the signature fails; re-signed, the recount fails', async () => {
    const bundle = copy();
    bundle.result.questions[1]!.counts.agree! += 1;
    expectFirstFailure(await verify(bundle), 'signature', 'bundle_signature');
    const report = await verify(fixture.resign(bundle));
    expectFirstFailure(report, 'recount', 'recount_mismatch');
    expect(report.firstFailure!.detail).toMatch(/^question accept-li, option agree: recount gives \d+, the result says \d+$/);
  });

  it('a count for an option that is not on the ballot, re-signed: recount', async () => {
    const bundle = copy();
    bundle.result.questions[0]!.counts.maybe = 0;
    expectFirstFailure(await verify(fixture.resign(bundle)), 'recount', 'recount_mismatch');
  });

  it('a changed byte in the signature: signature', async () => {
    const bundle = copy();
    const signature = fromBase64(bundle.signature);
    signature[10]! ^= 0x80;
    bundle.signature = toBase64(signature);
    expectFirstFailure(await verify(bundle), 'signature', 'bundle_signature');
  });

  it.each([
    ['nonce', 2],
    ['authenticator', 200],
  ])('a tampered token byte (%s), re-signed: tokens/token_signature at that ballot', async (_part, offset) => {
    const bundle = copy();
    bundle.ballots[7]!.token = flipTokenByte(bundle.ballots[7]!.token, offset);
    const report = await verify(fixture.resign(bundle));
    expectFirstFailure(report, 'tokens', 'token_signature');
    expect(report.firstFailure!.detail).toBe('ballot 7: token_signature: the token signature does not verify');
  });

  it('reports the lowest bad ballot whatever the concurrency', async () => {
    const bundle = copy();
    for (const i of [31, 12, 25]) bundle.ballots[i]!.token = flipTokenByte(bundle.ballots[i]!.token, 300);
    const signed = fixture.resign(bundle);
    for (const options of [{ concurrency: 1 }, { concurrency: 64 }, { verifyPss: syncNodePssVerifier }])
      expect((await verify(signed, options)).firstFailure!.detail).toMatch(/^ballot 12: token_signature/);
  });

  it('a token that is not a token, re-signed: tokens, with the decoding error', async () => {
    const bundle = copy();
    bundle.ballots[2]!.token = bundle.ballots[2]!.token.slice(0, -4);
    expectFirstFailure(await verify(fixture.resign(bundle)), 'tokens', 'token_length');
    bundle.ballots[2]!.token = 'AB'; // decodes to one byte... with non-zero trailing bits
    expectFirstFailure(await verify(fixture.resign(bundle)), 'tokens', 'bad_encoding');
  });

  it('a verifier that throws counts as a bad signature, not a crash', async () => {
    const report = await verify(fixture.bundle, {
      verifyPss: () => {
        throw new Error('no RSA here');
      },
    });
    expectFirstFailure(report, 'tokens', 'token_signature');
  });

  it('more ballots than tokens issued to the group, re-signed: issued', async () => {
    const bundle = copy();
    bundle.ballots.push({ token: await fixture.mintToken({ group: 'masses' }), choices: structuredClone(bundle.ballots[0]!.choices) });
    bundle.ballots = sortBallotsByToken(bundle.ballots);
    bundle.result = recountResult(bundle);
    const report = await verify(fixture.resign(bundle));
    expectFirstFailure(report, 'issued', 'over_issued');
    expect(report.firstFailure!.detail).toBe('group masses: 21 ballots but 20 tokens issued');
  });

  it('ballots in a group missing from issued count against zero, re-signed: issued', async () => {
    const bundle = copy();
    delete bundle.electorate.issued.masses;
    expectFirstFailure(await verify(fixture.resign(bundle)), 'issued', 'over_issued');
  });

  it.each<[string, (electorate: Bundle['electorate']) => void, string]>([
    ['tokens issued to a group without a key', (e) => (e.issued.visitors = 1), 'issued_without_key'],
    ['a group issued more tokens than voters checked in', (e) => (e.checkedIn = 19), 'issued_exceeds_checked_in'],
    ['more voters checked in than tokens issued', (e) => ((e.checkedIn = 41), (e.expected = 45)), 'checked_in_exceeds_issued'],
    ['more voters checked in than expected', (e) => (e.expected = 39), 'checked_in_exceeds_expected'],
  ])('%s, re-signed: issued', async (_name, mutate, code) => {
    const bundle = copy();
    mutate(bundle.electorate);
    expectFirstFailure(await verify(fixture.resign(bundle)), 'issued', code);
  });

  it('a voter in both groups holds two tokens but checks in once', async () => {
    const bundle = copy();
    bundle.electorate.checkedIn = 25; // 20 + 20 tokens, 15 voters in both groups
    bundle.electorate.expected = 30;
    expect((await verify(fixture.resign(bundle))).ok).toBe(true);
  });

  it('unsorted ballots, re-signed: ballot_order', async () => {
    const bundle = copy();
    [bundle.ballots[0], bundle.ballots[1]] = [bundle.ballots[1]!, bundle.ballots[0]!];
    const report = await verify(fixture.resign(bundle));
    expectFirstFailure(report, 'ballot_order', 'ballots_unsorted');
    expect(report.firstFailure!.detail).toBe('ballot 1 sorts before ballot 0');
  });

  it('a choice that is not an option, re-signed: choices', async () => {
    const bundle = copy();
    bundle.ballots[9]!.choices['accept-li'] = 'maybe';
    bundle.result = recountResult(bundle);
    const report = await verify(fixture.resign(bundle));
    expectFirstFailure(report, 'choices', 'invalid_choices');
    expect(report.firstFailure!.detail).toMatch(/^ballot 9: invalid_choices: question accept-li/);
  });

  it('approval choices out of canonical order, re-signed: choices', async () => {
    const bundle = copy();
    const index = bundle.ballots.findIndex((b) => (b.choices.recommend as string[]).length === 2);
    (bundle.ballots[index]!.choices.recommend as string[]).reverse();
    const report = await verify(fixture.resign(bundle));
    expectFirstFailure(report, 'choices', 'non_canonical_choices');
    expect(report.firstFailure!.detail).toBe(`ballot ${index}: question recommend: options are not in canonical (sorted) order`);
  });

  it('a token key whose id is not its hash, re-signed: token_keys', async () => {
    const bundle = copy();
    bundle.tokenKeys[1]!.keyId = bundle.tokenKeys[1]!.keyId.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const report = await verify(fixture.resign(bundle));
    expectFirstFailure(report, 'token_keys', 'token_key_id_mismatch');
    expect(check(report, 'tokens')).toMatchObject({ ok: false, code: 'token_key_unknown' });
  });

  it('two keys for one group, re-signed: token_keys', async () => {
    const bundle = copy();
    bundle.tokenKeys[1]!.group = bundle.tokenKeys[0]!.group;
    expectFirstFailure(await verify(fixture.resign(bundle)), 'token_keys', 'duplicate_key_group');
  });

  it.each([
    ['at the top', (b: Record<string, unknown>) => (b.comment = 'hi')],
    ['in a ballot', (b: Bundle) => Object.assign(b.ballots[0]!, { castAt: '2025-06-01T11:00:00Z' })],
    ['in the electorate', (b: Bundle) => Object.assign(b.electorate, { names: [] })],
  ])('an unknown member %s: format, and nothing else is checked', async (_where, mutate) => {
    const bundle = copy();
    mutate(bundle as Bundle & Record<string, unknown>);
    const report = await verify(bundle);
    expectFirstFailure(report, 'format', 'bundle_format');
    expect(report.checks).toHaveLength(1);
  });

  it('a bundle signed by another key: valid alone, refused when the signer is expected', async () => {
    const attacker = randomEd25519SecretKey();
    const { signature: _signature, ...rest } = copy();
    const forged = signBundle({ ...rest, signer: { alg: 'Ed25519', publicKey: toBase64(ed25519PublicKey(attacker)) } }, attacker);
    expect((await verify(forged)).ok).toBe(true);
    const report = await verify(forged, { expectedSignerPublicKey: fixture.bundle.signer.publicKey });
    expectFirstFailure(report, 'signature', 'signer_mismatch');
  });

  it('text with no canonical form (a lone surrogate) fails the signature instead of throwing', async () => {
    const bundle = copy();
    bundle.poll.title = 'broken \ud800 title';
    expectFirstFailure(await verify(bundle), 'signature', 'not_canonicalizable');
  });
});

describe('verifyBundle never throws on what is not a bundle', () => {
  it('reports arbitrary JSON values as a format failure', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (input) => {
        const report = await verify(input);
        expect(report.ok).toBe(false);
        expect(report.firstFailure!.id).toBe('format');
      }),
      { numRuns: 200 },
    );
  });


  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'bundle'],
    ['an array', []],
    ['an empty object', {}],
    ['another format', { format: 'anon-ballot-bundle/v2' }],
  ])('%s: format fails', async (_name, input) => {
    const report = await verify(input);
    expectFirstFailure(report, 'format', 'bundle_format');
    expect(report.checks).toHaveLength(1);
  });
});

describe('bundle signature', () => {
  it('signs the canonical JSON of everything but the signature', () => {
    const { signature: _signature, ...unsigned } = fixture.bundle;
    expect(bundleSigningBytes(fixture.bundle)).toEqual(utf8(canonicalJson(unsigned)));
    expect(bundleSigningBytes(unsigned)).toEqual(bundleSigningBytes(fixture.bundle));
    expect(signBundle(unsigned, fixture.installationSecretKey)).toEqual(fixture.bundle); // Ed25519 is deterministic
  });

  it('verifies a good signature and rejects changed content, without throwing on junk', () => {
    expect(verifyBundleSignature(fixture.bundle)).toBe(true);
    expect(verifyBundleSignature({ ...fixture.bundle, closedAt: '2025-06-02T12:00:00.000Z' })).toBe(false);
    expect(verifyBundleSignature({ ...fixture.bundle, signature: 'AAAA' })).toBe(false);
    expect(verifyBundleSignature({ ...fixture.bundle, signer: { alg: 'Ed25519', publicKey: '!!' } })).toBe(false);
  });

  it('refuses to sign with a key that is not the one named in signer', () => {
    const { signature: _signature, ...unsigned } = fixture.bundle;
    try {
      signBundle(unsigned, randomEd25519SecretKey());
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('signer_mismatch');
    }
  });
});
