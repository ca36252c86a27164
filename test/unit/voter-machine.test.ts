/**
 * The voter page's state machine (client/src/stores/voter-machine.ts), without a browser or a
 * server: the one table of moves, and `settle`, which turns where the device stands after a
 * sync into the next screen.
 */
import { describe, expect, it } from 'vitest';
import { accepts, QUIET, settle, transition, type Stage, type Standing } from '../../client/src/stores/voter-machine.ts';

const nothing: Standing = { ready: [], waiting: [], lost: [], cast: [], checkInOpen: [] };
const synced = (standing: Partial<Standing>) => ({ type: 'synced' as const, standing: { ...nothing, ...standing } });

describe('settle: where a sync leads', () => {
  it('goes to the ballots as soon as the device holds tokens, whatever else it waits for', () => {
    expect(settle({ ...nothing, ready: ['p1'], waiting: ['p2'], cast: ['p0'] })).toBe('voting');
  });
  it('says a check-in was lost before anything but ballots, so the voter can act before voting opens', () => {
    expect(settle({ ...nothing, lost: ['p1'], waiting: ['p2'], checkInOpen: ['p1'] })).toBe('lost');
  });
  it('asks for check-in when the code may check in for a poll this device has no part in', () => {
    expect(settle({ ...nothing, checkInOpen: ['p2'], waiting: ['p1'] })).toBe('check-in');
  });
  it('waits while a check-in is pending, even after another poll was cast', () => {
    expect(settle({ ...nothing, waiting: ['p2'], cast: ['p1'] })).toBe('waiting');
  });
  it('is done when everything held was cast, and has no ballot when nothing is held or open', () => {
    expect(settle({ ...nothing, cast: ['p1'] })).toBe('done');
    expect(settle(nothing)).toBe('no-ballot');
  });
});

describe('the table of moves', () => {
  it('walks a typed code through lookup, check-in, waiting, the opening, review, cast and done', () => {
    let stage: Stage = 'enter-code';
    const steps = [
      [{ type: 'submit-code' }, 'looking-up'],
      [synced({ checkInOpen: ['p1'] }), 'check-in'],
      [{ type: 'send-check-in' }, 'checking-in'],
      [synced({ waiting: ['p1'] }), 'waiting'],
      [synced({ ready: ['p1'] }), 'voting'],
      [{ type: 'review' }, 'review'],
      [{ type: 'cast' }, 'casting'],
      [synced({ cast: ['p1'] }), 'done'],
    ] as const;
    for (const [event, next] of steps) {
      stage = transition(stage, event)!;
      expect(stage).toBe(next);
    }
  });

  it('refuses a second cast while the first is on its way (a double click submits once)', () => {
    expect(transition('review', { type: 'cast' })).toBe('casting');
    expect(transition('casting', { type: 'cast' })).toBeUndefined();
    expect(accepts('casting', 'cast')).toBe(false);
    expect(accepts('voting', 'cast')).toBe(false); // never without the review
  });

  it('goes back to the review after a failed cast, and to the check-in screen after a refused check-in', () => {
    expect(transition('casting', { type: 'failed' })).toBe('review');
    expect(transition('checking-in', { type: 'failed' })).toBe('check-in');
    expect(transition('looking-up', { type: 'failed' })).toBe('enter-code');
  });

  it('offers to check in again after a lost check-in: a fresh lookup, then the check-in screen', () => {
    const lost = transition('waiting', synced({ lost: ['p1'] }))!;
    expect(lost).toBe('lost');
    expect(transition(lost, { type: 'check-in-again' })).toBe('looking-up');
  });

  it('keeps the voter on the paper or its review when a background sync finds the same tokens', () => {
    expect(transition('voting', synced({ ready: ['p1'] }))).toBe('voting');
    expect(transition('review', synced({ ready: ['p1'] }))).toBe('review');
  });

  it('moves from the done screen to the next poll when it opens', () => {
    expect(transition('done', synced({ ready: ['p2'], cast: ['p1'] }))).toBe('voting');
  });

  it('never syncs in the background over a request the voter started or a form they fill in', () => {
    for (const stage of ['looking-up', 'checking-in', 'casting', 'check-in', 'enter-code', 'keys-differ'] as const) expect(QUIET.has(stage)).toBe(false);
    expect([...QUIET].sort()).toEqual(['done', 'lost', 'review', 'voting', 'waiting']);
  });

  it('sends nothing from the fingerprint warning: its only way is back to the code', () => {
    expect(transition('check-in', { type: 'keys-differ' })).toBe('keys-differ');
    expect(accepts('keys-differ', 'send-check-in')).toBe(false);
    expect(transition('keys-differ', { type: 'back' })).toBe('enter-code');
  });
});
