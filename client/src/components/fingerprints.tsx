/**
 * The meeting's key-set fingerprint (protocol v2: one for the whole meeting), grouped by four
 * for comparison with the projector and the slip. A voting link checks it by itself; for a typed
 * code the voter compares it on the check-in screen before anything is sent. It stays on the
 * later screens as one small line.
 */
import { t } from '../i18n/index.ts';
import { groupHex } from '../format.ts';

/** The fingerprint large, for reading group by group. */
export function Fingerprint(props: { fingerprint: string; id?: string }) {
  return (
    <p class="mono fingerprint" id={props.id}>
      {groupHex(props.fingerprint)}
    </p>
  );
}

/** The small line on the later screens: the fingerprint the check-in was made under. */
export function KeyLine(props: { fingerprint: string }) {
  return (
    <p class="key-line">
      {t('wait.fingerprint')} <span class="mono key-line-fingerprint">{groupHex(props.fingerprint)}</span>
    </p>
  );
}
