/**
 * The ballot box (protocol v2): one submission per voter and poll, one ballot per token, each
 * ballot answering its key's question; receipts that bind the answer and are signed; nothing
 * beyond the tokens issued; no trace of arrival.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey } from 'node:crypto';
import { blind, finalize, parseRsaSpki, randomNonce } from '../../shared/crypto/blind-rsa.ts';
import { ballotReceipt, checkReceiptSignature } from '../../shared/crypto/receipt.ts';
import { encodeToken, encodeTokenInput, tokenContext, TOKEN_TYPE_V1 } from '../../shared/crypto/token.ts';
import { fromBase64, fromBase64Url, fromHex, toBase64, toBase64Url, toHex } from '../../shared/encoding.ts';
import type { BundleV2 } from '../../shared/protocol/bundle.ts';
import { blindSign } from '../../server/crypto/blind-signer.ts';
import { startTestApp, type TestServer } from '../helpers/test-server.ts';
import { castAll, checkInSlip, collect, createMeeting, openVoting, roomCodeOf, tokensOf, type Device, type Slip } from '../helpers/meeting.ts';
import { organizerClient } from '../helpers/test-server.ts';

let t: TestServer;
beforeAll(() => {
  t = startTestApp();
});
afterAll(() => t.close());

const cast = (body: unknown, headers: Record<string, string> = {}) =>
  t.app.request('/api/ballots', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const ballotCount = () => (t.deps.db.$client.prepare('SELECT count(*) AS n FROM ballots').get() as { n: number }).n;
const errorOf = async (r: Response) => ((await r.json()) as any).error as { code: string; message: string };

/** The raw ballots a device would send: its held tokens, with `answer` per question. */
function ballotsOf(device: Device, pollId: string, answer: (q: string) => unknown = () => 'agree') {
  return tokensOf(device, pollId).map((held) => ({ token: held.token, salt: held.salt, answer: answer(held.questionId) }));
}

describe('a submission: every ballot of a voter for a poll, all or none', () => {
  it('stores one ballot per token, each answering only its own question, and answers with signed receipts that bind token, salt and answer', async () => {
    const { pollId, devices } = await createMeeting(t, { voters: 1, open: 'voting' });
    const ballots = ballotsOf(devices[0]!, pollId, (q) => (q === 'c1' ? 'agree' : 'abstain'));
    const answer = await cast({ ballots });
    expect(answer.status).toBe(201);
    const body = (await answer.json()) as { replay: boolean; receipts: { receipt: string; signature: string }[] };
    expect(body.replay).toBe(false);
    body.receipts.forEach((r, i) => {
      const expected = ballotReceipt(fromBase64Url(ballots[i]!.token), fromBase64(ballots[i]!.salt), ballots[i]!.answer as string);
      expect(r.receipt).toBe(toHex(expected));
      expect(() => checkReceiptSignature(expected, fromBase64(r.signature), t.deps.installationKey.publicKey)).not.toThrow();
    });
    const rows = t.deps.db.$client.prepare('SELECT answer FROM ballots WHERE poll_id = ? ORDER BY answer').all(pollId) as { answer: string }[];
    expect(rows.map((r) => r.answer)).toEqual(['"abstain"', '"agree"']);
  });

  it('refuses the whole submission when one ballot is bad, two ballots share a key, or ballots of two polls are mixed', async () => {
    const a = await createMeeting(t, { voters: 1, open: 'voting' });
    const b = await createMeeting(t, { voters: 1, open: 'voting' });
    const before = ballotCount();
    const good = ballotsOf(a.devices[0]!, a.pollId);
    const oneBad = await cast({ ballots: [good[0], { ...good[1], answer: 'maybe' }] });
    expect(oneBad.status).toBe(400);
    expect((await errorOf(oneBad)).code).toBe('invalid_choices');
    const sameKey = await cast({ ballots: [good[0], { ...good[0], salt: good[1]!.salt }] });
    expect(sameKey.status).toBe(400);
    expect((await errorOf(sameKey)).message).toMatch(/same key/);
    const mixed = await cast({ ballots: [good[0], ballotsOf(b.devices[0]!, b.pollId)[0]] });
    expect(mixed.status).toBe(400);
    expect((await errorOf(mixed)).message).toMatch(/one poll/);
    expect(ballotCount()).toBe(before);
    expect((await cast({ ballots: good })).status).toBe(201);
  });

  it('an identical retry gets the same receipts (even after close); other answers or salts for a spent token are refused', async () => {
    const { org, pollId, devices } = await createMeeting(t, { voters: 2, open: 'voting' });
    const ballots = ballotsOf(devices[0]!, pollId);
    const first = (await (await cast({ ballots })).json()) as any;
    const again = await cast({ ballots: [...ballots].reverse() });
    expect(again.status).toBe(200);
    expect(((await again.json()) as any).receipts).toEqual([...first.receipts].reverse());
    const otherAnswer = await cast({ ballots: [ballots[0], { ...ballots[1], answer: 'disagree' }] });
    expect(otherAnswer.status).toBe(409);
    expect((await errorOf(otherAnswer)).code).toBe('token_spent');
    const otherSalt = await cast({ ballots: [{ ...ballots[0], salt: toBase64(new Uint8Array(32)) }, ballots[1]] });
    expect((await errorOf(otherSalt)).code).toBe('token_spent');
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const retry = await cast({ ballots });
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as any).receipts).toEqual(first.receipts);
    const late = await cast({ ballots: ballotsOf(devices[1]!, pollId) });
    expect(late.status).toBe(409);
    expect((await errorOf(late)).message).toMatch(/closed/);
  });

  it('the device checks each receipt and its signature, keeps the receipts and deletes the tokens', async () => {
    const { pollId, devices } = await createMeeting(t, { voters: 1, open: 'voting' });
    const receipts = await castAll(devices[0]!, pollId, () => 'disagree');
    expect(receipts.map((r) => r.questionId).sort()).toEqual(['c1', 'c2']);
    expect(tokensOf(devices[0]!, pollId)).toEqual([]);
    expect(JSON.stringify(devices[0]!.store.keys().map((k) => devices[0]!.store.get(k)))).not.toContain('disagree');
  });
});

