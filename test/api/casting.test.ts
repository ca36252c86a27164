import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../shared/encoding.ts';
import { startTestApp, type TestServer } from '../helpers/test-server.ts';
import { checkInSlip, createMeeting } from '../helpers/meeting.ts';

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
const errorCode = async (r: Response) => ((await r.json()) as any).error.code as string;

describe('casting a ballot', () => {
  it('refuses a token of another poll, even one of the same meeting and group', async () => {
    const a = await createMeeting(t, { voters: 1, open: 'voting' });
    const b = await createMeeting(t, { voters: 1, open: 'voting' });
    const { token } = await checkInSlip(t, a.slips[0]!);
    // Forge: keep A's signature but claim B's poll context. The context no longer matches A's key.
    const bytes = fromBase64Url(token.token);
    const { tokenContext } = await import('../../shared/crypto/token.ts');
    bytes.set(tokenContext(b.pollId, 'members'), 34);
    const before = ballotCount();
    const forged = await cast({ token: toBase64Url(bytes), choices: { c1: 'agree', c2: 'agree' } });
    expect(forged.status).toBe(400);
    expect(await errorCode(forged)).toBe('token_context');
    expect(ballotCount()).toBe(before);
  });

  it('names what is wrong with a token: length, type, key, signature', async () => {
    const { slips } = await createMeeting(t, { voters: 1, open: 'voting' });
    const { token } = await checkInSlip(t, slips[0]!);
    const bytes = fromBase64Url(token.token);
    const before = ballotCount();
    const variants: [string, Uint8Array][] = [
      ['token_length', bytes.subarray(0, 353)],
      ['token_length', new Uint8Array([...bytes, 0])],
      ['token_type', Object.assign(new Uint8Array(bytes), { 1: 3 })],
      ['token_key_unknown', Object.assign(new Uint8Array(bytes), { 70: bytes[70]! ^ 1 })],
      ['token_signature', Object.assign(new Uint8Array(bytes), { 5: bytes[5]! ^ 1 })],
      ['token_signature', Object.assign(new Uint8Array(bytes), { 300: bytes[300]! ^ 1 })],
    ];
    for (const [code, variant] of variants) {
      const response = await cast({ token: toBase64Url(variant), choices: { c1: 'agree', c2: 'agree' } });
      expect(response.status, code).toBe(400);
      expect(await errorCode(response)).toBe(code);
    }
    const padded = await cast({ token: token.token + '=', choices: { c1: 'agree', c2: 'agree' } });
    expect(padded.status).toBe(400);
    expect(await errorCode(padded)).toBe('invalid_body');
    const impossibleLength = await cast({ token: token.token + 'A', choices: { c1: 'agree', c2: 'agree' } });
    expect(impossibleLength.status).toBe(400);
    expect(await errorCode(impossibleLength)).toBe('bad_encoding');
    expect(ballotCount()).toBe(before);
  });

  it('validates the choices against the questions: unknown, missing, too many approvals', async () => {
    const { slips } = await createMeeting(t, {
      voters: 1,
      open: 'voting',
      questions: [
        { id: 'c1', type: 'single', title: 'A', options: ['agree', 'disagree', 'abstain'] },
        { id: 'rec', type: 'approval', title: 'Recommend up to 2', options: ['x', 'y', 'z'], maxChoices: 2 },
      ],
    });
    const { token } = await checkInSlip(t, slips[0]!);
    const before = ballotCount();
    const invalid = [
      { c1: 'maybe', rec: [] },
      { c1: 'agree' },
      { c1: 'agree', rec: ['x', 'y', 'z'] },
      { c1: 'agree', rec: ['x', 'x'] },
      { c1: 'agree', rec: ['w'] },
      { c1: ['agree'], rec: [] },
      { c1: 'agree', rec: [], extra: 'agree' },
    ];
    for (const choices of invalid) {
      const response = await cast({ token: token.token, choices });
      expect(response.status, JSON.stringify(choices)).toBe(400);
      expect(await errorCode(response)).toBe('invalid_choices');
    }
    expect(ballotCount()).toBe(before);
    const ok = await cast({ token: token.token, choices: { c1: 'agree', rec: ['y', 'x'] } });
    expect(ok.status).toBe(201);
    const stored = t.deps.db.$client.prepare('SELECT choices FROM ballots').all() as { choices: string }[];
    expect(stored.map((s) => s.choices)).toContain('{"c1":"agree","rec":["x","y"]}');
  });

  it('refuses casting before voting opens and after close, and keeps no ballot', async () => {
    const { org, pollId, slips } = await createMeeting(t, { voters: 2 });
    const { token } = await checkInSlip(t, slips[0]!);
    const early = await cast({ token: token.token, choices: { c1: 'agree', c2: 'agree' } });
    expect(early.status).toBe(409);
    expect(((await early.json()) as any).error.message).toMatch(/not opened/);
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting' });
    const second = await checkInSlip(t, slips[1]!); // a late arrival may still check in
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const late = await cast({ token: second.token.token, choices: { c1: 'agree', c2: 'agree' } });
    expect(late.status).toBe(409);
    expect(((await late.json()) as any).error.message).toMatch(/closed/);
    const stored = t.deps.db.$client.prepare('SELECT count(*) AS n FROM ballots WHERE poll_id = ?').get(pollId) as { n: number };
    expect(stored.n).toBe(0);
  });

  it('ignores cookies and authorization headers: the ballot row holds only nonce, poll, token and choices', async () => {
    const { slips, pollId } = await createMeeting(t, { voters: 1, open: 'voting' });
    const { token } = await checkInSlip(t, slips[0]!);
    const response = await cast(
      { token: token.token, choices: { c1: 'agree', c2: 'disagree' } },
      { cookie: 'ab_session=whatever', authorization: 'Bearer x', 'x-request-id': 'abc' },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('set-cookie')).toBeNull();
    const columns = t.deps.db.$client.prepare(`SELECT name FROM pragma_table_info('ballots')`).all() as { name: string }[];
    expect(columns.map((c) => c.name).sort()).toEqual(['choices', 'nonce', 'poll_id', 'token']);
    const row = t.deps.db.$client.prepare('SELECT * FROM ballots WHERE poll_id = ?').get(pollId) as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toMatch(/Bearer|abc|whatever/);
  });
});

