/**
 * The voter page's states and the one table of moves between them (protocol v2, deferred
 * issuance). Pure: no Solid, no DOM, no request; client/src/stores/vote-session.ts runs the
 * requests and feeds their outcomes in as events, and test/unit/voter-machine.test.ts plays it.
 *
 *   enter-code ─submit-code─▶ looking-up ─synced─▶ check-in ─send─▶ checking-in ─synced─▶ waiting
 *        ▲                        │                 │ └─keys-differ─▶ keys-differ
 *        └────failed / back───────┴─────────────────┘
 *   waiting ─synced(tokens)─▶ voting ─review─▶ review ─cast─▶ casting ─synced─▶ voting (next poll) | done
 *   waiting ─synced(lost)─▶ lost ─check-in-again─▶ looking-up
 *   looking-up ─synced─▶ waiting | voting | done (a device that holds something for this code carries on)
 *
 * "synced" is the outcome of asking the ballot box where this device stands (collectTokens plus
 * what the device holds): `settle` turns it into the next stage, the same way from every state
 * that may sync. A stage missing from an event's row refuses it: that is how a second click on
 * "submit" while the first is on its way casts nothing. The background sync while waiting only
 * runs in the QUIET stages, so it never overtakes a request the voter started.
 */

export type Stage =
  | 'loading'
  | 'enter-code'
  | 'looking-up'
  | 'check-in'
  | 'checking-in'
  | 'keys-differ'
  | 'waiting'
  | 'lost'
  | 'voting'
  | 'review'
  | 'casting'
  | 'done'
  | 'no-ballot';

/** Where the device stands after a sync, poll ids in each list. */
export interface Standing {
  /** Tokens held, not cast yet: voting is open for these. */
  ready: readonly string[];
  /** Checked in from this device, waiting for voting to open (or for a late check-in's approval). */
  waiting: readonly string[];
  /** This device's check-in was replaced from another device, or struck. */
  lost: readonly string[];
  /** Cast from this device: receipts held. */
  cast: readonly string[];
  /** Polls the code could check in for now and this device has no part in (known after a lookup). */
  checkInOpen: readonly string[];
}

export type VoterEvent =
  | { type: 'no-session' }
  | { type: 'submit-code' }
  | { type: 'send-check-in' }
  | { type: 'keys-differ' }
  | { type: 'back' }
  | { type: 'synced'; standing: Standing }
  | { type: 'failed' }
  | { type: 'check-in-again' }
  | { type: 'review' }
  | { type: 'cast' };

/**
 * The stage a sync leads to. Ballots to fill in come first; then a lost check-in (the voter must
 * act before voting opens); then a poll still open for check-in; then waiting; then the receipts.
 */
export function settle(standing: Standing): Stage {
  if (standing.ready.length > 0) return 'voting';
  if (standing.lost.length > 0) return 'lost';
  if (standing.checkInOpen.length > 0) return 'check-in';
  if (standing.waiting.length > 0) return 'waiting';
  if (standing.cast.length > 0) return 'done';
  return 'no-ballot';
}

type Target = Stage | ((event: VoterEvent) => Stage);
const bySync = (event: VoterEvent): Stage => (event.type === 'synced' ? settle(event.standing) : 'enter-code');

/** The one table: for each event, the stages that accept it and where they lead. */
const TABLE: { [E in VoterEvent['type']]: Partial<Record<Stage, Target>> } = {
  'no-session': { loading: 'enter-code' },
  'submit-code': { 'enter-code': 'looking-up' },
  'send-check-in': { 'check-in': 'checking-in' },
  'keys-differ': { 'check-in': 'keys-differ' },
  back: { 'check-in': 'enter-code', 'keys-differ': 'enter-code', review: 'voting', lost: 'enter-code', 'no-ballot': 'enter-code' },
  synced: {
    loading: bySync,
    'looking-up': bySync,
    'checking-in': bySync,
    waiting: bySync,
    lost: bySync,
    voting: bySync,
    review: bySync,
    casting: bySync,
    done: bySync,
  },
  failed: {
    loading: 'enter-code',
    'looking-up': 'enter-code',
    'checking-in': 'check-in',
    casting: 'review',
  },
  'check-in-again': { lost: 'looking-up' },
  review: { voting: 'review' },
  cast: { review: 'casting' },
};

/** Stages in which the page asks the ballot box every few seconds and follows its answer. */
export const QUIET: ReadonlySet<Stage> = new Set(['waiting', 'lost', 'voting', 'review', 'done']);

/** Whether `stage` accepts `event` at all. */
export const accepts = (stage: Stage, type: VoterEvent['type']) => TABLE[type][stage] !== undefined;

/** The stage after `event`, or undefined when the current stage does not accept it. */
export function transition(stage: Stage, event: VoterEvent): Stage | undefined {
  const target = TABLE[event.type][stage];
  if (target === undefined) return undefined;
  if (typeof target !== 'function') return target;
  const next = target(event);
  // While the voter fills in or reviews a paper, a background sync that finds the same tokens
  // must not throw them back to the paper's first screen.
  if ((stage === 'review' || stage === 'voting') && next === 'voting') return stage;
  return next;
}
