/**
 * The way in, shown while any poll takes check-ins or ballots: the QR code and address of the
 * voter page (where each voter types the code from their slip; never a personal link), and the
 * key fingerprints large, so that the whole room compares the same ones with their phones.
 */
import { For, Show } from 'solid-js';
import { QrCode } from '../components/qr-code.tsx';
import { groupHex } from '../format.ts';
import type { LivePoll } from './live-store.ts';
import { pt } from './messages.ts';

function groupName(group: string) {
  if (group === 'members') return pt('group.members');
  if (group === 'representatives') return pt('group.representatives');
  return group;
}

export function CheckinPanel(props: { url: string; polls: LivePoll[] }) {
  const keys = () =>
    props.polls.flatMap((poll) =>
      poll.keys.map((key) => ({
        label: poll.keys.length > 1 ? `${poll.title} · ${groupName(key.group)}` : poll.title,
        fingerprint: key.fingerprint,
      })),
    );
  return (
    <aside class="pj-checkin" aria-labelledby="pj-checkin-title">
      <h2 id="pj-checkin-title">{pt('checkin.heading')}</h2>
      <QrCode class="pj-qr" text={props.url} label={pt('checkin.qr', { url: props.url })} />
      <p class="pj-hint">{pt('checkin.hint')}</p>
      <p class="pj-url mono">{props.url.replace(/^https?:\/\//, '')}</p>
      <section class="pj-keys" aria-labelledby="pj-keys-title">
        <h3 id="pj-keys-title">{pt(keys().length > 1 ? 'fingerprint.titleMany' : 'fingerprint.title')}</h3>
        <ul class="plain">
          <For each={keys()}>
            {(key) => (
              <li>
                <Show when={keys().length > 1}>
                  <span class="pj-key-label">{key.label}</span>
                </Show>
                <span class="pj-fingerprint mono">{groupHex(key.fingerprint)}</span>
              </li>
            )}
          </For>
        </ul>
        <p class="pj-hint">{pt('fingerprint.hint')}</p>
      </section>
    </aside>
  );
}