describe('tokens', () => {
  it('refuses a token of another poll or another question: the context binds poll, group and question', async () => {
    const a = await createMeeting(t, { voters: 1, open: 'voting' });
    const b = await createMeeting(t, { voters: 1, open: 'voting' });
    const other = tokensOf(a.devices[0]!, a.pollId)[0]!;
    const before = ballotCount();
    for (const context of [tokenContext(b.pollId, 'members', 'c1'), tokenContext(a.pollId, 'members', other.questionId === 'c1' ? 'c2' : 'c1'), tokenContext(a.pollId, 'representatives', 'c1')]) {
      const bytes = fromBase64Url(other.token);
      bytes.set(context, 34);
      const forged = await cast({ ballots: [{ token: toBase64Url(bytes), salt: other.salt, answer: 'agree' }] });
      expect(forged.status).toBe(400);
      expect((await errorOf(forged)).code).toBe('token_context');
    }
    expect(ballotCount()).toBe(before);
  });

  it('names what is wrong with a token: length, type (a v1 token), key, signature, salt', async () => {
    const { pollId, devices } = await createMeeting(t, { voters: 1, open: 'voting' });
    const [ballot] = ballotsOf(devices[0]!, pollId);
    const bytes = fromBase64Url(ballot!.token);
    const before = ballotCount();
    const variants: [string, Uint8Array][] = [
      ['token_length', bytes.subarray(0, 353)],
      ['token_length', new Uint8Array([...bytes, 0])],
      ['token_type', Object.assign(new Uint8Array(bytes), { 0: TOKEN_TYPE_V1 >> 8, 1: TOKEN_TYPE_V1 & 0xff })],
      ['token_key_unknown', Object.assign(new Uint8Array(bytes), { 70: bytes[70]! ^ 1 })],
      ['token_signature', Object.assign(new Uint8Array(bytes), { 5: bytes[5]! ^ 1 })],
      ['token_signature', Object.assign(new Uint8Array(bytes), { 300: bytes[300]! ^ 1 })],
    ];
    for (const [code, variant] of variants) {
      const response = await cast({ ballots: [{ ...ballot, token: toBase64Url(variant) }] });
      expect(response.status, code).toBe(400);
      expect((await errorOf(response)).code).toBe(code);
    }
    const padded = await cast({ ballots: [{ ...ballot, token: ballot!.token + '=' }] });
    expect((await errorOf(padded)).code).toBe('invalid_body');
    const shortSalt = await cast({ ballots: [{ ...ballot, salt: toBase64(new Uint8Array(31)) }] });
    expect((await errorOf(shortSalt)).code).toBe('bad_length');
    const empty = await cast({ ballots: [] });
    expect((await errorOf(empty)).code).toBe('invalid_body');
    expect(ballotCount()).toBe(before);
  });

  it('validates each answer against its key question: unknown options, too many approvals', async () => {
    const { pollId, devices } = await createMeeting(t, {
      voters: 1,
      open: 'voting',
      questions: [
        { id: 'rec', type: 'approval', title: 'Recommend up to 2', options: ['x', 'y', 'z'], maxChoices: 2 },
        { id: 'c1', type: 'single', title: 'A', options: ['agree', 'disagree', 'abstain'] },
      ],
    });
    const before = ballotCount();
    const tokens = tokensOf(devices[0]!, pollId);
    const send = (answers: Record<string, unknown>) => cast({ ballots: tokens.map((h) => ({ token: h.token, salt: h.salt, answer: answers[h.questionId] })) });
    for (const answers of [
      { rec: ['x', 'y', 'z'], c1: 'abstain' },
      { rec: ['x', 'x'], c1: 'abstain' },
      { rec: ['w'], c1: 'abstain' },
      { rec: 'x', c1: 'abstain' },
      { rec: [], c1: 'maybe' },
      { rec: [], c1: ['agree'] },
      { rec: [], c1: { a: 1 } },
    ]) {
      const response = await send(answers);
      expect(response.status, JSON.stringify(answers)).toBe(400);
      expect((await errorOf(response)).code).toBe('invalid_choices');
    }
    expect(ballotCount()).toBe(before);
    expect((await send({ rec: ['y', 'x'], c1: 'abstain' })).status).toBe(201);
    const stored = t.deps.db.$client.prepare('SELECT answer FROM ballots WHERE poll_id = ? ORDER BY answer').all(pollId) as { answer: string }[];
    expect(stored.map((s) => s.answer)).toEqual(['"abstain"', '["x","y"]']);
  });

  it('a score ballot (three evaluations) takes scores on every criterion in range, or 不了解; a generic poll takes no score question', async () => {
    const org = await organizerClient(t);
    const meetingId = (await org.call('POST', '/api/meetings', { title: '三评' })).body.id;
    const generic = await org.call('POST', `/api/meetings/${meetingId}/polls`, { title: 'x', questions: [{ id: 's', type: 'score', title: 'S', criteria: ['a'], min: 0, max: 10 }] });
    expect([generic.status, generic.body.error.message]).toEqual([400, expect.stringMatching(/three evaluations/)]);
    const poll = (
      await org.call('POST', `/api/meetings/${meetingId}/polls`, {
        title: '三评',
        kind: 'three_evaluations',
        candidates: [{ id: 's', name: 'S', number: 'cand' }],
        settings: { criteria: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], scale: { min: 0, max: 10 } },
      })
    ).body;
    // The candidate is on the roster (their number), and rates nobody here: M rates them.
    await org.call('POST', `/api/meetings/${meetingId}/voters`, {
      voters: [
        { name: 'S', number: 'cand', groups: ['members'] },
        { name: 'M', number: 'm1', groups: ['members'] },
      ],
    });
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    const slip = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips.find((s: { name: string }) => s.name === 'M');
    const device = await checkInSlip(t, slip, await roomCodeOf(org, meetingId));
    await openVoting(org, poll.id, 1);
    await collect(device);
    const [held] = tokensOf(device, poll.id);
    const send = (answer: unknown) => cast({ ballots: [{ token: held!.token, salt: held!.salt, answer }] });
    const before = ballotCount();
    // A fraction is not even an answer's shape: the schema refuses it (invalid_body).
    expect((await errorOf(await send({ a: 1.5, b: 2 }))).code).toBe('invalid_body');
    for (const answer of [{ a: 11, b: 0 }, { a: 1 }, { a: 1, b: 2, c: 3 }, 'disagree', ['a']]) {
      const response = await send(answer);
      expect(response.status, JSON.stringify(answer)).toBe(400);
      expect((await errorOf(response)).code).toBe('invalid_choices');
    }
    expect(ballotCount()).toBe(before);
    expect((await send('abstain')).status).toBe(201);
  });

  it('refuses casting after close (no token exists before voting opens), and keeps no ballot', async () => {
    const { org, pollId, devices } = await createMeeting(t, { voters: 2, open: 'voting', checkIn: 1 });
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const late = await cast({ ballots: ballotsOf(devices[0]!, pollId) });
    expect(late.status).toBe(409);
    expect((await errorOf(late)).message).toMatch(/closed/);
    const stored = t.deps.db.$client.prepare('SELECT count(*) AS n FROM ballots WHERE poll_id = ?').get(pollId) as { n: number };
    expect(stored.n).toBe(0);
  });

  it('ignores cookies and authorization headers: the ballot row holds only nonce, poll, key, token, salt and answer', async () => {
    const { pollId, devices } = await createMeeting(t, { voters: 1, open: 'voting' });
    const response = await cast({ ballots: ballotsOf(devices[0]!, pollId) }, { cookie: 'ab_session=whatever', authorization: 'Bearer x', 'x-request-id': 'abc' });
    expect(response.status).toBe(201);
    expect(response.headers.get('set-cookie')).toBeNull();
    const columns = t.deps.db.$client.prepare(`SELECT name FROM pragma_table_info('ballots')`).all() as { name: string }[];
    expect(columns.map((c) => c.name).sort()).toEqual(['answer', 'key_id', 'nonce', 'poll_id', 'salt', 'token']);
    const rows = t.deps.db.$client.prepare('SELECT * FROM ballots WHERE poll_id = ?').all(pollId) as Record<string, unknown>[];
    expect(JSON.stringify(rows)).not.toMatch(/Bearer|abc|whatever/);
  });
});

