/**
 * What a kiosk adds to the screens. After check-in, the note that the check-in stays on this
 * kiosk with the countdown to the next person; on the done screen, the note to write the
 * receipts down with the countdown to the next voter; on any other screen, in the last seconds
 * before an idle kiosk is cleared, a warning bar with an "I'm still here" button, kept in sight
 * at the bottom of the screen. The seconds are a timer, which screen readers do not read out
 * every second; the warning itself is an alert, read once when it appears.
 */
import { t } from '../i18n/index.ts';

export function KioskCheckedInNotice(props: { seconds: number }) {
  return (
    <div class="kiosk-note">
      <p role="timer" aria-atomic="true">
        {t('kiosk.checkedInCountdown', { n: props.seconds })}
      </p>
    </div>
  );
}

export function KioskDoneNotice(props: { seconds: number }) {
  return (
    <div class="kiosk-note">
      <p class="kiosk-note-strong">{t('kiosk.receiptNote')}</p>
      <p role="timer" aria-atomic="true">
        {t('kiosk.doneCountdown', { n: props.seconds })}
      </p>
    </div>
  );
}

/** Marked `data-kiosk-bar`: a tap on it is not "input" that would hide it under the finger. */
export function KioskIdleWarning(props: { seconds: number; onStay: () => void }) {
  return (
    <div class="kiosk-bar" data-kiosk-bar>
      <p role="alert">{t('kiosk.idleAlert')}</p>
      <p class="kiosk-countdown" role="timer" aria-atomic="true">
        {t('kiosk.idleCountdown', { n: props.seconds })}
      </p>
      <button type="button" class="button button-primary" onClick={() => props.onStay()}>
        {t('kiosk.stillHere')}
      </button>
    </div>
  );
}
