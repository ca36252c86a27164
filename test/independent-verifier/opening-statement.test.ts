/**
 * The opening statement (docs/bundle-format.md: `opening`, "Digest and co-signatures",
 * Verification steps 14 `record` and 15 `cosignatures`) in the verifier written from docs/ alone
 * and in the project's own verifier, on bundles of test/helpers/bundle-fixture.ts. A good bundle
 * passes both. A statement that disagrees with the bundle — signed again with the installation key,
 * as a compromised server could, so that only step 14 can catch it — fails `record` with
 * `opening_statement` in both; a key set digest that differs is reported, not refused; with late
 * check-ins, fewer tokens at the opening than in all is right. Co-signatures of the statement made
 * here with @noble/curves, exactly as the documents say (`anon-ballot/opening/v2:` ‖
 * SHA-256(JCS(statement))), by scrutineers named with their keys, pass both; a statement changed
 * after them, a bundle co-signature in their place (and the reverse), a key of small order, a key
 * nobody named and one key twice fail `cosignatures` with the same code in both.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/crypto/jcs.ts';
import { cosignOpeningStatement } from '../../shared/crypto/opening-statement.ts';
import { webCryptoPssVerifier } from '../../shared/crypto/token.ts';
import { toBase64 } from '../../shared/encoding.ts';
import type { BundleV2 } from '../../shared/protocol/bundle.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { buildSignedBundle, openingStatementOf, type BundleFixture } from '../helpers/bundle-fixture.ts';
import { CHECKS_V2, docsVerifier } from './run-docs-verifier.ts';

const CHECKS = CHECKS_V2;

type Cosignature = BundleV2['opening']['cosignatures'][number];
type Scrutineer = BundleV2['scrutineers'][number];

let dir: string;
let fixture: BundleFixture;

const verifyFromDocs = docsVerifier(() => dir);

const verifyByProject = (bundle: unknown) => verifyBundle(bundle, { verifyPss: webCryptoPssVerifier });

/** Both verifiers accept `bundle`: every check passes. Returns the independent verifier's checks. */
async function expectBothValid(bundle: BundleV2) {
  const docs = await verifyFromDocs(bundle);
  expect(docs.code, docs.stdout).toBe(0);
  expect([...docs.checks.keys()]).toEqual(CHECKS);
  for (const n of CHECKS) expect([n, docs.checks.get(n)!.status], docs.stdout).toEqual([n, 'PASS']);
  const project = await verifyByProject(bundle);
  expect(project.firstFailure, JSON.stringify(project.checks.filter((c) => !c.ok))).toBeUndefined();
  expect(project.ok).toBe(true);
  return docs.checks;
}

/**
 * Both verifiers refuse `bundle` in check `id` alone, with `code`: the project's first failure is
 * { id, code } (or `projectCode`, where the project's code differs) and no other check fails; the
 * independent verifier fails `id` only, its detail naming the code. Returns the independent
 * verifier's detail of `id`.
 */
