/**
 * The console's checks of an opening (client/src/console/opening.ts) against the server's own
 * (server/services/opening.ts): for the same sign-in sheet and the same head count, strikes and
 * note, the console names the same refusal the server gives, in the same order, or none when the
 * server opens. Each case is run against the real server too, so the two cannot drift apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meetingQuorum, openingFacts, openingProblem, parseCount, sheetFigures, type OpeningDraft } from '../../client/src/console/opening.ts';
import type { SignInSheet } from '../../client/src/console/api.ts';
import { checkInSlip, createMeeting } from '../helpers/meeting.ts';
import { startTestApp, type TestServer } from '../helpers/test-server.ts';

let t: TestServer;
beforeAll(() => {
  t = startTestApp();
});
afterAll(() => t.close());

/** A poll of five expected voters, three of them checked in; its sheet as the console reads it. */
async function threeOfFiveCheckedIn() {
  const meeting = await createMeeting(t, { voters: 5, open: 'checkin' });
  for (const slip of meeting.slips.slice(0, 3)) await checkInSlip(t, slip, meeting.roomCode);
  const sheet = (await meeting.org.call('GET', `/api/polls/${meeting.pollId}/checkins`)).body as SignInSheet;
  return { ...meeting, sheet };
}

const draft = (headCount: string, extra: Partial<OpeningDraft> = {}): OpeningDraft => ({ headCount, note: '', strike: [], ...extra });

describe('the console’s opening checks', () => {
  it('reads the sheet: expected, checked in less the struck, absent, written', async () => {
    const { sheet, slips } = await threeOfFiveCheckedIn();
    expect(sheetFigures(sheet)).toEqual({ expected: 5, pending: 3, struck: 0, checkedIn: 3, absent: 2, written: 0 });
    expect(sheetFigures(sheet, [slips[0]!.voterId, slips[4]!.voterId])).toMatchObject({ struck: 1, checkedIn: 2 }); // only a pending check-in can be struck
  });

  it('names the refusal the server gives, case by case, and none where the server opens', async () => {
    const cases: { draft: (ids: string[]) => OpeningDraft; problem: string | undefined; server: RegExp | undefined }[] = [
      { draft: () => draft(''), problem: 'missing', server: undefined },
      { draft: () => draft('6', { note: 'x' }), problem: 'aboveExpected', server: /more than the 5 voting members expected/ },
      { draft: () => draft('2'), problem: 'moreCheckedIn', server: /3 have checked in but 2 were counted/ },
      { draft: () => draft('4'), problem: 'needNote', server: /say why in a note/ },
      { draft: () => draft('4', { note: '  ' }), problem: 'needNote', server: /say why in a note/ },
      { draft: (ids) => draft('2', { strike: [ids[0]!] }), problem: undefined, server: undefined },
    ];
    for (const c of cases) {
      const { org, pollId, sheet, slips } = await threeOfFiveCheckedIn();
      const d = c.draft(slips.map((s) => s.voterId));
      expect([d, openingProblem(sheet, d)?.kind]).toEqual([d, c.problem]);
      const facts = openingFacts(sheet, d);
      if (c.problem === 'missing') {
        expect(facts).toBeUndefined(); // the one thing not sent
        continue;
      }
      const answer = await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting', ...facts });
      if (c.server) expect([d, answer.status, answer.body.error?.code, answer.body.error?.message]).toEqual([d, 409, 'head_count', expect.stringMatching(c.server)]);
      else expect([d, answer.status]).toEqual([d, 200]);
    }
  });

  it('takes only whole numbers as a head count, and sends strikes of pending check-ins only', async () => {
    expect(['0', ' 12 ', '3.5', '-1', '', '１２', '1e3'].map(parseCount)).toEqual([0, 12, undefined, undefined, undefined, undefined, undefined]);
    const { sheet, slips } = await threeOfFiveCheckedIn();
    expect(openingFacts(sheet, draft('2', { note: ' 一人未带手机 ', strike: [slips[1]!.voterId, slips[4]!.voterId] }))).toEqual({
      headCount: 2,
      headCountNote: '一人未带手机',
      strike: [slips[1]!.voterId],
    });
  });

  it('says whether the meeting can be held from the rule: more than half of the expected, or the rule’s own fraction', () => {
    const half = { kind: 'member_acceptance', quorum: { fraction: '1/2', comparison: 'more_than' } } as never;
    expect(meetingQuorum(half, 7, 3)).toEqual({ needed: 4, met: false, half: true, advisory: false });
    expect(meetingQuorum(half, 7, 4)).toEqual({ needed: 4, met: true, half: true, advisory: false });
    expect(meetingQuorum(half, 10, 5)).toEqual({ needed: 6, met: false, half: true, advisory: false });
    const twoThirds = { kind: 'member_acceptance', quorum: { fraction: '2/3', comparison: 'at_least' } } as never;
    expect(meetingQuorum(twoThirds, 9, 6)).toEqual({ needed: 6, met: true, half: false, advisory: false });
    expect(meetingQuorum({ kind: 'generic' } as never, 9, 6)).toBeUndefined();
    // An activist poll's attendance is an indicator reported with the result, not a quorum that stops the vote.
    const indicator = { kind: 'activist_confirmation', attendance: { fraction: '1/2', comparison: 'more_than' } } as never;
    expect(meetingQuorum(indicator, 10, 5)).toEqual({ needed: 6, met: false, half: true, advisory: true });
  });
});
