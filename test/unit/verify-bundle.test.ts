/**
 * The bundle verifier on protocol v2 bundles (docs/bundle-format.md, "Verification"): a good bundle
 * passes its 15 checks; each kind of tampering — even re-signed with the installation's own key —
 * is caught by the check that names it. (v1 bundles: verify-bundle-v1.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { webCryptoPssVerifier } from '../../shared/crypto/token.ts';
import { TOKEN_TYPE_V1 } from '../../shared/crypto/token.ts';
import { keySetDigest } from '../../shared/crypto/key-set.ts';
import { fromBase64, fromBase64Url, fromHex, toBase64Url, toHex } from '../../shared/encoding.ts';
import { resultOfBundle, type BundleV2 } from '../../shared/protocol/bundle.ts';
import { ruleSchema } from '../../shared/tally/rules.ts';
import { verifyBundle, type VerificationReport } from '../../shared/verify/verify-bundle.ts';
import { verifyBundleJson } from '../../shared/verify/verify-bundle-json.ts';
import { utf8 } from '../../shared/encoding.ts';
import { buildSignedBundle, fixtureRsaKey, type BundleFixture } from '../helpers/bundle-fixture.ts';
import { toBase64 } from '../../shared/encoding.ts';

const CHECK_IDS = ['format', 'signature', 'key_set', 'token_keys', 'tokens', 'unique_nonces', 'ballot_order', 'receipts', 'issued', 'answers', 'self_evaluations', 'recount', 'verdicts', 'record', 'cosignatures'];

let fixture: BundleFixture;
let small: BundleFixture;
beforeAll(async () => {
  fixture = await buildSignedBundle({ voters: 12, groups: ['members', 'masses'], seed: 20261207 });
  // Two voters: the approval key's ballots fall under the anonymity floor (3) and are withheld.
  small = await buildSignedBundle({ voters: 2, seed: 7 });
});

const copy = (f: BundleFixture = fixture): BundleV2 => structuredClone(f.bundle);
const verify = (input: unknown) => verifyBundle(input, { verifyPss: webCryptoPssVerifier });

function expectFirstFailure(report: VerificationReport, id: string, code: string): void {
  expect(report.firstFailure).toMatchObject({ id, code });
  const failed = report.checks.find((c) => c.id === id)!;
  for (const earlier of report.checks.slice(0, report.checks.indexOf(failed))) expect(earlier.ok, earlier.id).toBe(true);
}

/** The bundle with its result recounted (as a server hiding a change would), re-signed. */
const recounted = (f: BundleFixture, bundle: BundleV2) => f.resign({ ...bundle, result: resultOfBundle({ ...bundle, result: undefined } as unknown as BundleV2) });

const ballotOf = (bundle: BundleV2, questionId: string) =>
  bundle.ballots.findIndex((b) => bundle.tokenKeys.find((k) => k.keyId === toHex(fromBase64Url(b.token).subarray(66, 98)))?.questionId === questionId);

describe('a good v2 bundle', () => {
  it('passes every check, in order, with a sentence each', async () => {
    const report = await verify(fixture.bundle);
    expect(report.firstFailure).toBeUndefined();
    expect(report.checks.map((c) => c.id)).toEqual(CHECK_IDS);
    expect(report.checks.every((c) => c.ok && c.detail.length > 10)).toBe(true);
    // Valid, by whichever key the bundle names: the report says so, and the caller decides.
    expect(report.checks.find((c) => c.id === 'signature')!.detail).toBe(
      `Ed25519 signature by ${fixture.bundle.signer.publicKey} is valid; the signer is not pinned (no expected key was given)`,
    );
    // 12 voters × 3 questions, each ballot under its own question's key.
    expect(report.checks.find((c) => c.id === 'answers')!.detail).toMatch(/36 ballots each answer the one question of its key/);
  });

  it('withholds approval sets under the floor, and still verifies from the published counts', async () => {
    const bundle = small.bundle;
    const withheld = bundle.ballots.filter((b) => b.answer === 'withheld');
    expect(withheld).toHaveLength(2);
    expect(withheld.every((b) => b.salt === undefined)).toBe(true);
    const report = await verify(bundle);
    expect(report.firstFailure).toBeUndefined();
    expect(report.checks.find((c) => c.id === 'answers')!.detail).toMatch(/under the anonymity floor of 3/);
  });
});

