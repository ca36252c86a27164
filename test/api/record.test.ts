/**
 * The meeting's record (全程纪实) anchored in the signed bundle: the unit's exported audit entries
 * check against the digests taken when voting opened and at close; rewriting, cutting or
 * reordering the record — even with the whole database at hand — no longer matches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntryHash, checkRecord, recordDigest, type AuditEntry } from '../../shared/audit/record.ts';
import type { BundleV2 } from '../../shared/protocol/bundle.ts';
import type { LiveMeetingState } from '../../shared/protocol/live.ts';
import { startTestApp, type TestServer } from '../helpers/test-server.ts';
import { castAll, createMeeting } from '../helpers/meeting.ts';

let t: TestServer;
let bundle: BundleV2;
let entries: AuditEntry[];
let opening: LiveMeetingState['polls'][number]['opening'];
beforeAll(async () => {
  t = startTestApp();
  const { org, meetingId, pollId, devices } = await createMeeting(t, { voters: 3, open: 'voting' });
  opening = ((await (await t.app.request(`/api/public/live/meetings/${meetingId}/events`)).json()) as LiveMeetingState).polls[0]!.opening;
  // Another meeting's acts interleave in the installation's log; they are not this record.
  await createMeeting(t, { voters: 1, open: 'checkin' });
  await castAll(devices[0]!, pollId);
  await org.call('PUT', `/api/polls/${pollId}/declared-not-voted`, { count: 0 });
  await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
  bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body;
  entries = (await org.call('GET', `/api/meetings/${meetingId}/audit`)).body.entries;
});
afterAll(() => t.close());

describe("the meeting's record and the bundle's anchors", () => {
  it('the exported record checks against the anchors of the opening and the close; the projector showed the opening one', () => {
    const { opening: atOpening, close } = bundle.record;
    expect(entries.find((e) => e.seq === atOpening.seq)!.action).toBe('open_voting');
    expect(entries.filter((e) => e.seq > atOpening.seq && e.seq <= close.seq).map((e) => e.action)).toEqual(['record_declared_not_voted']);
    expect(checkRecord(entries, [atOpening, close])).toEqual({ ok: true, entries: entries.length });
    expect(opening).toMatchObject({ recordSeq: atOpening.seq, recordDigest: atOpening.digest.slice(0, 16) });
    expect(entries.every((e) => e.hash === auditEntryHash(e))).toBe(true);
  });

  it('an entry rewritten (its hash recomputed too), removed, or added before an anchor is caught', () => {
    const anchors = [bundle.record.opening, bundle.record.close];
    const rewritten = entries.map((e) => (e.action === 'create_poll' ? { ...e, details: e.details.replace('Acceptance', 'Mallory') } : e));
    expect(checkRecord(rewritten, anchors)).toMatchObject({ ok: false, reason: 'an entry does not match its hash' });
    const rehashed = rewritten.map((e) => ({ ...e, hash: auditEntryHash(e) }));
    expect(checkRecord(rehashed, anchors)).toMatchObject({ ok: false, reason: expect.stringMatching(/not what the bundle anchored/) });
    const cut = entries.filter((e) => e.action !== 'add_voters');
    expect(checkRecord(cut, anchors)).toMatchObject({ ok: false, reason: expect.stringMatching(/not what the bundle anchored/) });
    const reordered = [entries[1]!, entries[0]!, ...entries.slice(2)];
    expect(checkRecord(reordered, anchors).ok).toBe(false);
    const last = entries.filter((e) => e.seq <= bundle.record.close.seq);
    expect(checkRecord(last.slice(0, -1), anchors)).toMatchObject({ ok: false, reason: expect.stringMatching(/missing/) });
    // What comes after the close anchor (the close itself, the publication) is outside both anchors.
    expect(recordDigest(entries, bundle.record.close.seq)).toBe(bundle.record.close.digest);
  });
});
