/**
 * The decisions recorded beside a published advisory result (the branch committee's; for a
 * development object the higher committee's pre-examination; for a league recommendation the
 * league committee's review, 团委审核), as the board shows them.
 */
import { createResource, For, Show } from 'solid-js';
import type { Bundle } from '../../../shared/protocol/bundle.ts';
import { boardApi } from './board-api.ts';
import { tb, type BoardKey } from './messages.ts';

export function DecisionsList(props: { pollId: string; bundle: Bundle }) {
  const [decisions] = createResource(() => props.pollId, boardApi.decisions);
  const title = (questionId: string) => props.bundle.poll.questions.find((q) => q.id === questionId)?.title ?? questionId;
  return (
    <Show when={(decisions() ?? []).length > 0}>
      <section class="board-decisions">
        <h3>{tb('decisions.heading')}</h3>
        <ul class="plain">
          <For each={decisions()}>
            {(d) => (
              <li data-question={d.questionId}>
                {tb('decisions.line', {
                  candidate: title(d.questionId),
                  // A league branch's committee is the 团支部委员会.
                  step: tb(props.bundle.poll.kind === 'league_recommendation' && d.step === 'committee_decision' ? 'decisions.league_committee' : (`decisions.${d.step}` as BoardKey)),
                  outcome: tb(`decisions.${d.outcome}` as BoardKey),
                  by: d.decidedBy,
                  date: d.date,
                })}
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}
