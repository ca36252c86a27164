/** The electorate's facts of a bundle (facts.ts) as a compact list on the board. */
import { For, Show } from 'solid-js';
import type { Bundle } from '../../../shared/protocol/bundle.ts';
import { electorateFacts, submittedWarning } from './facts.ts';
import { tb } from './messages.ts';

export function FactsList(props: { bundle: Bundle }) {
  return (
    <section class="board-facts">
      <h3>{tb('fact.heading')}</h3>
      <dl class="facts-list">
        <For each={electorateFacts(props.bundle)}>
          {(fact) => (
            <div data-fact={fact.id}>
              <dt>{fact.label}</dt>
              <dd>
                {fact.value}
                <Show when={fact.hint}>
                  <span class="hint fact-hint">{fact.hint}</span>
                </Show>
              </dd>
            </div>
          )}
        </For>
      </dl>
      <Show when={submittedWarning(props.bundle)}>{(warning) => <p class="alert fact-warning">{warning()}</p>}</Show>
    </section>
  );
}