describe('verifyBundleJson reads the bundle as published, strictly', () => {
  const text = () => JSON.stringify(fixture.bundle, null, 2);
  const verifyJson = (json: string | Uint8Array) => verifyBundleJson(json, { verifyPss: webCryptoPssVerifier, expectedSignerPublicKey: fixture.bundle.signer.publicKey });

  it('verifies the bundle from its UTF-8 bytes as from its text', async () => {
    expect((await verifyJson(utf8(text()))).ok).toBe(true);
    expect(await verifyJson(text())).toEqual(await verifyJson(utf8(text())));
  });

  it('refuses a "title": "Mallory" placed before the real title, which verifyBundle on JSON.parse’s reading would pass', async () => {
    const mallory = text().replace('"poll": {', '"poll": {\n    "title": "Mallory",');
    expect((await verifyBundle(JSON.parse(mallory), { verifyPss: webCryptoPssVerifier, expectedSignerPublicKey: fixture.bundle.signer.publicKey })).ok).toBe(true);
    const report = await verifyJson(utf8(mallory));
    expect(report.checks).toHaveLength(1);
    expectFirstFailure(report, 'format', 'duplicate_member');
    expect(report.firstFailure!.detail).toMatch(/^duplicate member poll\.title \(the name "title" again at byte \d+\)/);
  });

  it('refuses bytes that are not UTF-8 instead of reading them as U+FFFD', async () => {
    const bytes = utf8(text());
    bytes[utf8(text().slice(0, text().indexOf(fixture.bundle.poll.title))).length] = 0xc0;
    expectFirstFailure(await verifyJson(bytes), 'format', 'invalid_utf8');
  });
});