describe('how many voters submitted', () => {
  it('is read from the ballots per key: a voter who sends their ballots one request at a time counts once, and the result still verifies', async () => {
    const { org, pollId, devices } = await createMeeting(t, { voters: 3, open: 'voting' });
    // Two voters cast as their devices do, all ballots at once; the third sends each ballot alone.
    for (const device of devices.slice(0, 2)) expect((await cast({ ballots: ballotsOf(device, pollId) })).status).toBe(201);
    const split = ballotsOf(devices[2]!, pollId);
    expect(split.length).toBeGreaterThan(1);
    for (const ballot of split) expect((await cast({ ballots: [ballot] })).status).toBe(201);
    expect((await org.call('GET', `/api/polls/${pollId}`)).body.turnout).toMatchObject({ checkedIn: 3, submitted: 3 });
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as BundleV2;
    expect(bundle.electorate).toMatchObject({ checkedIn: 3, submitted: 3 });
    const { verifyBundle } = await import('../../shared/verify/verify-bundle.ts');
    const { nodePssVerifier } = await import('../../server/crypto/blind-signer.ts');
    const report = await verifyBundle(bundle, { verifyPss: nodePssVerifier, expectedSignerPublicKey: t.deps.installationKey.publicKeyBase64 });
    expect(report.firstFailure).toBeUndefined();
  });
});

