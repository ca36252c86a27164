/**
 * Kiosk mode: one shared tablet or PC in a hallway, many voters one after another.
 *
 * `/vote?kiosk=1` turns it on and the tab remembers it (sessionStorage) until `?kiosk=0`. The
 * voter page then starts over for the next voter, wiping what the previous one left, after the
 * done screen's short countdown or after a minute without input on any screen. The last
 * seconds of that minute are shown with an "I'm still here" button (WCAG 2.2.1: a time limit
 * is announced and can be extended with one simple action).
 */
import { createSignal, onCleanup } from 'solid-js';

const KIOSK_KEY = 'anon-ballot.kiosk';

export const KIOSK_TIMES = Object.freeze({
  /** Seconds without input before any screen is wiped. */
  idle: 60,
  /** The last seconds of `idle`, during which the warning is shown. */
  warning: 20,
  /** Seconds the done screen (with the receipt) stays up. */
  done: 10,
});

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
