/**
 * Late check-ins on the scrutineer's page: while voting is open, the check-ins made after the
 * opening (the meeting allowed them) wait for a scrutineer named for the poll, signed in with
 * their own account, to approve them; each shows the name and number, so that the scrutineer
 * approves only someone they see in the room. Approving signs that voter's requests then.
 */
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { createAction } from '../console/action.ts';
import type { ConsoleApi } from '../console/api.ts';
import { ErrorLine } from '../console/error-line.tsx';
import { createLoad, createTicker } from '../console/load.ts';
import { ts } from './messages.ts';

export function LateCheckIns(props: { api: ConsoleApi; pollId: string }) {
  const titleId = createUniqueId();
  const sheet = createLoad(
    () => props.pollId,
    (id) => props.api.checkins(id),
  );
  createTicker(
    () => true,
    () => void sheet.reload(),
  );
  const waiting = () => (sheet.value()?.voters ?? []).filter((v) => v.state === 'awaiting_approval');
  const approve = createAction();
  const [approved, setApproved] = createSignal<{ name: string; number: string }>();
  return (
    <section class="stack-tight late-checkins" aria-labelledby={titleId}>
      <h3 id={titleId}>{ts('late.title')}</h3>
      <p class="hint">{ts('late.help')}</p>
      <Show when={approved()}>
        {(a) => (
          <p class="notice" role="status">
            {ts('late.approved', a())}
          </p>
        )}
      </Show>
      <Show when={sheet.value()}>
        <Show when={waiting().length > 0} fallback={<p>{ts('late.none')}</p>}>
          <ul class="plain list-spaced">
            <For each={waiting()}>
              {(voter) => (
                <li data-voter={voter.number}>
                  <button
                    type="button"
                    class="button button-primary"
                    disabled={approve.busy()}
                    onClick={() =>
                      void approve.run(async () => {
                        setApproved(undefined);
                        await props.api.approveLateCheckIn(props.pollId, voter.voterId);
                        setApproved({ name: voter.name, number: voter.number });
                        await sheet.reload();
                      })
                    }
                  >
                    {ts('late.approve', { name: voter.name, number: voter.number })}
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
      <ErrorLine text={approve.error() ?? sheet.error()} />
    </section>
  );
}
