/**
 * Scrutineers co-sign a result: a key generated on their side and registered before close, named
 * in the signed bundle; after close a signature over the bundle digest, checked by the server and
 * by the verifier; the export carries it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import { bundleDigestHex, cosignBundle } from '../../shared/crypto/bundle-digest.ts';
import { toBase64 } from '../../shared/encoding.ts';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import type { Bundle, BundleV2, OpeningStatement } from '../../shared/protocol/bundle.ts';
import { cosignOpeningStatement } from '../../shared/crypto/opening-statement.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { castAll, checkInSlip, collect, openVoting, roomCodeOf } from '../helpers/meeting.ts';
import { inProcessFetch, ORGANIZER_PASSWORD, organizerClient, seedUser, startTestApp, type TestServer } from '../helpers/test-server.ts';

let t: TestServer;
type Client = Awaited<ReturnType<typeof organizerClient>>;
let org: Client;
let zhao: Client;
let qian: Client;
let pollId: string;
const keys = { zhao: ed25519.utils.randomSecretKey(), qian: ed25519.utils.randomSecretKey() };
const publicOf = (secret: Uint8Array) => toBase64(ed25519.getPublicKey(secret));

beforeAll(async () => {
  t = startTestApp();
  seedUser(t, 'orgdept', 'admin');
  const admin = await organizerClient(t, 'orgdept');
  const branch = (await admin.call('POST', '/api/units', { name: '第一党支部' })).body.id;
  const other = (await admin.call('POST', '/api/units', { name: '第二党支部' })).body.id;
  for (const [username, role, unitId] of [
    ['secretary', 'organizer', branch],
    ['zhao', 'scrutineer', branch],
    ['qian', 'scrutineer', branch],
    ['stranger', 'scrutineer', other],
  ] as const)
    await admin.call('POST', '/api/users', { username, password: ORGANIZER_PASSWORD, role, unitId });
  [org, zhao, qian] = await Promise.all([organizerClient(t, 'secretary'), organizerClient(t, 'zhao'), organizerClient(t, 'qian')]);
  const meetingId = (await org.call('POST', '/api/meetings', { title: '党员大会' })).body.id;
  pollId = (await org.call('POST', `/api/meetings/${meetingId}/polls`, { title: '接收预备党员', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '张三' }] })).body.id;
  await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: ['A', 'B', 'C'].map((n) => ({ name: n, number: n })) });
});
afterAll(() => t?.close());

describe('scrutineers co-sign the result', () => {
  it('are named with their accounts (of the unit only) and register their keys before close', async () => {
    const named = (scrutineers: unknown[]) => org.call('PUT', `/api/polls/${pollId}/scrutineers`, { scrutineers });
    const stranger = await named([{ name: '外单位', role: 'supervisor', account: 'stranger' }]);
    expect([stranger.status, stranger.body.error.message]).toEqual([400, 'stranger is not a scrutineer account of this unit']);
    expect((await named([{ name: '书记', role: 'supervisor', account: 'secretary' }])).body.error.message).toBe('secretary is not a scrutineer account of this unit');
    expect((await named([{ name: '无此人', role: 'supervisor', account: 'nobody-here' }])).body.error.message).toBe('nobody-here is not a scrutineer account of this unit');
    expect((await named([{ name: '赵监票', role: 'supervisor', account: 'zhao' }, { name: '孙计票', role: 'counter' }])).status).toBe(200);

    // Only a scrutineer named with their account registers a key; a malformed key is refused.
    expect((await qian.call('PUT', `/api/cosign/${pollId}/key`, { publicKey: publicOf(keys.qian) })).status).toBe(403);
    expect((await zhao.call('PUT', `/api/cosign/${pollId}/key`, { publicKey: toBase64(new Uint8Array(31)) })).body.error.code).toBe('bad_length');
    expect((await zhao.call('PUT', `/api/cosign/${pollId}/key`, { publicKey: publicOf(keys.zhao) })).status).toBe(200);
    // Named again with 钱 added: 赵's key stays.
    expect((await named([{ name: '赵监票', role: 'supervisor', account: 'zhao' }, { name: '钱计票', role: 'counter', account: 'qian' }])).status).toBe(200);
    // 钱 cannot take 赵's key (her signature would count as his), nor a key of small order
    // (the identity point admits a "signature" some verifiers accept for anything).
    const taken = await qian.call('PUT', `/api/cosign/${pollId}/key`, { publicKey: publicOf(keys.zhao) });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'conflict']);
    const identity = toBase64(Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0)));
    expect((await qian.call('PUT', `/api/cosign/${pollId}/key`, { publicKey: identity })).body.error.code).toBe('bad_encoding');
    expect((await qian.call('PUT', `/api/cosign/${pollId}/key`, { publicKey: t.deps.installationKey.publicKeyBase64 })).status).toBe(409);
    expect((await qian.call('PUT', `/api/cosign/${pollId}/key`, { publicKey: publicOf(keys.qian) })).status).toBe(200);
    expect((await zhao.call('GET', `/api/cosign/${pollId}`)).body.me).toEqual({ name: '赵监票', role: 'supervisor', publicKey: publicOf(keys.zhao) });
  });

  it('the signed bundle names their keys; each co-signs its digest after close; the verifier checks it', async () => {
    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'checkin' })).status).toBe(200);
    const meetingId = (await org.call('GET', `/api/polls/${pollId}`)).body.meetingId;
    const issued = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips;
    const roomCode = await roomCodeOf(org, meetingId);
    const held = [];
    for (const slip of issued) held.push(await checkInSlip(t, slip, roomCode));
    await openVoting(org, pollId, held.length);

    // Once voting is open the scrutineers are fixed: nobody is renamed or dropped before co-signing.
    const rename = await org.call('PUT', `/api/polls/${pollId}/scrutineers`, { scrutineers: [{ name: '赵监票', role: 'supervisor', account: 'zhao' }] });
    expect([rename.status, rename.body.error.code]).toEqual([409, 'wrong_phase']);

    // While voting is open, each scrutineer co-signs the opening statement the page shows.
    const opening = (await zhao.call('GET', `/api/cosign/${pollId}`)).body.opening as { statement: OpeningStatement; cosignatures: unknown[] };
    expect(opening.statement).toMatchObject({ pollId, meetingId, headCount: 3, headCountNote: '', checkedIn: 3, struck: 0 });
    expect(opening.statement.issued).toEqual([{ keyId: expect.stringMatching(/^[0-9a-f]{64}$/), issued: 3 }]);
    expect(opening.cosignatures).toEqual([]);
    const signOpening = (client: Client, signature: string) => client.call('POST', `/api/cosign/${pollId}/opening-signature`, { signature });
    expect((await signOpening(org, cosignOpeningStatement(opening.statement, keys.zhao))).status).toBe(403);
    const byOtherKey = await signOpening(zhao, cosignOpeningStatement(opening.statement, keys.qian));
    expect([byOtherKey.status, byOtherKey.body.error.code]).toEqual([400, 'cosignature']);
    const overOther = await signOpening(zhao, cosignOpeningStatement({ ...opening.statement, headCount: 4 }, keys.zhao));
    expect([overOther.status, overOther.body.error.code]).toEqual([400, 'cosignature']);
    expect((await signOpening(zhao, cosignOpeningStatement(opening.statement, keys.zhao))).status).toBe(201);
    expect((await signOpening(qian, cosignOpeningStatement(opening.statement, keys.qian))).status).toBe(201);
    const openingCosigners = async () => ((await zhao.call('GET', `/api/cosign/${pollId}`)).body.opening.cosignatures as { name: string }[]).map((c) => c.name).sort();
    expect(await openingCosigners()).toEqual(['赵监票', '钱计票'].sort());
    // A scrutineer who registers another key must sign again: the old co-signature is not carried.
    const spare = ed25519.utils.randomSecretKey();
    expect((await qian.call('PUT', `/api/cosign/${pollId}/key`, { publicKey: publicOf(spare) })).status).toBe(200);
    expect(await openingCosigners()).toEqual(['赵监票']);
    expect((await qian.call('PUT', `/api/cosign/${pollId}/key`, { publicKey: publicOf(keys.qian) })).status).toBe(200);
    expect(await openingCosigners()).toEqual(['赵监票', '钱计票'].sort());

    for (const h of held) {
      await collect(h);
      await castAll(h, pollId);
    }
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });

    // Too late to register a key; the organizer cannot co-sign for them.
    expect((await zhao.call('PUT', `/api/cosign/${pollId}/key`, { publicKey: publicOf(ed25519.utils.randomSecretKey()) })).status).toBe(409);
    expect((await org.call('POST', `/api/cosign/${pollId}/signature`, { signature: toBase64(new Uint8Array(64)) })).status).toBe(403);

    const view = (await zhao.call('GET', `/api/cosign/${pollId}`)).body;
    const bundle = view.bundle as Bundle;
    expect(bundle.scrutineers).toEqual([
      { name: '赵监票', role: 'supervisor', publicKey: publicOf(keys.zhao) },
      { name: '钱计票', role: 'counter', publicKey: publicOf(keys.qian) },
    ]);
    expect(JSON.stringify(bundle)).not.toContain('"account"');
    expect(view).not.toHaveProperty('digest'); // the page computes it from the bundle it checks
    expect(bundleDigestHex(bundle)).toMatch(/^[0-9a-f]{64}$/);

    // A signature by the wrong key, or over something else, is refused and not kept.
    const wrongKey = await zhao.call('POST', `/api/cosign/${pollId}/signature`, { signature: cosignBundle(bundle, keys.qian) });
    expect([wrongKey.status, wrongKey.body.error.code]).toEqual([400, 'cosignature']);
    const otherBundle = { ...bundle, closedAt: '2020-01-01T00:00:00.000Z' };
    expect((await zhao.call('POST', `/api/cosign/${pollId}/signature`, { signature: cosignBundle(otherBundle, keys.zhao) })).status).toBe(400);
    expect((await org.call('GET', `/api/polls/${pollId}/bundle`)).body.cosignatures).toBeUndefined();

    expect((await zhao.call('POST', `/api/cosign/${pollId}/signature`, { signature: cosignBundle(bundle, keys.zhao) })).status).toBe(201);
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'published' });
    expect((await qian.call('POST', `/api/cosign/${pollId}/signature`, { signature: cosignBundle(bundle, keys.qian) })).status).toBe(201);

    const published = (await (await t.app.request(`/api/public/polls/${pollId}/bundle`)).json()) as Bundle;
    expect(published.cosignatures!.map((c) => c.name).sort()).toEqual(['赵监票', '钱计票'].sort());
    const report = await verifyBundle(published, { verifyPss: nodePssVerifier, expectedSignerPublicKey: t.deps.installationKey.publicKeyBase64 });
    expect(report.ok).toBe(true);
    expect(report.checks.at(-1)).toMatchObject({ id: 'cosignatures', ok: true, detail: expect.stringContaining('2 co-signatures valid') });
    expect(report.checks.at(-1)!.detail).toMatch(/the opening statement: 2 co-signatures valid/);
    const v2 = published as BundleV2;
    expect(v2.opening.statement).toEqual(opening.statement);
    expect(v2.opening.cosignatures.map((c) => c.name).sort()).toEqual(['赵监票', '钱计票'].sort());
    // Too late to co-sign the opening once the result is signed.
    const late = await signOpening(zhao, cosignOpeningStatement(opening.statement, keys.zhao));
    expect([late.status, late.body.error.code]).toEqual([409, 'wrong_phase']);

    // A co-signature swapped for another key, or a scrutineer the signed list does not name, fails.
    const stranger = ed25519.utils.randomSecretKey();
    const forged = { ...published, cosignatures: [{ name: '赵监票', role: 'supervisor' as const, publicKey: publicOf(stranger), signature: cosignBundle(published, stranger) }] };
    const refused = await verifyBundle(forged, { verifyPss: nodePssVerifier });
    expect(refused.firstFailure).toMatchObject({ id: 'cosignatures', code: 'cosigner_unknown' });
    const garbled = { ...published, cosignatures: [{ ...published.cosignatures![0]!, signature: cosignBundle(otherBundle, keys.qian) }] };
    const sameKeyTwice = { ...published, scrutineers: published.scrutineers.map((x) => ({ ...x, publicKey: publicOf(keys.zhao) })) };
    expect((await verifyBundle(sameKeyTwice, { verifyPss: nodePssVerifier })).checks.at(-1)).toMatchObject({ ok: false, code: 'cosigner_key_repeated' });
    expect((await verifyBundle(garbled, { verifyPss: nodePssVerifier })).firstFailure).toMatchObject({ id: 'cosignatures' });
  });
});
