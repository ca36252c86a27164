import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../server/db/open.ts';
import { checkAuditChain } from '../../server/services/audit.ts';
import { listAuditEntries } from '../../server/db/queries.ts';
import { startTestApp, type TestServer } from '../helpers/test-server.ts';
import { checkInSlip, createMeeting } from '../helpers/meeting.ts';
import { castWithToken } from '../../shared/protocol/voter-flow.ts';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { inProcessFetch } from '../helpers/test-server.ts';

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

  it('keeps a poll in voting across a restart: keys, check-ins and ballots', async () => {
    const t = startTestApp();
    const { pollId, slips } = await createMeeting(t, { voters: 3, open: 'voting' });
    const first = await checkInSlip(t, slips[0]!);
    const second = await checkInSlip(t, slips[1]!);
    await castWithToken(createVoterApi('', inProcessFetch(t)), first.store, first.token, { c1: 'agree', c2: 'agree' });
    const keysBefore = t.deps.db.$client.prepare('SELECT key_id FROM poll_keys').all();
    t.deps.db.$client.close();

    // Same data directory, a new process-like start: new DB handle, new app.
    const again = startTestApp({}, t.dataDir);
    cleanup.push(() => again.close());
    expect(again.deps.db.$client.prepare('SELECT key_id FROM poll_keys').all()).toEqual(keysBefore);
    expect(again.deps.installationKey.publicKeyBase64).toBe(t.deps.installationKey.publicKeyBase64);
    const turnout = (await (await again.app.request(`/api/public/polls/${pollId}/turnout`)).json()) as any;
    expect(turnout).toMatchObject({ phase: 'voting', checkedIn: 2, ballotsCast: 1 });
    const receipt = await castWithToken(createVoterApi('', inProcessFetch(again)), second.store, second.token, { c1: 'disagree', c2: 'agree' });
    expect(receipt.receipt).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the audit log', () => {
  it('records every administrative act in a hash chain, and reports an altered entry', async () => {
    const t = startTestApp();
    cleanup.push(() => t.close());
    const { org, pollId } = await createMeeting(t, { voters: 2, open: 'voting' });
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const entries = listAuditEntries(t.deps.db);
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
    const { pollId, slips, org } = await createMeeting(t, { voters: 2, open: 'voting' });
    const { store, token } = await checkInSlip(t, slips[0]!);
    const receipt = await castWithToken(createVoterApi('', inProcessFetch(t)), store, token, { c1: 'agree', c2: 'agree' });
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    const log = JSON.stringify(listAuditEntries(t.deps.db));
    expect(log).not.toContain(receipt.receipt);
    expect(log).not.toContain(token.token.slice(0, 40));
    expect(log).not.toMatch(/cast|checkin_voter/);
  });
});
