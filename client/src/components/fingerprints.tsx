/**
 * The key fingerprints, for a voter who typed the code: the voting link checks them by itself,
 * a typed code cannot, so the voter compares them with the projector.
 */
import { For, Show } from 'solid-js';
import { t } from '../i18n/index.ts';
import { groupHex } from '../format.ts';

/** One line per key; with several polls each fingerprint is labelled with its poll, so two are not read as one. */
export function Fingerprints(props: { fingerprints: { pollTitle: string; fingerprint: string }[] }) {
  return (
    <section class="card card-info" aria-labelledby="fingerprint-title">
      <h2 id="fingerprint-title">{t(props.fingerprints.length > 1 ? 'fingerprint.titleMany' : 'fingerprint.title')}</h2>
      <ul class="plain fingerprint-list">
        <For each={props.fingerprints}>
          {(key) => (
            <li>
              <Show when={props.fingerprints.length > 1}>
                <span class="fingerprint-poll">{key.pollTitle}</span>
              </Show>
              <span class="mono fingerprint">{groupHex(key.fingerprint)}</span>
            </li>
          )}
        </For>
      </ul>
      <p>{t('fingerprint.compare')}</p>
    </section>
  );
}
