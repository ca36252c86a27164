/**
 * The facts of a vote's electorate as the board and the tally sheet print them, from the signed
 * bundle only: one list, so the two pages never disagree.
 *
 *   v2  expected (and those left out of it), head count (with its note), present = head count +
 *       late check-ins, checked in, struck at the opening, late check-ins, written opinions,
 *       submitted, declared not voted, refused submissions, tokens issued (Σ over the poll's
 *       keys), ballots returned, valid, invalid, and ballots withheld under the anonymity floor;
 *       a warning when more submitted than checked in less those who said they did not vote.
 *   v1  expected, present (checked in), written opinions, issued, returned, valid, invalid.
 *
 * Valid = every ballot in the bundle: the ballot box refuses a ballot that does not answer with
 * permitted choices, so invalid = returned − valid = 0, printed because the paper form has it.
 */
import { isV2, type Bundle } from '../../../shared/protocol/bundle.ts';
import { WITHHELD } from '../../../shared/protocol/poll.ts';
import { declaredNotVotedExcess } from '../../../shared/verify/declared-not-voted.ts';
import { tb, type BoardKey } from './messages.ts';

export interface Fact {
  /** Stable id (a `data-fact` attribute in the page). */
  id: string;
  label: string;
  value: string | number;
  /** A hint printed under the fact. */
  hint?: string;
}

const people = (n: number) => tb('fact.people', { n });
const sheets = (n: number) => tb('fact.sheets', { n });

/** The most written opinions counted on any one question: each absent member's opinion answers every question. */
const writtenOpinionsOf = (bundle: Bundle) => Math.max(0, ...bundle.result.questions.map((q) => q.writtenOpinions ?? 0));

function exclusionsOf(bundle: Bundle): string {
  if (bundle.exclusions.length === 0) return tb('sheet.none');
  const reasons = bundle.exclusions.map((x) => tb('sheet.exclusionLine', { reason: x.reason, approvedBy: x.approvedBy })).join('；');
  return `${people(bundle.exclusions.length)}：${reasons}`;
}

export function electorateFacts(bundle: Bundle): Fact[] {
  const fact = (id: string, key: BoardKey, value: string | number, hint?: string): Fact => ({ id, label: tb(key), value, ...(hint ? { hint } : {}) });
  const returned = bundle.ballots.length;
  if (!isV2(bundle)) {
    const issued = Object.values(bundle.electorate.issued).reduce((a, b) => a + b, 0);
    return [
      fact('expected', 'fact.expected', people(bundle.electorate.expected)),
      fact('excluded', 'fact.excluded', exclusionsOf(bundle)),
      fact('present', 'fact.presentV1', people(bundle.electorate.checkedIn)),
      fact('writtenOpinions', 'fact.writtenOpinions', tb('fact.copies', { n: writtenOpinionsOf(bundle) })),
      fact('issued', 'fact.issued', sheets(issued)),
      fact('returned', 'fact.returned', sheets(bundle.result.ballotsCast)),
      fact('valid', 'fact.valid', sheets(returned)),
      fact('invalid', 'fact.invalid', sheets(bundle.result.ballotsCast - returned)),
    ];
  }
  const e = bundle.electorate;
  const issued = bundle.tokenKeys.reduce((sum, key) => sum + key.issued, 0);
  const withheld = bundle.ballots.filter((b) => b.answer === WITHHELD).length;
  const facts = [
    fact('expected', 'fact.expected', people(e.expected)),
    fact('excluded', 'fact.excluded', exclusionsOf(bundle)),
    fact('headCount', 'fact.headCount', people(e.headCount), e.headCountNote.trim() ? `${tb('fact.headCountNote')}：${e.headCountNote}` : undefined),
    fact('present', 'fact.present', people(e.present)),
    fact('checkedIn', 'fact.checkedIn', people(e.checkedIn)),
    fact('struck', 'fact.struck', people(e.struck)),
    fact('late', 'fact.late', people(e.lateCheckIns)),
    fact('writtenOpinions', 'fact.writtenOpinions', tb('fact.copies', { n: writtenOpinionsOf(bundle) })),
    fact('submitted', 'fact.submitted', people(e.submitted)),
    fact('declaredNotVoted', 'fact.declaredNotVoted', e.declaredNotVoted === null ? tb('fact.notRecorded') : people(e.declaredNotVoted)),
    fact('refused', 'fact.refused', tb('fact.times', { n: e.refusedOverIssued })),
    fact('issued', 'fact.issued', sheets(issued)),
    fact('returned', 'fact.returned', sheets(returned)),
    fact('valid', 'fact.valid', sheets(returned)),
    fact('invalid', 'fact.invalid', sheets(0)),
  ];
  if (withheld > 0) facts.push(fact('withheld', 'fact.withheld', sheets(withheld), tb('fact.withheldHint', { floor: bundle.poll.anonymityFloor })));
  return facts;
}

/** v2: the warning the verifier gives when more submitted than checked in less those who said they did not vote. */
export function submittedWarning(bundle: Bundle): string | undefined {
  if (!isV2(bundle)) return undefined;
  const excess = declaredNotVotedExcess(bundle);
  if (!excess) return undefined;
  const { submitted, checkedIn } = bundle.electorate;
  if (excess.voters > 0) return tb('fact.submittedWarning', { submitted, checkedIn, declared: excess.declared, excess: excess.voters });
  if (excess.ballotsOver > 0) return tb('fact.ballotsWarning', { ballots: excess.ballots, room: excess.room, declared: excess.declared, excess: excess.ballotsOver });
  return undefined;
}
