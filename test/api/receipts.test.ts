/**
 * Receipts that bind the answer and are signed (docs/protocol.md §6, §10): the receipt's bytes
 * match an implementation written here from the document with node:crypto; the ballot box's
 * signature is the deterministic Ed25519 signature (OpenSSL and @noble give the same bytes);
 * and a ballot flipped after the fact and re-signed with the installation's own key makes a
 * bundle that verifies — which the voter's kept receipt reports as changed, and its signature
 * proves the ballot box took the original.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ballotReceipt, checkReceiptSignature, signReceipt } from '../../shared/crypto/receipt.ts';
import { canonicalJson } from '../../shared/crypto/jcs.ts';
import { fromBase64, fromBase64Url, fromHex, toHex } from '../../shared/encoding.ts';
import { resultOfBundle, type BundleV2 } from '../../shared/protocol/bundle.ts';
import { checkReceipt } from '../../shared/protocol/receipt-check.ts';
import { allHeldReceipts, type HeldReceipt } from '../../shared/protocol/voter-flow.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import { signReceiptWith } from '../../server/crypto/receipt-signer.ts';
import { startTestApp, type TestServer } from '../helpers/test-server.ts';
import { castAll, createMeeting } from '../helpers/meeting.ts';
import { signBundle } from '../../shared/crypto/bundle-signature.ts';

/** frame() and the receipt as docs/bundle-format.md "Encodings" defines them, written again with node:crypto. */
function receiptFromTheDocument(token: Uint8Array, salt: Uint8Array, answer: unknown): string {
  const part = (bytes: Buffer) => Buffer.concat([Buffer.from([bytes.length >>> 24, (bytes.length >>> 16) & 255, (bytes.length >>> 8) & 255, bytes.length & 255]), bytes]);
  const framed = Buffer.concat([Buffer.from('anon-ballot/v2/receipt'), Buffer.from(token), Buffer.from(salt), Buffer.from(JSON.stringify(answer))].map(part));
  return createHash('sha256').update(framed).digest('hex');
}

describe('the receipt', () => {
  it('is the SHA-256 of the framed label, token, salt and canonical answer, as the document says', () => {
    const token = Uint8Array.from({ length: 354 }, (_, i) => (i * 7) & 255);
    const salt = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    for (const answer of ['agree', ['c1', 'c3'], { a: 80, b: 75 }, 'abstain'])
      expect(toHex(ballotReceipt(token, salt, answer))).toBe(receiptFromTheDocument(token, salt, JSON.parse(canonicalJson(answer))));
    // Each input changes it: the receipt binds the token, the salt and the answer.
    const base = toHex(ballotReceipt(token, salt, 'agree'));
    expect(toHex(ballotReceipt(token, salt, 'disagree'))).not.toBe(base);
    expect(toHex(ballotReceipt(token, Uint8Array.from(salt, (b) => b ^ 1), 'agree'))).not.toBe(base);
    expect(toHex(ballotReceipt(Uint8Array.from(token, (b, i) => (i === 0 ? b ^ 1 : b)), salt, 'agree'))).not.toBe(base);
    expect(() => ballotReceipt(token, salt.subarray(1), 'agree')).toThrow(/salt/);
  });

  it('is signed deterministically: OpenSSL (the server) and @noble give the same signature, which verifies', () => {
    const t = startTestApp();
    try {
      const receipt = ballotReceipt(new Uint8Array(354), new Uint8Array(32), 'agree');
      const byServer = signReceiptWith(t.deps.installationKey, receipt);
      expect(toHex(byServer)).toBe(toHex(signReceipt(receipt, t.deps.installationKey.secretKey)));
      expect(() => checkReceiptSignature(receipt, byServer, t.deps.installationKey.publicKey)).not.toThrow();
      const other = Uint8Array.from(receipt, (b, i) => (i === 0 ? b ^ 1 : b));
      expect(() => checkReceiptSignature(other, byServer, t.deps.installationKey.publicKey)).toThrow(/did not sign/);
    } finally {
      t.close();
    }
  });
});

describe('a ballot flipped after the ballot box signed its receipt', () => {
  let t: TestServer;
  let bundle: BundleV2;
  let held: HeldReceipt[];
  beforeAll(async () => {
    t = startTestApp();
    const { org, pollId, devices } = await createMeeting(t, { voters: 4, open: 'voting' });
    for (const d of devices) await castAll(d, pollId, () => 'agree');
    held = allHeldReceipts(devices[0]!.store);
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body;
  });
  afterAll(() => t.close());

  it("is found as cast before the change; after a flip re-signed with the installation's key the bundle verifies, the voter's check says changed, and the signed receipt proves the original", async () => {
    expect(held).toHaveLength(2);
    for (const r of held) expect(checkReceipt(bundle, r)).toBe('in_bundle');
    // The operator flips the voter's ballot on c1, makes its receipt match (the salt is
    // published), recounts, and re-signs with the installation's own key.
    const target = held.find((r) => r.questionId === 'c1')!;
    const { signature: _s, ...unsigned } = structuredClone(bundle);
    const ballot = unsigned.ballots.find((b) => toHex(fromBase64Url(b.token).subarray(2, 34)) === target.nonce)!;
    ballot.answer = 'disagree';
    ballot.receipt = toHex(ballotReceipt(fromBase64Url(ballot.token), fromBase64(ballot.salt!), 'disagree'));
    unsigned.result = resultOfBundle(unsigned as BundleV2);
    const forged = signBundle(unsigned, t.deps.installationKey.secretKey);
    const report = await verifyBundle(forged, { verifyPss: nodePssVerifier, expectedSignerPublicKey: t.deps.installationKey.publicKeyBase64 });
    expect(report.ok).toBe(true);
    expect(forged.result.questions[0]!.counts).toMatchObject({ agree: 3, disagree: 1 });
    // The voter's check tells.
    expect(checkReceipt(forged, target)).toBe('changed');
    expect(checkReceipt(forged, held.find((r) => r.questionId === 'c2')!)).toBe('in_bundle');
    // A typed prefix without the nonce can only say missing; a receipt that never existed is missing.
    expect(checkReceipt(forged, { receipt: target.receipt.slice(0, 16) })).toBe('missing');
    expect(checkReceipt(forged, { receipt: 'f'.repeat(64), nonce: 'a'.repeat(64) })).toBe('missing');
    // And the proof: the ballot box signed the receipt the bundle no longer shows.
    expect(() => checkReceiptSignature(fromHex(target.receipt), fromBase64(target.signature), fromBase64(forged.signer.publicKey))).not.toThrow();
    expect(forged.ballots.some((b) => b.receipt === target.receipt)).toBe(false);
  });
});