async function expectBothFail(bundle: BundleV2, id: string, code: string, projectCode = code) {
  const docs = await verifyFromDocs(bundle);
  expect(docs.code, docs.stdout).toBe(1);
  expect([...docs.checks.keys()]).toEqual(CHECKS);
  expect(CHECKS.filter((n) => docs.checks.get(n)!.status !== 'PASS'), docs.stdout).toEqual([id]);
  const detail = docs.checks.get(id)!.detail;
  expect(detail).toContain(`(code ${code})`);
  const project = await verifyByProject(bundle);
  expect(project.firstFailure).toMatchObject({ id, code: projectCode });
  expect(project.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual([id]);
  return detail;
}

// --- the documents' encodings (docs/bundle-format.md, "Digest and co-signatures") ---
const sha256 = (x: Uint8Array | string) => createHash('sha256').update(x).digest();
/** SHA-256 of the JCS of the opening statement. */
const statementDigest = (b: BundleV2) => sha256(canonicalJson(b.opening.statement));
/** SHA-256 of the JCS of the bundle without `cosignatures` (its `signature` included). */
const bundleDigest = (b: BundleV2) => {
  const { cosignatures: _c, ...rest } = b;
  return sha256(canonicalJson(rest));
};
const label = (text: string, digest: Uint8Array) => Buffer.concat([Buffer.from(text, 'ascii'), digest]);
/** Ed25519 over `anon-ballot/opening/v2:` ‖ the statement's digest. */
const signOpening = (b: BundleV2, secret: Uint8Array) => toBase64(ed25519.sign(label('anon-ballot/opening/v2:', statementDigest(b)), secret));
/** Ed25519 over `anon-ballot/cosignature/v1:` ‖ the bundle's digest. */
const signBundleDigest = (b: BundleV2, secret: Uint8Array) => toBase64(ed25519.sign(label('anon-ballot/cosignature/v1:', bundleDigest(b)), secret));

const secrets = { li: ed25519.utils.randomSecretKey(), zhao: ed25519.utils.randomSecretKey(), stranger: ed25519.utils.randomSecretKey() };
const publicOf = (secret: Uint8Array) => toBase64(ed25519.getPublicKey(secret));
/** Two scrutineers who registered a key, and one who did not. */
const scrutineers: Scrutineer[] = [
  { name: '李监票', role: 'supervisor', publicKey: publicOf(secrets.li) },
  { name: '赵计票', role: 'counter', publicKey: publicOf(secrets.zhao) },
  { name: '孙计票', role: 'counter' },
];
const cosignatureBy = (b: BundleV2, who: 'li' | 'zhao'): Cosignature => {
  const s = scrutineers[who === 'li' ? 0 : 1]!;
  return { name: s.name, role: s.role, publicKey: s.publicKey!, signature: signOpening(b, secrets[who]) };
};
const byPublicKey = (x: Cosignature, y: Cosignature) => (x.publicKey < y.publicKey ? -1 : x.publicKey > y.publicKey ? 1 : 0);

/** A copy of the fixture's bundle, changed by `change`, signed again with the installation key. */
function tampered(change: (copy: BundleV2) => void, from: BundleV2 = fixture.bundle): BundleV2 {
  const copy = structuredClone(from);
  change(copy);
  return fixture.resign(copy);
}

/** The bundle with the scrutineers named and both keys' co-signatures of the opening statement. */
const cosigned = () =>
  tampered((b) => {
    b.scrutineers = structuredClone(scrutineers);
    b.opening.cosignatures = [cosignatureBy(b, 'li'), cosignatureBy(b, 'zhao')].sort(byPublicKey);
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anon-ballot-docs-opening-'));
  fixture = await buildSignedBundle({ voters: 12, groups: ['members', 'masses'], seed: 20261129 });
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the opening statement agrees with the bundle (step 14 `record`, code opening_statement)', () => {
  it('a good bundle passes both verifiers; its statement is the one the fixture derives from the bundle', async () => {
    const b = fixture.bundle;
    expect(b.opening).toEqual({ statement: openingStatementOf(b, b.record.opening), cosignatures: [] });
    expect(b.opening.statement.issued).toHaveLength(6); // 2 groups × 3 questions
    const checks = await expectBothValid(b);
    expect(checks.get('record')!.detail).toContain(
      `the opening statement agrees with the bundle: head count 12, 12 checked in at the opening, 0 struck, 6 key(s) with 36 token(s) issued at the opening; the meeting's key set then was keySet (fingerprint ${b.keySet.digest.slice(0, 16)})`,
    );
    expect(checks.get('cosignatures')!.detail).toContain(`the opening statement (digest ${statementDigest(b).toString('hex')}): no co-signatures`);
    // Re-signing alone changes nothing: what fails below fails for the change.
    await expectBothValid(tampered(() => {}));
  });

  const cases: [string, (b: BundleV2) => void, RegExp][] = [
    ['a head count one more', (b) => (b.opening.statement.headCount += 1), /opening\.statement\.headCount 13 != electorate\.headCount 12/],
    ['another head count note', (b) => (b.opening.statement.headCountNote = '两人迟到'), /opening\.statement\.headCountNote "两人迟到" != electorate\.headCountNote ""/],
    ['one fewer checked in', (b) => (b.opening.statement.checkedIn -= 1), /opening\.statement\.checkedIn 11 != electorate\.checkedIn − electorate\.lateCheckIns 12/],
    ['a check-in struck', (b) => (b.opening.statement.struck = 1), /opening\.statement\.struck 1 != electorate\.struck 0/],
    ['a key dropped', (b) => b.opening.statement.issued.splice(2, 1), /opening\.statement\.issued: key [0-9a-f]{64} of tokenKeys is not listed/],
    ['a key listed twice', (b) => b.opening.statement.issued.splice(1, 0, structuredClone(b.opening.statement.issued[1]!)), /opening\.statement\.issued\[2\]: key id [0-9a-f]{64} is not after [0-9a-f]{64} \(sorted by key id, distinct\)/],
    ['the keys unsorted', (b) => b.opening.statement.issued.reverse(), /opening\.statement\.issued\[1\]: key id [0-9a-f]{64} is not after/],
    ['a key of no token key', (b) => (b.opening.statement.issued[5]!.keyId = 'f'.repeat(64)), /opening\.statement\.issued\[5\]: key id f{64} is not one of tokenKeys/],
    ['one token fewer at the opening, no late check-in', (b) => (b.opening.statement.issued[0]!.issued -= 1), /opening\.statement\.issued\[0\]: 5 token\(s\) issued at the opening, but 6 in all and no late check-in/],
    ['one token more at the opening than in all', (b) => (b.opening.statement.issued[3]!.issued += 1), /opening\.statement\.issued\[3\]: 7 token\(s\) issued at the opening > 6 issued in all \(tokenKeys\)/],
    ['the anchor at close', (b) => (b.opening.statement.record = structuredClone(b.record.close)), /opening\.statement\.record #9 \([0-9a-f]{64}\) != record\.opening #7/],
    // (a new object: the fixture's statement and record.opening share one, and structuredClone keeps that)
    ['another anchor digest', (b) => (b.opening.statement.record = { ...b.record.opening, digest: 'ab'.repeat(32) }), /opening\.statement\.record #7 \((ab){32}\) != record\.opening #7/],
    ['another poll', (b) => (b.opening.statement.pollId = 'poll-2'), /opening\.statement\.pollId "poll-2" != poll\.id "poll-1"/],
    ['another meeting', (b) => (b.opening.statement.meetingId = 'meeting-2'), /opening\.statement\.meetingId "meeting-2" != poll\.meetingId "meeting-1"/],
  ];
  for (const [name, change, why] of cases) {
    it(`${name}: record fails in both verifiers`, async () => {
      const detail = await expectBothFail(tampered(change), 'record', 'opening_statement');
      expect(detail).toMatch(/^the opening statement disagrees with the bundle: /);
      expect(detail).toMatch(why);
    });
  }

  it('the electorate changed instead of the statement: record fails in both too', async () => {
    // A head count note added at close (the head count itself is one more than the check-ins then).
    const note = tampered((b) => {
      b.electorate.headCountNote = '一人未签到即入场';
    });
    expect(await expectBothFail(note, 'record', 'opening_statement')).toMatch(/opening\.statement\.headCountNote "" != electorate\.headCountNote "一人未签到即入场"/);
    // The anchor moved at close.
    const anchor = tampered((b) => {
      b.record.opening = { seq: 8, digest: 'cd'.repeat(32) };
    });
    expect(await expectBothFail(anchor, 'record', 'opening_statement')).toMatch(/opening\.statement\.record #7 \([0-9a-f]{64}\) != record\.opening #8 \((cd){32}\)/);
  });

  it("a key set digest other than keySet's is reported, not refused", async () => {
    const grown = tampered((b) => (b.opening.statement.keySetDigest = 'ab'.repeat(32)));
    const checks = await expectBothValid(grown);
    expect(checks.get('record')!.detail).toMatch(
      new RegExp(`the meeting's key set then was abababababababab, not keySet ${fixture.bundle.keySet.digest.slice(0, 16)} \\(another poll of the meeting created keys later: reported, not refused\\)$`),
    );
  });

  it('with a late check-in, fewer tokens at the opening than in all pass; checkedIn counts the opening only', async () => {
    // One voter checked in late (approved by a scrutineer): 11 at the opening, 12 in all; the head
    // count 12 (one more than the check-ins at the opening, said in the note); present 13 of 13
    // expected. A generic poll has no quorum, so the result does not change.
    const late = (statementCheckedIn: number) =>
      tampered((b) => {
        Object.assign(b.electorate, { lateCheckIns: 1, present: 13, expected: 13, headCountNote: '一人迟到' });
        b.opening.statement.headCountNote = '一人迟到';
        b.opening.statement.checkedIn = statementCheckedIn;
        b.opening.statement.issued[0]!.issued -= 1;
        b.opening.statement.issued[4]!.issued -= 1;
      });
    const checks = await expectBothValid(late(11));
    expect(checks.get('record')!.detail).toContain('head count 12, 11 checked in at the opening, 0 struck, 6 key(s) with 34 token(s) issued at the opening');
    expect(await expectBothFail(late(12), 'record', 'opening_statement')).toMatch(/opening\.statement\.checkedIn 12 != electorate\.checkedIn − electorate\.lateCheckIns 11/);
    // Still never more than in all.
    const more = tampered((b) => (b.opening.statement.issued[1]!.issued += 1), late(11));
    expect(await expectBothFail(more, 'record', 'opening_statement')).toMatch(/opening\.statement\.issued\[1\]: 7 token\(s\) issued at the opening > 6 issued in all/);
  });

  it('the statement is part of the signed bytes: changed without re-signing, the signature fails in both', async () => {
    const b = structuredClone(fixture.bundle);
    b.opening.statement.headCount += 1;
    const docs = await verifyFromDocs(b);
    expect(docs.checks.get('signature')!.status).toBe('FAIL');
    expect((await verifyByProject(b)).firstFailure).toMatchObject({ id: 'signature' });
  });
});

describe('co-signatures of the opening statement (step 15 `cosignatures`)', () => {
  it('made as the documents say, by scrutineers named with their keys: pass in both', async () => {
    const b = cosigned();
    expect(b.opening.cosignatures).toHaveLength(2);
    // The signature made here from the documents is the project's own (Ed25519 is deterministic).
    for (const c of b.opening.cosignatures) {
      const who = c.publicKey === publicOf(secrets.li) ? 'li' : 'zhao';
      expect(c.signature).toBe(cosignOpeningStatement(b.opening.statement, secrets[who]));
    }
    const checks = await expectBothValid(b);
    const names = b.opening.cosignatures.map((c) => `${c.name} (${c.role})`).join(', ');
    expect(checks.get('cosignatures')!.detail).toMatch(
      new RegExp(`^no co-signatures; 0 of 2 scrutineer\\(s\\) with a key co-signed; digest [0-9a-f]{64}; the opening statement \\(digest ${statementDigest(b).toString('hex')}\\): 2 co-signature\\(s\\) valid: ${names.replace(/[()]/g, '\\$&')}, 2 of 2 scrutineer\\(s\\) with a key co-signed it$`),
    );
    // One of two is fine too; and the same keys may co-sign the bundle after close as well.
    await expectBothValid(tampered((c) => c.opening.cosignatures.splice(1, 1), b));
    const both = { ...b, cosignatures: [{ ...cosignatureBy(b, 'li'), signature: signBundleDigest(b, secrets.li) }] };
    expect((await expectBothValid(both)).get('cosignatures')!.detail).toMatch(/^1 co-signature\(s\) valid: 李监票 \(supervisor\); 1 of 2 .*: 2 co-signature\(s\) valid/);
  });

  it('a statement changed after co-signing (kept consistent with the bundle): cosignature in both', async () => {
    // The head count note, in the statement and the electorate alike: step 14 passes, the co-signatures no longer verify.
    const note = tampered((b) => {
      b.opening.statement.headCountNote = b.electorate.headCountNote = '补记';
    }, cosigned());
    const detail = await expectBothFail(note, 'cosignatures', 'cosignature');
    expect(detail).toMatch(/^opening\.cosignatures\[0\] \(\S+, \w+\): signature does not verify over the opening statement's digest \(code cosignature\); opening\.cosignatures\[1\] /);
    // The anchor, in the statement and record.opening alike.
    const anchor = tampered((b) => {
      b.record.opening = b.opening.statement.record = { seq: 7, digest: 'ef'.repeat(32) };
    }, cosigned());
    await expectBothFail(anchor, 'cosignatures', 'cosignature');
  });

  it("a bundle co-signature placed as an opening co-signature, and the reverse: cosignature in both (each has its own label)", async () => {
    const b = cosigned();
    // 李's valid co-signature of this very bundle (its digest), offered as his co-signature of the opening.
    const swapped = tampered((c) => {
      const at = c.opening.cosignatures.findIndex((x) => x.name === '李监票');
      c.opening.cosignatures[at]!.signature = signBundleDigest(b, secrets.li);
    }, b);
    expect(await expectBothFail(swapped, 'cosignatures', 'cosignature')).toMatch(/opening\.cosignatures\[\d\] \(李监票, supervisor\): signature does not verify over the opening statement's digest \(code cosignature\)/);
    // 李's co-signature of the opening, offered as his co-signature of the bundle.
    const reverse = { ...b, cosignatures: [cosignatureBy(b, 'li')] };
    expect(await expectBothFail(reverse, 'cosignatures', 'cosignature')).toMatch(/^cosignatures\[0\] \(李监票, supervisor\): signature does not verify over the digest \(code cosignature\) \(digest/);
  });

  it('a key nobody named (or named under another name): cosigner_unknown in both', async () => {
    // A valid signature over the right statement, by a key the signed scrutineers list does not name.
    const stranger = tampered((b) => {
      b.opening.cosignatures = [{ name: '李监票', role: 'supervisor', publicKey: publicOf(secrets.stranger), signature: signOpening(b, secrets.stranger) }];
    }, cosigned());
    expect(await expectBothFail(stranger, 'cosignatures', 'cosigner_unknown')).toMatch(
      /^opening\.cosignatures\[0\] \(李监票, supervisor\): key \S+ is not named in the signed scrutineers list with this name and role \(code cosigner_unknown\)/,
    );
    // 孙 is named, but registered no key.
    const sun = tampered((b) => {
      b.opening.cosignatures = [{ name: '孙计票', role: 'counter', publicKey: publicOf(secrets.stranger), signature: signOpening(b, secrets.stranger) }];
    }, cosigned());
    await expectBothFail(sun, 'cosignatures', 'cosigner_unknown');
    // 赵's own key and signature, claimed under 李's name and role.
    const misnamed = tampered((b) => {
      b.opening.cosignatures = [{ ...cosignatureBy(b, 'zhao'), name: '李监票', role: 'supervisor' }];
    }, cosigned());
    await expectBothFail(misnamed, 'cosignatures', 'cosigner_unknown');
  });

  it('one key co-signing twice: cosignature_repeated in both', async () => {
    const twice = tampered((b) => {
      b.opening.cosignatures = [cosignatureBy(b, 'li'), cosignatureBy(b, 'li')];
    }, cosigned());
    expect(await expectBothFail(twice, 'cosignatures', 'cosignature_repeated')).toMatch(
      /^opening\.cosignatures\[1\] \(李监票, supervisor\): key \S+ co-signs twice \(also opening\.cosignatures\[0\]\) \(code cosignature_repeated\)/,
    );
  });

  it('a named key of small order with the universal signature (which node:crypto alone accepts): cosignature in both', async () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const universal = new Uint8Array(64); // R = the identity, S = 0
    universal.set(identity, 0);
    const b = tampered((c) => {
      c.scrutineers = [...structuredClone(scrutineers).slice(0, 2), { name: '孙计票', role: 'counter', publicKey: toBase64(identity) }];
      c.opening.cosignatures = [cosignatureBy(c, 'li'), { name: '孙计票', role: 'counter', publicKey: toBase64(identity), signature: toBase64(universal) }];
    });
    // The project names a key of small order `bad_encoding`, for bundle co-signatures too; the
    // documents name no code for it: the independent verifier says `cosignature` (not valid by the
    // rule of "Ed25519").
    expect(await expectBothFail(b, 'cosignatures', 'cosignature', 'bad_encoding')).toMatch(
      /opening\.cosignatures\[1\] \(孙计票, counter\): public key is a point of small order \(order 1\) \(code cosignature\)/,
    );
  });

  it('the opening member is required, with exactly its members: format in both', async () => {
    const project = async (bundle: unknown) => (await verifyByProject(bundle)).firstFailure;
    const missing = tampered((b) => delete (b as Partial<BundleV2>).opening);
    expect((await verifyFromDocs(missing)).checks.get('format')).toEqual({ status: 'FAIL', detail: 'bundle (version 2): missing member "opening"' });
    expect(await project(missing)).toMatchObject({ id: 'format' });
    const extra = tampered((b) => Object.assign(b.opening.statement, { lateCheckIns: 0 }));
    expect((await verifyFromDocs(extra)).checks.get('format')).toEqual({ status: 'FAIL', detail: 'opening.statement: unexpected member "lateCheckIns"' });
    expect(await project(extra)).toMatchObject({ id: 'format' });
    const upper = tampered((b) => (b.opening.statement.issued[0]!.keyId = b.opening.statement.issued[0]!.keyId.toUpperCase()));
    expect((await verifyFromDocs(upper)).checks.get('format')).toEqual({ status: 'FAIL', detail: 'opening.statement.issued[0].keyId: must be 64 lowercase hex digits' });
    expect(await project(upper)).toMatchObject({ id: 'format' });
    const negative = tampered((b) => (b.opening.statement.struck = -1));
    expect((await verifyFromDocs(negative)).checks.get('format')).toEqual({ status: 'FAIL', detail: 'opening.statement.struck: must be a non-negative integer below 2^53' });
    expect(await project(negative)).toMatchObject({ id: 'format' });
    const shortSignature = tampered((b) => {
      b.scrutineers = structuredClone(scrutineers);
      b.opening.cosignatures = [{ ...cosignatureBy(b, 'li'), signature: toBase64(new Uint8Array(63)) }];
    });
    // A co-signature of the wrong length: the independent verifier refuses it in `format`, as it does
    // a bundle co-signature's; the project in `cosignatures` (bad_length), for both kinds.
    expect((await verifyFromDocs(shortSignature)).checks.get('format')).toEqual({ status: 'FAIL', detail: 'opening.cosignatures[0].signature: must be 64 bytes, got 63' });
    expect(await project(shortSignature)).toMatchObject({ id: 'cosignatures', code: 'bad_length' });
  });
});
