import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../server/db/open.ts';
import { checkAuditChain } from '../../server/services/audit.ts';
import { listAuditEntries } from '../../server/db/queries.ts';
import { startTestApp, type TestServer } from '../helpers/test-server.ts';
import { castAll, createMeeting, voterApi } from '../helpers/meeting.ts';

const cleanup: (() => void)[] = [];
afterEach(() => {
  while (cleanup.length) cleanup.pop()!();
});

describe('the SQLite file', () => {
  it('runs in WAL mode with synchronous=FULL and a WITHOUT ROWID ballots table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anon-ballot-db-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = openDatabase(join(dir, 'ballot.db'));
    cleanup.unshift(() => db.$client.close());
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.$client.pragma('synchronous', { simple: true })).toBe(2);
    expect(() => db.$client.prepare('SELECT rowid FROM ballots').all()).toThrow(/no such column/);
  });

  it('keeps a poll in voting across a restart: keys, check-ins, issued counts and ballots', async () => {
    const t = startTestApp();
    const { pollId, devices } = await createMeeting(t, { voters: 3, open: 'voting', checkIn: 2 });
    await castAll(devices[0]!, pollId);
    const keysBefore = t.deps.db.$client.prepare('SELECT key_id, issued_count, cast_count FROM poll_keys').all();
    t.deps.db.$client.close();

    // Same data directory, a new process-like start: new DB handle, new app.
    const again = startTestApp({}, t.dataDir);
    cleanup.push(() => again.close());
    expect(again.deps.db.$client.prepare('SELECT key_id, issued_count, cast_count FROM poll_keys').all()).toEqual(keysBefore);
    expect(again.deps.installationKey.publicKeyBase64).toBe(t.deps.installationKey.publicKeyBase64);
    const turnout = (await (await again.app.request(`/api/public/polls/${pollId}/turnout`)).json()) as any;
    expect(turnout).toMatchObject({ phase: 'voting', checkedIn: 2, submitted: 1, headCount: 2 });
    const receipts = await castAll({ ...devices[1]!, api: voterApi(again) }, pollId, () => 'disagree');
    expect(receipts.map((r) => r.receipt)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), expect.stringMatching(/^[0-9a-f]{64}$/)]);
  });
});

describe('the audit log', () => {
  it('records every administrative act in a hash chain, and reports an altered entry', async () => {
    const t = startTestApp();
    cleanup.push(() => t.close());
    const { org, pollId } = await createMeeting(t, { voters: 2, open: 'voting' });
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const entries = listAuditEntries(t.deps.db);
    const opening = entries.find((e) => e.action === 'open_voting')!;
    expect(JSON.parse(opening.details)).toMatchObject({ headCount: 2, checkedIn: 2, issuingKeysDestroyed: true });
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['create_user', 'create_meeting', 'create_poll', 'add_voters', 'open_checkin', 'generate_slips', 'open_voting', 'close']),
    );
    const close = entries.find((e) => e.action === 'close')!;
    expect(JSON.parse(close.details)).toMatchObject({ issuingKeysDestroyed: true });
    expect(checkAuditChain(entries)).toEqual({ ok: true, entries: entries.length });

    t.deps.db.$client.prepare(`UPDATE audit_log SET details = '{"ballots":99}' WHERE seq = ?`).run(close.seq);
    const altered = checkAuditChain(listAuditEntries(t.deps.db));
    expect(altered).toMatchObject({ ok: false, brokenAt: close.seq });
    const viaApi = await org.call('GET', `/api/meetings/${(await org.call('GET', `/api/polls/${pollId}`)).body.meetingId}/audit`);
    expect(viaApi.body.chain.ok).toBe(false);

    t.deps.db.$client.prepare('DELETE FROM audit_log WHERE seq = 2').run();
    expect(checkAuditChain(listAuditEntries(t.deps.db))).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('never mentions a ballot, a token or a receipt', async () => {
    const t = startTestApp();
    cleanup.push(() => t.close());
    const { pollId, devices, org } = await createMeeting(t, { voters: 2, open: 'voting', checkIn: 1 });
    const tokens = devices[0]!.store.keys().map((k) => devices[0]!.store.get(k)).join();
    const receipts = await castAll(devices[0]!, pollId);
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const log = JSON.stringify(listAuditEntries(t.deps.db));
    for (const r of receipts) expect(log).not.toContain(r.receipt);
    for (const token of tokens.match(/"token":"([^"]{40})/g) ?? []) expect(log).not.toContain(token.slice(9));
    expect(tokens).toMatch(/"token":/);
    expect(log).not.toMatch(/cast|checkin_voter/);
  });
});