describe('the ballot box never takes more than was issued', () => {
  it('refuses a ballot minted beyond the tokens issued under its key, counts the refusal, and the bundle says so', async () => {
    // An operator who copied an issuing key before the opening destroyed it mints a token for a
    // voter who checked in but did not vote... and one more: the box refuses the one too many.
    const { org, pollId, slips, roomCode } = await createMeeting(t, { voters: 3, open: 'checkin' });
    const copied = t.deps.db.$client.prepare('SELECT key_id, question_id, spki, private_key FROM poll_keys WHERE poll_id = ?').all(pollId) as {
      key_id: string;
      question_id: string;
      spki: Buffer;
      private_key: Buffer;
    }[];
    const { checkInSlip, collect, openVoting } = await import('../helpers/meeting.ts');
    const honest = await checkInSlip(t, slips[0]!, roomCode);
    await openVoting(org, pollId, 1);
    await collect(honest);
    expect(createPrivateKey({ key: copied[0]!.private_key, format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('rsa');
    const mint = () =>
      copied.map((key) => {
        const pk = parseRsaSpki(new Uint8Array(key.spki));
        const fields = { nonce: randomNonce(), context: tokenContext(pollId, 'members', key.question_id), keyId: fromHex(key.key_id) };
        const input = encodeTokenInput(fields);
        const { blindedMessage, inverse } = blind(pk, input);
        const authenticator = finalize(pk, input, blindSign(new Uint8Array(key.private_key), new Uint8Array(key.spki), blindedMessage), inverse);
        return { token: toBase64Url(encodeToken({ ...fields, authenticator })), salt: toBase64(randomNonce()), answer: 'agree' };
      });
    // One token was issued per key: the minted submission takes that place...
    expect((await cast({ ballots: mint() })).status).toBe(201);
    // ...so the honest voter's submission, and any further minted one, is refused loudly.
    const refused = await cast({ ballots: ballotsOf(honest, pollId) });
    expect(refused.status).toBe(409);
    expect(await errorOf(refused)).toMatchObject({ code: 'over_issued', message: expect.stringMatching(/as many ballots .* as tokens were issued/) });
    expect((await errorOf(await cast({ ballots: mint() }))).code).toBe('over_issued');
    const turnout = await org.call('GET', `/api/polls/${pollId}`);
    expect(turnout.body.turnout).toMatchObject({ submitted: 1, refusedOverIssued: 2 });
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as BundleV2;
    expect(bundle.electorate.refusedOverIssued).toBe(2);
    expect(bundle.ballots).toHaveLength(2);
  });
});

describe('ballots beyond those who did not say they abstained', () => {
  it('warns when ballots minted with a copied key fill the gap candidates leave (democratic appraisal), and not in the honest meeting', async () => {
    const { org } = await createMeeting(t, { voters: 0, open: 'draft' });
    const meetingId = (await org.call('POST', '/api/meetings', { title: '民主评议' })).body.id as string;
    const members = ['甲', '乙', '丙', '丁', '戊'].map((name, i) => ({ name, number: `D${i}` }));
    const poll = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
      title: '民主评议党员',
      kind: 'democratic_appraisal',
      candidates: members.map((m, i) => ({ id: `m${i}`, name: m.name, number: m.number })),
    });
    expect(poll.status).toBe(201);
    const pollId = poll.body.id as string;
    await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: members });
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as Slip[];
    const roomCode = await roomCodeOf(org, meetingId);
    // The operator copies the issuing keys while they exist, before the opening.
    const copied = t.deps.db.$client.prepare('SELECT key_id, question_id, spki, private_key FROM poll_keys WHERE poll_id = ?').all(pollId) as {
      key_id: string;
      question_id: string;
      spki: Buffer;
      private_key: Buffer;
    }[];
    const devices: Device[] = [];
    for (const slip of slips) devices.push(await checkInSlip(t, slip, roomCode));
    await openVoting(org, pollId, 5);
    for (const d of devices) await collect(d);
    const option = (await org.call('GET', `/api/polls/${pollId}`)).body.questions[0].options[0] as string;
    // Four vote; 戊 does not, and says so in the room.
    for (const device of devices.slice(0, 4)) expect((await cast({ ballots: ballotsOf(device, pollId, () => option) })).status).toBe(201);
    expect((await org.call('PUT', `/api/polls/${pollId}/declared-not-voted`, { count: 1 })).status).toBe(200);
    const { verifyBundle } = await import('../../shared/verify/verify-bundle.ts');
    const { nodePssVerifier } = await import('../../server/crypto/blind-signer.ts');
    const issuedLine = async (bundle: BundleV2) =>
      (await verifyBundle(bundle, { verifyPss: nodePssVerifier, expectedSignerPublicKey: t.deps.installationKey.publicKeyBase64 })).checks.find((c) => c.id === 'issued')!;

    // The honest result, as it would be closed now: no warning.
    const { buildBundle } = await import('../../server/services/bundle.ts');
    const honest = buildBundle(t.deps, (await import('../../server/db/queries.ts')).getPoll(t.deps.db, pollId)!, new Date().toISOString());
    expect((await issuedLine(honest)).detail).not.toMatch(/WARNING/);

    // The operator mints 戊's four ballots (every key but 戊's own): each key's count stays within what was issued.
    const own = tokensOf(devices[4]!, pollId).map((h) => h.questionId);
    const minted = copied
      .filter((key) => own.includes(key.question_id))
      .map((key) => {
        const pk = parseRsaSpki(new Uint8Array(key.spki));
        const fields = { nonce: randomNonce(), context: tokenContext(pollId, 'members', key.question_id), keyId: fromHex(key.key_id) };
        const input = encodeTokenInput(fields);
        const { blindedMessage, inverse } = blind(pk, input);
        const authenticator = finalize(pk, input, blindSign(new Uint8Array(key.private_key), new Uint8Array(key.spki), blindedMessage), inverse);
        return { token: toBase64Url(encodeToken({ ...fields, authenticator })), salt: toBase64(randomNonce()), answer: option };
      });
    expect(minted).toHaveLength(4);
    expect((await cast({ ballots: minted })).status).toBe(201);
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as BundleV2;
    // submitted (the most under one key) does not rise: 4 ≤ 5 − 1; the ballots do: 20 > 20 − 1 × 4.
    expect(bundle.electorate).toMatchObject({ checkedIn: 5, submitted: 4, declaredNotVoted: 1 });
    expect(bundle.ballots).toHaveLength(20);
    const line = await issuedLine(bundle);
    expect(line.ok).toBe(true);
    expect(line.detail).toMatch(/WARNING: 20 ballots, but those who did not say they abstained held at most 16 tokens: 4 more than that/);
  });
});

