/**
 * Key fingerprints, grouped by four for comparison with the projector. A voting link checks
 * them by itself; a typed code cannot, so before anything is blinded the voter compares them
 * (the confirm screen), and they stay on the later screens: in full while waiting, as one
 * small line on the ballot paper and the review.
 */
import { For, Show } from 'solid-js';
import { t } from '../i18n/index.ts';
import { groupHex } from '../format.ts';

export interface FingerprintItem {
  label: string;
  fingerprint: string;
}

const GROUP_NAMES: Record<string, 'group.representatives' | 'group.members'> = {
  representatives: 'group.representatives',
  members: 'group.members',
};

/** What a key is for: its poll, and its voter group when the poll has several (one key each). */
export function keyLabel(pollTitle: string, group: string, groupsInPoll: number): string {
  if (groupsInPoll < 2) return pollTitle;
  const name = GROUP_NAMES[group];
  return `${pollTitle} · ${name ? t(name) : group}`;
}

/** One line per key; with several each fingerprint is labelled, so two are not read as one. */
export function Fingerprints(props: { items: FingerprintItem[]; note?: string }) {
  return (
    <section class="card card-info" aria-labelledby="fingerprint-title">
      <h2 id="fingerprint-title">{t(props.items.length > 1 ? 'fingerprint.titleMany' : 'fingerprint.title')}</h2>
      <ul class="plain fingerprint-list">
        <For each={props.items}>
          {(key) => (
            <li>
              <Show when={props.items.length > 1}>
                <span class="fingerprint-poll">{key.label}</span>
              </Show>
              <span class="mono fingerprint">{groupHex(key.fingerprint)}</span>
            </li>
          )}
        </For>
      </ul>
      <Show when={props.note}>{(note) => <p>{note()}</p>}</Show>
    </section>
  );
}

/** The small line on a ballot paper: the fingerprint of the key its token was issued under. */
export function KeyLine(props: { fingerprint: string }) {
  return (
    <p class="key-line">
      {t('fingerprint.ballot')} <span class="mono key-line-fingerprint">{groupHex(props.fingerprint)}</span> · {t('fingerprint.ballotHint')}
    </p>
  );
}
