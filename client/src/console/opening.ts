/**
 * Opening voting, as the console prepares it: the same checks the server makes on the head
 * count (server/services/opening.ts), made while the organizer types, so that each refusal
 * reads as a sentence in their words before anything is sent; and, after a refusal from the
 * server (someone checked in meanwhile), made again on the sign-in sheet read anew, to say
 * which poll and why. The server stays the judge: nothing here stops a request.
 *
 * Also the meeting's "can it be held" line (到会人数超过应到会人数的半数，可以开会) from the
 * poll's own rule and the number present.
 */
import { votesNeeded, type Rule } from '../../../shared/tally/rules.ts';
import type { OpeningFacts, SignInSheet } from './api.ts';

/** What the organizer has typed for one poll. */
export interface OpeningDraft {
  /** The head count as typed: a whole number, or anything else while being typed. */
  headCount: string;
  note: string;
  /** Voters whose pending check-in the scrutineers strike. */
  strike: string[];
}

export type OpeningProblem =
  | { kind: 'missing' }
  | { kind: 'aboveExpected'; headCount: number; expected: number }
  | { kind: 'moreCheckedIn'; headCount: number; checkedIn: number }
  | { kind: 'needNote'; headCount: number; checkedIn: number };

/** A head count as typed, or undefined unless it is a whole number. */
export function parseCount(text: string): number | undefined {
  const trimmed = text.trim();
  return /^[0-9]{1,6}$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** The sheet's figures the opening reads: expected, checked in (pending) and struck among them, absent, written. */
export function sheetFigures(sheet: SignInSheet, strike: readonly string[] = []) {
  const pending = sheet.voters.filter((v) => v.state === 'pending');
  const struck = pending.filter((v) => strike.includes(v.voterId)).length;
  return {
    expected: sheet.voters.length,
    pending: pending.length,
    struck,
    /** Checked in and not struck: who receives ballot tokens at the opening. */
    checkedIn: pending.length - struck,
    absent: sheet.voters.filter((v) => v.state === 'none').length,
    written: sheet.voters.filter((v) => v.state === 'written_opinion').length,
  };
}

/** The first reason the server would refuse this opening, in the server's order; none when it would open. */
export function openingProblem(sheet: SignInSheet, draft: OpeningDraft): OpeningProblem | undefined {
  const headCount = parseCount(draft.headCount);
  if (headCount === undefined) return { kind: 'missing' };
  const { expected, checkedIn } = sheetFigures(sheet, draft.strike);
  if (headCount > expected) return { kind: 'aboveExpected', headCount, expected };
  if (checkedIn > headCount) return { kind: 'moreCheckedIn', headCount, checkedIn };
  if (headCount > checkedIn && draft.note.trim() === '') return { kind: 'needNote', headCount, checkedIn };
  return undefined;
}

/**
 * The body of the opening for one poll, as the API takes it (strikes of pending check-ins only);
 * undefined while the head count is not a whole number: that is the one thing not sent.
 */
export function openingFacts(sheet: SignInSheet, draft: OpeningDraft): OpeningFacts | undefined {
  const headCount = parseCount(draft.headCount);
  if (headCount === undefined) return undefined;
  const pending = new Set(sheet.voters.filter((v) => v.state === 'pending').map((v) => v.voterId));
  const strike = draft.strike.filter((id) => pending.has(id));
  const note = draft.note.trim();
  return { headCount, ...(note ? { headCountNote: note } : {}), ...(strike.length ? { strike } : {}) };
}

/**
 * Whether the meeting can be held with `present` members of `expected`, under the poll's own
 * rule (its quorum, or the attendance indicator of the advisory kinds). Plain counts and the
 * three evaluations have none. Without its quorum a poll's voting does not open (the server
 * refuses: services/opening.ts); an indicator not met is only reported.
 */
export function meetingQuorum(rule: Rule, expected: number, present: number) {
  const setting = 'quorum' in rule ? rule.quorum : 'attendance' in rule ? rule.attendance : undefined;
  if (!setting) return undefined;
  const needed = votesNeeded(expected, setting.fraction, setting.comparison);
  return {
    needed,
    met: present >= needed,
    /** "More than half": the words of the rules (到会人数超过应到会人数的半数). */
    half: setting.fraction === '1/2' && setting.comparison === 'more_than',
    /** An attendance indicator (the advisory kinds) is reported with the result; a quorum stops the vote. */
    advisory: !('quorum' in rule),
  };
}