describe('retries and the order of rows in the file', () => {
  it('an identical retry after close still gets its receipt; a new ballot after close does not', async () => {
    const { org, pollId, slips } = await createMeeting(t, { voters: 2, open: 'voting' });
    const first = await checkInSlip(t, slips[0]!);
    const second = await checkInSlip(t, slips[1]!);
    const accepted = await cast({ token: first.token.token, choices: { c1: 'agree', c2: 'agree' } });
    expect(accepted.status).toBe(201);
    const { receipt } = (await accepted.json()) as { receipt: string };
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const retry = await cast({ token: first.token.token, choices: { c1: 'agree', c2: 'agree' } });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ receipt, replay: true });
    const late = await cast({ token: second.token.token, choices: { c1: 'agree', c2: 'agree' } });
    expect(late.status).toBe(409);
  });

  it('after close, ballot records lie in the file in nonce order, not in the order they arrived', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { org, pollId, slips } = await createMeeting(t, { voters: 12, open: 'voting' });
    const tokens: string[] = [];
    for (const slip of slips) tokens.push((await checkInSlip(t, slip)).token.token);
    for (const token of tokens) expect((await cast({ token, choices: { c1: 'agree', c2: 'agree' } })).status).toBe(201);
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const file = readFileSync(join(t.dataDir, 'ballot.db'));
    const position = (token: string) => file.indexOf(Buffer.from(fromBase64Url(token)));
    expect(tokens.every((tk) => position(tk) >= 0)).toBe(true);
    // SQLite fills a page's cells from its end in the order rows are written. After VACUUM the
    // rows were written in key (nonce) order, so inside every page positions fall as nonces rise;
    // before it, they fell in order of arrival.
    const keyOrder = [...tokens].sort((a, b) => Buffer.compare(Buffer.from(fromBase64Url(a).subarray(2, 34)), Buffer.from(fromBase64Url(b).subarray(2, 34))));
    const pages = new Map<number, number[]>();
    for (const tk of keyOrder) pages.set(Math.floor(position(tk) / 4096), [...(pages.get(Math.floor(position(tk) / 4096)) ?? []), position(tk)]);
    expect([...pages.values()].some((p) => p.length >= 4)).toBe(true);
    for (const inPage of pages.values()) expect([...inPage].sort((a, b) => b - a)).toEqual(inPage);
    const byPosition = [...tokens].sort((a, b) => position(a) - position(b));
    expect(byPosition).not.toEqual(tokens);
    expect(byPosition).not.toEqual([...tokens].reverse());
  });
});
