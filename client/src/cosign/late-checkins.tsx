/**
 * Late check-ins on the scrutineer's page: while voting is open, the check-ins made after the
 * opening (the meeting allowed them) wait for a scrutineer named for the poll, signed in with
 * their own account, to approve them. Each shows the name and number, so that the scrutineer
 * approves only someone they see in the room, and the confirmation code the voter's phone shows
 * (shared/protocol/late-checkin-code.ts), so that they approve that phone's check-in and not one
 * made again with the same voting code on another device. The approval carries the code shown
 * on the button pressed; the server refuses it if the check-in has changed since.
 */
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { groupLateCheckInCode } from '../../../shared/protocol/late-checkin-code.ts';
import { createAction, ExplainedError } from '../console/action.ts';
import { ApiError, type ConsoleApi } from '../console/api.ts';
import { ErrorLine } from '../console/error-line.tsx';
import { createLoad, createTicker } from '../console/load.ts';
import { ts } from './messages.ts';

export function LateCheckIns(props: { api: ConsoleApi; pollId: string }) {
  const titleId = createUniqueId();
  // The code first listed for each waiting voter: a later one means the check-in was replaced
  // from another device while the scrutineer may have been comparing, which the page says.
  const firstSeen = new Map<string, string>();
  const list = createLoad(
    () => props.pollId,
    async (id) => {
      const answer = await props.api.lateCheckIns(id);
      for (const w of answer.waiting) if (!firstSeen.has(w.voterId)) firstSeen.set(w.voterId, w.confirmationCode);
      for (const voterId of firstSeen.keys()) if (!answer.waiting.some((w) => w.voterId === voterId)) firstSeen.delete(voterId);
      return answer;
    },
  );
  createTicker(
    () => true,
    () => void list.reload(),
  );
  const waiting = () => list.value()?.waiting ?? [];
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
      <Show when={list.value()}>
        <Show when={waiting().length > 0} fallback={<p>{ts('late.none')}</p>}>
          <ul class="plain list-spaced">
            <For each={waiting()}>
              {(voter) => (
                <li data-voter={voter.number} class="stack-tight">
                  <p>
                    {ts('late.who', { name: voter.name, number: voter.number })}
                    {' · '}
                    {ts('late.code')}{' '}
                    <strong class="mono" data-confirmation-code={voter.confirmationCode}>
                      {groupLateCheckInCode(voter.confirmationCode)}
                    </strong>
                  </p>
                  <Show when={firstSeen.get(voter.voterId) !== voter.confirmationCode}>
                    <p class="alert" role="alert">
                      {ts('late.replaced', { name: voter.name, number: voter.number })}
                    </p>
                  </Show>
                  <button
                    type="button"
                    class="button button-primary"
                    disabled={approve.busy()}
                    onClick={() =>
                      void approve.run(async () => {
                        setApproved(undefined);
                        try {
                          await props.api.approveLateCheckIn(props.pollId, voter.voterId, voter.confirmationCode);
                        } catch (error) {
                          // The check-in changed (another device) since this code was listed.
                          if (error instanceof ApiError && error.code === 'conflict') {
                            await list.reload();
                            throw new ExplainedError(ts('late.codeChanged', { name: voter.name, number: voter.number }));
                          }
                          throw error;
                        }
                        setApproved({ name: voter.name, number: voter.number });
                        await list.reload();
                      })
                    }
                  >
                    {ts('late.approve', { name: voter.name, number: voter.number, code: groupLateCheckInCode(voter.confirmationCode) })}
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
      <ErrorLine text={approve.error() ?? list.error()} />
    </section>
  );
}