describe('tampering caught, even re-signed with the installation key', () => {
  it('an answer changed: the signature fails; re-signed, the receipt; with its receipt recomputed, the recount; with the result recounted too, nothing in the bundle (the voter’s receipt tells)', async () => {
    const bundle = copy();
    const at = ballotOf(bundle, 'accept-zhang');
    const ballot = bundle.ballots[at]!;
    ballot.answer = ballot.answer === 'agree' ? 'disagree' : 'agree';
    expectFirstFailure(await verify(bundle), 'signature', 'bundle_signature');
    expectFirstFailure(await verify(fixture.resign(bundle)), 'receipts', 'receipt_mismatch');
    ballot.receipt = fixture.receiptOf(fromBase64Url(ballot.token), fromBase64(ballot.salt!), ballot.answer);
    expectFirstFailure(await verify(fixture.resign(bundle)), 'recount', 'recount_mismatch');
    const hidden = await verify(recounted(fixture, bundle));
    expect(hidden.ok).toBe(true);
    expect(hidden.checks.find((c) => c.id === 'receipts')!.ok).toBe(true);
    // Only the voter's own signed receipt shows this one: see test/unit/receipts.test.ts.
  });

  it('a token of one question under another question’s key: tokens/token_context', async () => {
    const bundle = copy();
    const at = ballotOf(bundle, 'accept-li');
    const token = await fixture.mintToken({ group: 'members', questionId: 'accept-li', keyQuestion: 'accept-zhang' });
    bundle.ballots[at] = { ...bundle.ballots[at]!, token: toBase64Url(token) };
    const report = await verify(fixture.resign(bundle));
    expect(report.checks.find((c) => c.id === 'tokens')).toMatchObject({ ok: false, code: 'token_context' });
  });

  it('a token of another poll under the right key: tokens/token_context; a v1 token: tokens/token_type', async () => {
    const bundle = copy();
    const at = ballotOf(bundle, 'accept-li');
    const group = bundle.tokenKeys.find((k) => k.keyId === toHex(fromBase64Url(bundle.ballots[at]!.token).subarray(66, 98)))!.group;
    bundle.ballots[at] = { ...bundle.ballots[at]!, token: toBase64Url(await fixture.mintToken({ group, questionId: 'accept-li', pollId: 'poll-2' })) };
    expect((await verify(fixture.resign(bundle))).checks.find((c) => c.id === 'tokens')).toMatchObject({ ok: false, code: 'token_context' });
    const v1 = fromBase64Url(copy().ballots[0]!.token);
    v1[0] = TOKEN_TYPE_V1 >> 8;
    v1[1] = TOKEN_TYPE_V1 & 0xff;
    const other = copy();
    other.ballots[0] = { ...other.ballots[0]!, token: toBase64Url(v1) };
    expect((await verify(fixture.resign(other))).checks.find((c) => c.id === 'tokens')).toMatchObject({ ok: false, code: 'token_type' });
  });

  it('the key set: a key outside it, unsorted, or a digest that is not its own: key_set', async () => {
    const outside = copy();
    const stranger = fixtureRsaKey('stranger');
    outside.tokenKeys[0] = { ...outside.tokenKeys[0]!, keyId: toHex(stranger.keyId), spki: toBase64(stranger.spki) };
    expectFirstFailure(await verify(fixture.resign(outside)), 'key_set', 'key_set');
    const unsorted = copy();
    unsorted.keySet.keyIds.reverse();
    expectFirstFailure(await verify(fixture.resign(unsorted)), 'key_set', 'key_set');
    const digest = copy();
    digest.keySet.digest = toHex(keySetDigest(digest.keySet.keyIds.slice(1).map((id) => fromHex(id))));
    expectFirstFailure(await verify(fixture.resign(digest)), 'key_set', 'key_set');
  });

  it('two keys for one (group, question), or a key for a question the poll does not ask: token_keys', async () => {
    const twice = copy();
    twice.tokenKeys[1] = { ...twice.tokenKeys[1]!, questionId: twice.tokenKeys[0]!.questionId, group: twice.tokenKeys[0]!.group };
    expectFirstFailure(await verify(fixture.resign(twice)), 'token_keys', 'duplicate_key_group');
    const unknown = copy();
    unknown.tokenKeys[0] = { ...unknown.tokenKeys[0]!, questionId: 'nobody' };
    expectFirstFailure(await verify(fixture.resign(unknown)), 'token_keys', 'token_key_question');
  });

  it('a shown ballot without its salt, or a withheld one with a salt: receipts', async () => {
    const bundle = copy();
    delete bundle.ballots[0]!.salt;
    expectFirstFailure(await verify(fixture.resign(bundle)), 'receipts', 'receipt_salt');
    const withheld = copy(small);
    withheld.ballots.find((b) => b.answer === 'withheld')!.salt = toBase64(new Uint8Array(32));
    expectFirstFailure(await verify(small.resign(withheld)), 'receipts', 'receipt_salt');
  });

  it('the electorate: ballots beyond the tokens issued, a head count below the check-ins, a head count above them without a note, present not the head count', async () => {
    const over = copy();
    over.tokenKeys[0]!.issued = 1;
    expectFirstFailure(await verify(fixture.resign(over)), 'issued', 'over_issued');
    const below = copy();
    below.electorate.headCount = 11;
    below.electorate.present = 11;
    expectFirstFailure(await verify(fixture.resign(below)), 'issued', 'checked_in_exceeds_head_count');
    const unexplained = copy();
    unexplained.electorate = { ...unexplained.electorate, expected: 14, headCount: 13, present: 13 };
    expectFirstFailure(await verify(fixture.resign({ ...unexplained, result: resultOfBundle({ ...unexplained } as BundleV2) })), 'issued', 'head_count_note');
    const present = copy();
    present.electorate.present = 10;
    expectFirstFailure(await verify(fixture.resign(present)), 'issued', 'present_mismatch');
  });

  it('warns, without failing, when more voters submitted than checked in less those who said they did not vote', async () => {
    const bundle = copy();
    bundle.electorate.declaredNotVoted = 2;
    const report = await verify(fixture.resign(bundle));
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.id === 'issued')!.detail).toMatch(/WARNING: 12 submitted, but 12 checked in and 2 said they did not vote: 2 more than that/);
  });

  it('counts a bundle whose acceptance rule is looser than the Working Rules by its own rule, and warns naming the setting', async () => {
    const loose = await buildSignedBundle({
      voters: 4,
      seed: 13,
      questions: [{ id: 'accept-zhang', type: 'single', title: 'Zhang San', options: ['agree', 'disagree', 'abstain'] }],
      rule: ruleSchema.parse({ kind: 'member_acceptance', pass: { base: 'present' } }),
    });
    const report = await verify(loose.bundle);
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.id === 'verdicts')!.detail).toMatch(/WARNING: The pass base is the expected voting members, not those present/);
    const strict = await buildSignedBundle({ voters: 4, seed: 13, questions: loose.bundle.poll.questions, rule: ruleSchema.parse({ kind: 'member_acceptance' }) });
    expect((await verify(strict.bundle)).checks.find((c) => c.id === 'verdicts')!.detail).not.toMatch(/WARNING/);
  });

  it('withholding: a ballot withheld without cause, a ballot shown under the floor, a floor the rule does not give: answers', async () => {
    const needless = copy();
    const at = ballotOf(needless, 'recommend');
    needless.ballots[at] = { token: needless.ballots[at]!.token, receipt: needless.ballots[at]!.receipt, answer: 'withheld' };
    expectFirstFailure(await verify(fixture.resign(needless)), 'answers', 'withheld_without_cause');
    const shown = copy(small);
    const original = small.bundle;
    // A server that shows what the floor withholds: the approval set with its salt, from the fixture's secrets.
    const index = shown.ballots.findIndex((b) => b.answer === 'withheld');
    shown.ballots[index] = { ...shown.ballots[index]!, answer: ['wang-wu'], salt: toBase64(new Uint8Array(32)) };
    shown.ballots[index]!.receipt = small.receiptOf(fromBase64Url(shown.ballots[index]!.token), new Uint8Array(32), ['wang-wu']);
    expectFirstFailure(await verify(small.resign(shown)), 'answers', 'not_withheld');
    expect(original.ballots[index]!.answer).toBe('withheld');
    const floor = copy();
    floor.poll.anonymityFloor = 1;
    expectFirstFailure(await verify(fixture.resign(floor)), 'answers', 'anonymity_floor');
  });

  it('counts of a withheld approval question that its withheld ballots cannot give: recount', async () => {
    const bundle = copy(small);
    const question = bundle.result.questions.find((q) => q.id === 'recommend')!;
    question.counts['wang-wu'] = 3; // more than the two withheld ballots could hold
    expectFirstFailure(await verify(small.resign(bundle)), 'recount', 'recount_mismatch');
  });

  it('an answer not in canonical form (approval set unsorted) whose receipt matches it: answers', async () => {
    const bundle = copy();
    const at = bundle.ballots.findIndex((b) => Array.isArray(b.answer) && b.answer.length === 2);
    const ballot = bundle.ballots[at]!;
    ballot.answer = [...(ballot.answer as string[])].reverse();
    ballot.receipt = fixture.receiptOf(fromBase64Url(ballot.token), fromBase64(ballot.salt!), ballot.answer);
    expectFirstFailure(await verify(fixture.resign(bundle)), 'answers', 'non_canonical_choices');
  });

  it('the record anchored out of order: record', async () => {
    const bundle = copy();
    bundle.record = { opening: bundle.record.close, close: bundle.record.opening };
    expectFirstFailure(await verify(fixture.resign(bundle)), 'record', 'record_order');
  });

  it('an opening statement that disagrees with the bundle — head count, check-ins, strikes, a key, tokens, the anchor, the poll: record/opening_statement', async () => {
    const cases: [string, (b: BundleV2) => void][] = [
      ['head count', (b) => (b.opening.statement.headCount = 13)],
      ['note', (b) => (b.opening.statement.headCountNote = '2 came late')],
      ['checked in', (b) => (b.opening.statement.checkedIn = 11)],
      ['struck', (b) => (b.opening.statement.struck = 1)],
      ['a key left out', (b) => b.opening.statement.issued.pop()],
      ['keys unsorted', (b) => b.opening.statement.issued.reverse()],
      ['more tokens than in all', (b) => (b.opening.statement.issued[0]!.issued += 1)],
      ['fewer tokens, no late check-in', (b) => (b.opening.statement.issued[0]!.issued -= 1)],
      ['another anchor', (b) => (b.opening.statement.record = b.record.close)],
      ['another poll', (b) => (b.opening.statement.pollId = 'poll-2')],
    ];
    for (const [name, change] of cases) {
      const bundle = copy();
      change(bundle);
      const report = await verify(fixture.resign(bundle));
      expect(report.firstFailure, name).toMatchObject({ id: 'record', code: 'opening_statement' });
    }
    // A key set that grew after the opening (another poll's keys) is said, not refused.
    const grown = copy();
    grown.opening.statement.keySetDigest = 'ab'.repeat(32);
    const report = await verify(fixture.resign(grown));
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.id === 'record')!.detail).toMatch(/the meeting's key set then abababababababab \(another poll's keys came later\)/);
  });

  it('co-signatures of the opening statement: valid ones pass and are named; a statement changed after them, another key, a bundle co-signature in their place, or one twice: cosignatures', async () => {
    const { ed25519 } = await import('@noble/curves/ed25519.js');
    const { cosignOpeningStatement } = await import('../../shared/crypto/opening-statement.ts');
    const { cosignBundle } = await import('../../shared/crypto/bundle-digest.ts');
    const secrets = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const named = copy();
    named.scrutineers = [
      { name: '李监票', role: 'supervisor', publicKey: toBase64(ed25519.getPublicKey(secrets[0]!)) },
      { name: '赵计票', role: 'counter', publicKey: toBase64(ed25519.getPublicKey(secrets[1]!)) },
    ];
    const cosig = (i: number, bundle: BundleV2) => ({ ...named.scrutineers[i]!, publicKey: named.scrutineers[i]!.publicKey!, signature: cosignOpeningStatement(bundle.opening.statement, secrets[i]!) });
    named.opening.cosignatures = [cosig(0, named), cosig(1, named)];
    const good = await verify(fixture.resign(named));
    expect(good.firstFailure).toBeUndefined();
    expect(good.checks.find((c) => c.id === 'cosignatures')!.detail).toMatch(/the opening statement: 2 co-signatures valid \(李监票, 赵计票\)$/);

    // The installation changes the head count after the scrutineers signed, keeping the statement consistent.
    const changed = structuredClone(named);
    changed.opening.statement.headCount = changed.electorate.headCount = changed.electorate.present = 13;
    changed.electorate.headCountNote = changed.opening.statement.headCountNote = 'one more came';
    changed.electorate.expected = 14;
    const reportChanged = await verify(fixture.resign({ ...changed, result: resultOfBundle({ ...changed, result: undefined } as unknown as BundleV2) }));
    expect(reportChanged.firstFailure).toMatchObject({ id: 'cosignatures', code: 'cosignature' });

    const stranger = structuredClone(named);
    stranger.opening.cosignatures[0] = { ...stranger.opening.cosignatures[0]!, publicKey: toBase64(ed25519.getPublicKey(new Uint8Array(32).fill(3))) };
    expectFirstFailure(await verify(fixture.resign(stranger)), 'cosignatures', 'cosigner_unknown');

    // A co-signature of the bundle does not pass for one of the opening (each has its own label).
    const swapped = structuredClone(named);
    const unsigned = fixture.resign(swapped);
    swapped.opening.cosignatures[0]!.signature = cosignBundle(unsigned, secrets[0]!);
    expectFirstFailure(await verify(fixture.resign(swapped)), 'cosignatures', 'cosignature');

    const twice = structuredClone(named);
    twice.opening.cosignatures[1] = twice.opening.cosignatures[0]!;
    expectFirstFailure(await verify(fixture.resign(twice)), 'cosignatures', 'cosignature_repeated');
  });

  it('a v2 bundle relabelled v1 fails its format; a v1 bundle relabelled v2 too', async () => {
    const relabelled = { ...copy(), format: 'anon-ballot-bundle/v1' };
    expectFirstFailure(await verify(relabelled), 'format', 'bundle_format');
    const { buildSignedBundle: buildV1 } = await import('../helpers/bundle-fixture-v1.ts');
    const v1 = (await buildV1({ ballots: 4, seed: 1 })).bundle;
    expect((await verify(v1)).ok).toBe(true);
    expectFirstFailure(await verify({ ...v1, format: 'anon-ballot-bundle/v2' }), 'format', 'bundle_format');
  });
});
