/**
 * Kiosk mode: one shared tablet or PC in a hallway, many voters one after another.
 *
 * `/vote?kiosk=1` turns it on and the tab remembers it (sessionStorage) until `?kiosk=0`. The
 * voter page then starts over for the next person after a short countdown on the checked-in and
 * done screens, or after a minute without input on any screen. The last seconds of that minute
 * are shown with an "I'm still here" button (WCAG 2.2.1: a time limit is announced and can be
 * extended with one simple action).
 *
 * Protocol v2 checks in before voting opens and signs at the opening, so a kiosk holds the
 * check-ins of voters who will come back: starting over forgets what the screen showed (the tab
 * session, the language, receipts) but never a pending check-in or an uncast token, stored under
 * the voter's slot (a hash of the code) where only that voter's code leads. A voter's slot
 * empties as they vote: castPoll removes the tokens, and the receipts go with the next start.
 */
import { createSignal, onCleanup } from 'solid-js';
import { STORE_PREFIX, type VoterStore } from '../../../shared/protocol/voter-flow.ts';
import { forgetTabSession } from './vote-session.ts';

const KIOSK_KEY = 'anon-ballot.kiosk';

export const KIOSK_TIMES = Object.freeze({
  /** Seconds without input before any screen is wiped. */
  idle: 60,
  /** The last seconds of `idle`, during which the warning is shown. */
  warning: 20,
  /** Seconds the done screen (with the receipts) stays up. */
  done: 10,
  /** Seconds the checked-in screen stays up before the next person's turn. */
  checkedIn: 15,
});

/**
 * Between two people at the kiosk: forgets every receipt on it (a kiosk never keeps one for
 * later, and the board's check must not find one voter's receipts for the next) and the tab's
 * voter. Pending check-ins and uncast tokens stay: their voters come back to vote.
 */
export function forgetBetweenVoters(store: VoterStore) {
  // voter-flow.ts keeps receipts under `<prefix>receipts:<voter>:<poll>` (see allHeldReceipts).
  for (const key of store.keys()) if (key.startsWith(`${STORE_PREFIX}receipts:`)) store.remove(key);
  forgetTabSession();
}

let remembered: boolean | undefined;

/** True on a kiosk: `?kiosk=1` in this tab's address, now or earlier. Read once per page load. */
export function isKiosk(): boolean {
  if (remembered !== undefined) return remembered;
  const asked = new URLSearchParams(location.search).get('kiosk');
  try {
    if (asked === '1') sessionStorage.setItem(KIOSK_KEY, '1');
    if (asked === '0') sessionStorage.removeItem(KIOSK_KEY);
    remembered = sessionStorage.getItem(KIOSK_KEY) === '1';
  } catch {
    remembered = asked === '1'; // storage refused: the address alone decides
  }
  return remembered;
}

/** The kiosk's address, kept in the address bar so a reload stays a kiosk. */
export const kioskPath = () => `${location.pathname}?kiosk=1`;

// Any of these on the page counts as "someone is here". pointerdown covers mouse, pen and
// touch; `input` catches on-screen keyboards that send no usable keydown.
const INPUT_EVENTS = ['pointerdown', 'keydown', 'input', 'wheel'] as const;

/**
 * Seconds left before `onExpire`; any input on the page, or `restart()`, starts over from
 * `seconds()`. `touched()` tells whether there was any input since creation. Counted against
 * Date.now() rather than in ticks, so a throttled background tab still expires on time.
 *
 * Input inside an element marked `data-kiosk-bar` is not counted: the bar's buttons act by
 * themselves, and a restart on their pointerdown would hide the warning bar under the finger,
 * sending the click on to whatever lies beneath it (a choice on the ballot).
 */
export function createInactivityCountdown(seconds: () => number, onExpire: () => void) {
  const [left, setLeft] = createSignal(seconds());
  const [touched, setTouched] = createSignal(false);
  let deadline = 0;
  const restart = () => {
    deadline = Date.now() + seconds() * 1000;
    setLeft(seconds());
  };
  const onInput = (event: Event) => {
    if (event.target instanceof Element && event.target.closest('[data-kiosk-bar]')) return;
    setTouched(true);
    restart();
  };
  restart();
  const timer = setInterval(() => {
    const ms = deadline - Date.now();
    if (ms > 0) return void setLeft(Math.ceil(ms / 1000));
    setLeft(0);
    onExpire();
  }, 500);
  for (const type of INPUT_EVENTS) window.addEventListener(type, onInput, { capture: true, passive: true });
  onCleanup(() => {
    clearInterval(timer);
    for (const type of INPUT_EVENTS) window.removeEventListener(type, onInput, { capture: true });
  });
  return { left, touched, restart };
}