describe('retries and the order of rows in the file', () => {
  it('after close, where a ballot lies in the file does not depend on the order ballots arrived', async () => {
    const { copyFileSync, mkdtempSync, readdirSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { pollId, devices } = await createMeeting(t, { voters: 12, open: 'voting', questions: [{ id: 'c1', type: 'single', title: 'A', options: ['agree', 'disagree', 'abstain'] }] });
    // A twin of the installation, taken once voting opened: the same meeting, keys and tokens.
    t.deps.db.$client.pragma('wal_checkpoint(TRUNCATE)');
    const twinDir = mkdtempSync(join(tmpdir(), 'anon-ballot-twin-'));
    for (const name of readdirSync(t.dataDir)) copyFileSync(join(t.dataDir, name), join(twinDir, name));
    const twin = startTestApp({}, twinDir);
    try {
      const submissions = devices.map((d) => ballotsOf(d, pollId));
      const castOn = (server: TestServer, body: unknown) =>
        server.app.request('/api/ballots', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      // The same ballots, in opposite orders of arrival.
      for (const ballots of submissions) expect((await castOn(t, { ballots })).status).toBe(201);
      for (const ballots of [...submissions].reverse()) expect((await castOn(twin, { ballots })).status).toBe(201);
      for (const server of [t, twin]) expect((await (await organizerClient(server)).call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
      const positions = (dir: string) => {
        const file = readFileSync(join(dir, 'ballot.db'));
        return submissions.map(([b]) => file.indexOf(Buffer.from(fromBase64Url(b!.token))));
      };
      const here = positions(t.dataDir);
      expect(here.every((p) => p > 0)).toBe(true);
      expect(positions(twinDir)).toEqual(here);
      // Nor do the positions follow the order of arrival here (they follow the nonces).
      expect([...here].sort((x, y) => x - y)).not.toEqual(here);
      expect([...here].sort((x, y) => y - x)).not.toEqual(here);
    } finally {
      twin.close();
    }
  });
});
