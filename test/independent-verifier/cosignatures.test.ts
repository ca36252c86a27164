/**
 * The verifier written from docs/bundle-format.md alone, on a version 2 bundle co-signed by
 * scrutineers through the HTTP API: it accepts it (all fifteen checks, incl. `cosignatures`), still accepts it
 * without co-signatures, and refuses a co-signature by a key the signed scrutineers list does not
 * name, one over another digest, one key co-signing twice, a signed scrutineers list naming one key
 * twice, and a key of small order (the identity, with the "universal" signature R = identity,
 * S = 0, which node:crypto alone accepts) — each in `cosignatures` only. The last two need a
 * re-signed bundle (the test server's installation key), so that only the rule under test can
 * catch them.
 */
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleDigestHex, cosignBundle } from '../../shared/crypto/bundle-digest.ts';
import { signBundle } from '../../shared/crypto/bundle-signature.ts';
import { toBase64 } from '../../shared/encoding.ts';
import type { BundleV2 as Bundle } from '../../shared/protocol/bundle.ts';
import { castAll, checkInSlip, collect, openVoting, roomCodeOf } from '../helpers/meeting.ts';
import { ORGANIZER_PASSWORD, organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';
import { CHECKS_V2, docsVerifier } from './run-docs-verifier.ts';

const CHECKS = CHECKS_V2;

let t: TestServer;
let dir: string;
let published: Bundle;
const keys = { zhao: ed25519.utils.randomSecretKey(), qian: ed25519.utils.randomSecretKey() };
const publicOf = (secret: Uint8Array) => toBase64(ed25519.getPublicKey(secret));
type Cosignature = NonNullable<Bundle['cosignatures']>[number];

const verifyFromDocs = docsVerifier(() => dir);

/** Everything passes except `cosignatures`, which fails with a detail matching `why`. */
async function expectOnlyCosignaturesFail(bundle: unknown, why: RegExp) {
  const { code, checks } = await verifyFromDocs(bundle);
  expect(code).toBe(1);
  expect([...checks.keys()]).toEqual(CHECKS);
  for (const name of CHECKS.slice(0, -1)) expect([name, checks.get(name)!.status]).toEqual([name, 'PASS']);
  expect(checks.get('cosignatures')!.status).toBe('FAIL');
  expect(checks.get('cosignatures')!.detail).toMatch(why);
}

const withoutCosignatures = (b: Bundle): Bundle => {
  const { cosignatures: _c, ...rest } = structuredClone(b);
  return rest as Bundle;
};

/** `published` without co-signatures, its scrutineers list replaced and signed again by the installation, as a compromised server could. */
const resignedWithScrutineers = (scrutineers: Bundle['scrutineers']): Bundle => {
  const { signature: _s, cosignatures: _c, ...rest } = structuredClone(published);
  return signBundle({ ...rest, scrutineers }, t.deps.installationKey.secretKey);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anon-ballot-cosign-docs-'));
  t = startTestApp();
  seedUser(t, 'orgdept', 'admin');
  const admin = await organizerClient(t, 'orgdept');
  const branch = (await admin.call('POST', '/api/units', { name: '第一党支部' })).body.id;
  for (const [username, role] of [['secretary', 'organizer'], ['zhao', 'scrutineer'], ['qian', 'scrutineer']] as const)
    await admin.call('POST', '/api/users', { username, password: ORGANIZER_PASSWORD, role, unitId: branch });
  const [org, zhao, qian] = await Promise.all(['secretary', 'zhao', 'qian'].map((u) => organizerClient(t, u)));
  const meetingId = (await org!.call('POST', '/api/meetings', { title: '党员大会' })).body.id;
  const pollId = (await org!.call('POST', `/api/meetings/${meetingId}/polls`, { title: '接收预备党员', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '张三' }] })).body.id;
  await org!.call('POST', `/api/meetings/${meetingId}/voters`, { voters: ['A', 'B', 'C'].map((n) => ({ name: n, number: n })) });

  // Two scrutineers with accounts register their keys before close; a third has no account, so no key.
  const named = await org!.call('PUT', `/api/polls/${pollId}/scrutineers`, {
    scrutineers: [
      { name: '赵监票', role: 'supervisor', account: 'zhao' },
      { name: '钱计票', role: 'counter', account: 'qian' },
      { name: '孙计票', role: 'counter' },
    ],
  });
  expect(named.status).toBe(200);
  expect((await zhao!.call('PUT', `/api/cosign/${pollId}/key`, { publicKey: publicOf(keys.zhao) })).status).toBe(200);
  expect((await qian!.call('PUT', `/api/cosign/${pollId}/key`, { publicKey: publicOf(keys.qian) })).status).toBe(200);

  // Version 2: check-in opens for the meeting; each device checks in with the room code; voting
  // opens with the head count, every pending request signed at once; each device casts its ballots.
  expect((await org!.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' })).status).toBe(200);
  const slips = (await org!.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips;
  const roomCode = await roomCodeOf(org!, meetingId);
  const devices = [];
  for (const slip of slips) devices.push(await checkInSlip(t, slip, roomCode));
  await openVoting(org!, pollId, devices.length);
  for (const [i, d] of devices.entries()) {
    await collect(d);
    await castAll(d, pollId, () => (i === 0 ? 'disagree' : 'agree'));
  }
  expect((await org!.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);

  const bundle = (await zhao!.call('GET', `/api/cosign/${pollId}`)).body.bundle as Bundle;
  expect((await zhao!.call('POST', `/api/cosign/${pollId}/signature`, { signature: cosignBundle(bundle, keys.zhao) })).status).toBe(201);
  expect((await qian!.call('POST', `/api/cosign/${pollId}/signature`, { signature: cosignBundle(bundle, keys.qian) })).status).toBe(201);
  expect((await org!.call('POST', `/api/polls/${pollId}/transition`, { to: 'published' })).status).toBe(200);
  published = (await (await t.app.request(`/api/public/polls/${pollId}/bundle`)).json()) as Bundle;
  expect(published.cosignatures).toHaveLength(2);
  expect(published.scrutineers).toEqual([
    { name: '赵监票', role: 'supervisor', publicKey: publicOf(keys.zhao) },
    { name: '钱计票', role: 'counter', publicKey: publicOf(keys.qian) },
    { name: '孙计票', role: 'counter' },
  ]);
});
afterAll(() => {
  t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the verifier written from docs/ checks co-signatures (check 14)', () => {
  const cosignatureOf = (name: string): Cosignature => structuredClone(published.cosignatures!.find((c) => c.name === name)!);

  it('accepts the co-signed bundle: all fifteen checks pass, with the same digest as the project', async () => {
    const { code, checks, stdout } = await verifyFromDocs(published);
    expect(code, stdout).toBe(0);
    expect([...checks.keys()]).toEqual(CHECKS);
    for (const name of CHECKS) expect([name, checks.get(name)!.status]).toEqual([name, 'PASS']);
    const detail = checks.get('cosignatures')!.detail;
    expect(detail).toContain('2 co-signature(s) valid');
    expect(detail).toContain('2 of 2 scrutineer(s) with a key co-signed');
    expect(detail).toContain(`digest ${bundleDigestHex(withoutCosignatures(published))}`);
    expect(stdout).toMatch(/RESULT: bundle is VALID/);
  });

  it('accepts the bundle without co-signatures (co-signing is optional), and with one of two', async () => {
    const bare = await verifyFromDocs(withoutCosignatures(published));
    expect(bare.code, bare.stdout).toBe(0);
    for (const name of CHECKS) expect([name, bare.checks.get(name)!.status]).toEqual([name, 'PASS']);
    expect(bare.checks.get('cosignatures')!.detail).toMatch(/^no co-signatures; 0 of 2 scrutineer\(s\) with a key co-signed/);

    const one = await verifyFromDocs({ ...published, cosignatures: [cosignatureOf('钱计票')] });
    expect(one.code, one.stdout).toBe(0);
    expect(one.checks.get('cosignatures')!.detail).toContain('1 of 2 scrutineer(s) with a key co-signed');
  });

  it('(a) refuses a co-signature whose key the signed scrutineers list does not name', async () => {
    const bare = withoutCosignatures(published);
    const stranger = ed25519.utils.randomSecretKey();
    // A valid signature over the right digest, by a key nobody named before close.
    const swapped: Cosignature = { name: '赵监票', role: 'supervisor', publicKey: publicOf(stranger), signature: cosignBundle(bare, stranger) };
    await expectOnlyCosignaturesFail({ ...published, cosignatures: [swapped, cosignatureOf('钱计票')] }, /not named in the signed scrutineers list/);
    // 钱's own key and signature, claimed under 赵's name and role.
    const misnamed: Cosignature = { ...cosignatureOf('钱计票'), name: '赵监票', role: 'supervisor' };
    await expectOnlyCosignaturesFail({ ...published, cosignatures: [misnamed] }, /not named in the signed scrutineers list/);
    // 孙 is named but registered no key.
    const unnamedKey: Cosignature = { name: '孙计票', role: 'counter', publicKey: publicOf(stranger), signature: cosignBundle(bare, stranger) };
    await expectOnlyCosignaturesFail({ ...published, cosignatures: [unnamedKey] }, /not named in the signed scrutineers list/);
    // Naming the stranger's key in scrutineers afterwards breaks the installation's signature instead.
    const renamed = structuredClone(published);
    renamed.scrutineers[0]!.publicKey = publicOf(stranger);
    renamed.cosignatures = [swapped];
    const { code, checks } = await verifyFromDocs(renamed);
    expect([code, checks.get('signature')!.status]).toEqual([1, 'FAIL']);
  });

  it('(b) refuses a co-signature over a different digest', async () => {
    const other = { ...withoutCosignatures(published), closedAt: '2020-01-01T00:00:00.000Z' };
    const garbled: Cosignature = { ...cosignatureOf('赵监票'), signature: cosignBundle(other, keys.zhao) };
    await expectOnlyCosignaturesFail({ ...published, cosignatures: [garbled, cosignatureOf('钱计票')] }, /赵监票.*does not verify over the digest/);
  });

  it('(c) refuses the same key co-signing twice', async () => {
    const zhao = cosignatureOf('赵监票');
    await expectOnlyCosignaturesFail({ ...published, cosignatures: [zhao, cosignatureOf('钱计票'), structuredClone(zhao)] }, /co-signs twice \(also cosignatures\[0\]\)/);
  });

  it('(d) refuses a signed scrutineers list that names the same key twice, co-signed or not', async () => {
    // The installation signs a list in which 钱 is named with 赵's key: its signature is valid.
    const [zhao, qian, sun] = structuredClone(published.scrutineers);
    const twice = resignedWithScrutineers([zhao!, { ...qian!, publicKey: publicOf(keys.zhao) }, sun!]);
    const named = /scrutineers\[1\] \(钱计票, counter\): key \S+ is also named by scrutineers\[0\] \(赵监票\)/;
    // Nobody co-signed: the list alone fails check 14.
    await expectOnlyCosignaturesFail(twice, named);
    // 赵 co-signs, validly over the new digest, under the first entry naming the key: still refused.
    const cosigned = { ...twice, cosignatures: [{ ...zhao!, publicKey: publicOf(keys.zhao), signature: cosignBundle(twice, keys.zhao) }] };
    await expectOnlyCosignaturesFail(cosigned, named);
    const { checks } = await verifyFromDocs(cosigned);
    expect(checks.get('cosignatures')!.detail).not.toMatch(/cosignatures\[0\]/); // the co-signature itself is fine
  });

  it('(e) refuses a co-signing key of small order: the identity with the universal signature, and every other', async () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const universal = new Uint8Array(64); // R = the identity's encoding, S = 0
    universal.set(identity, 0);
    // A permissive verifier (ZIP 215, as in consensus code) accepts it over any message, and
    // node:crypto does on Node 20's OpenSSL 3.0 (not on Node 24's): the verifiers must refuse it
    // by the small-order rule of docs/bundle-format.md, whatever the runtime's OpenSSL says.
    expect(ed25519.verify(universal, new TextEncoder().encode('anything at all'), identity, { zip215: true })).toBe(true);

    // The identity key is named in the signed scrutineers list (so the naming rule passes); 赵 co-signs validly.
    const [zhao, qian, sun] = structuredClone(published.scrutineers);
    const withIdentity = resignedWithScrutineers([zhao!, qian!, { ...sun!, publicKey: toBase64(identity) }]);
    const forged: Cosignature = { name: '孙计票', role: 'counter', publicKey: toBase64(identity), signature: toBase64(universal) };
    const zhaoSigns: Cosignature = { ...zhao!, publicKey: publicOf(keys.zhao), signature: cosignBundle(withIdentity, keys.zhao) };
    // Without the forged co-signature the re-signed bundle is valid: nothing else is wrong with it.
    const clean = await verifyFromDocs({ ...withIdentity, cosignatures: [zhaoSigns] });
    expect(clean.code, clean.stdout).toBe(0);
    await expectOnlyCosignaturesFail({ ...withIdentity, cosignatures: [zhaoSigns, forged] }, /^cosignatures\[1\] \(孙计票, counter\): public key is a point of small order \(order 1\) \(code cosignature\) \(digest [0-9a-f]{64}; opening statement digest [0-9a-f]{64}\)$/);

    // All eight points of small order (their canonical encodings), each named and each co-signing with the universal signature.
    expect(ED25519_TORSION_SUBGROUP).toHaveLength(8);
    const smallKeys = ED25519_TORSION_SUBGROUP.map((hex) => toBase64(Buffer.from(hex, 'hex')));
    const roster = smallKeys.map((publicKey, i) => ({ name: `小${i}`, role: 'counter' as const, publicKey }));
    const allSmall = resignedWithScrutineers(roster);
    const cosignatures = roster.map((s) => ({ ...s, signature: toBase64(universal) }));
    const { checks } = await verifyFromDocs({ ...allSmall, cosignatures });
    expect(checks.get('signature')!.status).toBe('PASS');
    expect(checks.get('cosignatures')!.status).toBe('FAIL');
    const detail = checks.get('cosignatures')!.detail;
    for (const i of roster.keys()) expect(detail).toMatch(new RegExp(`cosignatures\\[${i}\\] \\(小${i}, counter\\): public key is a point of small order \\(order [1248]\\)`));
    expect(detail).not.toMatch(/does not verify/);
  });
});
