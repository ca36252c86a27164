/**
 * The three evaluations, while check-in and voting are open: each candidate's own key as
 * registered in the room (protocol §5a), the name and the fingerprint grouped by four, or 未登记.
 * The candidate compares it with "你的个人密钥" on their phone; a key someone else registered in
 * their name shows here as another fingerprint, in front of the whole room.
 */
import { For, Show } from 'solid-js';
import { groupHex } from '../format.ts';
import type { LivePoll } from './live-store.ts';
import { pt } from './messages.ts';

export function CandidateKeys(props: { poll: LivePoll; fingerprints: Record<string, string | null> }) {
  const titleId = () => `pj-candidate-keys-${props.poll.id}`;
  return (
    <section class="pj-candidate-keys" aria-labelledby={titleId()}>
      <h3 id={titleId()}>{pt('candidateKeys.heading')}</h3>
      <ul class="plain pj-candidate-key-list">
        <For each={props.poll.questions}>
          {(question) => (
            <li data-candidate={question.id}>
              <span class="pj-candidate-name">{question.title}</span>
              <Show when={props.fingerprints[question.id]} fallback={<span class="pj-candidate-none">{pt('candidateKeys.none')}</span>}>
                {(fingerprint) => <span class="pj-candidate-fingerprint mono">{groupHex(fingerprint())}</span>}
              </Show>
            </li>
          )}
        </For>
      </ul>
      <p class="pj-hint">{pt('candidateKeys.hint')}</p>
    </section>
  );
}
