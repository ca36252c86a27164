/**
 * The way in, shown while any poll takes check-ins or ballots: the QR code and address of the
 * voter page (where each voter types the code from their slip; never a personal link), and the
 * meeting's ONE key set fingerprint, large and grouped by four, so that the whole room compares
 * the same digits with their phones (a phone that was handed keys of its own would show others);
 * and the promise that nothing but turnout shows before close.
 */
import { Show } from 'solid-js';
import { QrCode } from '../components/qr-code.tsx';
import { groupHex } from '../format.ts';
import { pt } from './messages.ts';

/** `checkingIn`: some poll still takes check-ins; otherwise the page is where voters come back to vote. */
export function CheckinPanel(props: { url: string; keySetFingerprint: string | null; checkingIn: boolean }) {
  return (
    <aside class="pj-checkin" aria-labelledby="pj-checkin-title">
      <h2 id="pj-checkin-title">{pt(props.checkingIn ? 'checkin.heading' : 'checkin.headingVoting')}</h2>
      <QrCode class="pj-qr" text={props.url} label={pt('checkin.qr', { url: props.url })} />
      <p class="pj-hint">{pt('checkin.hint')}</p>
      <p class="pj-url mono">{props.url.replace(/^https?:\/\//, '')}</p>
      <Show when={props.keySetFingerprint}>
        {(fingerprint) => (
          <section class="pj-keys" aria-labelledby="pj-keys-title">
            <h3 id="pj-keys-title">{pt('fingerprint.title')}</h3>
            <p class="pj-fingerprint mono">{groupHex(fingerprint())}</p>
            <p class="pj-hint">{pt('fingerprint.hint')}</p>
          </section>
        )}
      </Show>
      <p class="pj-privacy">{pt('privacy.note')}</p>
    </aside>
  );
}
