/**
 * Candidates' new keys on the scrutineer's page (three evaluations, during check-in): the first
 * keys registered for a candidacy hold; keys registered later with the same voting code — from the
 * candidate's new phone, or by whoever else holds the printed code — wait here. The scrutineer
 * approves one only while the candidate stands before them, showing the fingerprint on their own
 * phone under 你的个人密钥; the approval names that fingerprint, and the others are dropped.
 */
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { groupHex } from '../format.ts';
import { createAction, ExplainedError } from '../console/action.ts';
import { ApiError, type ConsoleApi } from '../console/api.ts';
import { ErrorLine } from '../console/error-line.tsx';
import { createLoad, createTicker } from '../console/load.ts';
import { ts } from './messages.ts';

export function CandidateKeyRequests(props: { api: ConsoleApi; pollId: string }) {
  const titleId = createUniqueId();
  const list = createLoad(
    () => props.pollId,
    (id) => props.api.candidateKeyRequests(id),
  );
  createTicker(
    () => list.value()?.open !== false,
    () => void list.reload(),
  );
  const approve = createAction();
  const [approved, setApproved] = createSignal<{ name: string; fingerprint: string; state: 'in_force' | 'awaiting_keys' }>();
  const [typed, setTyped] = createSignal<Record<string, string>>({});
  const run = (candidate: { questionId: string; name: string }, fingerprint: string) =>
    void approve.run(async () => {
      setApproved(undefined);
      const answer = await props.api.approveCandidateKey(props.pollId, candidate.questionId, fingerprint).catch((error: unknown) => {
        // The two refusals a scrutineer meets here, said in the page's language.
        if (error instanceof ApiError && error.code === 'wrong_phase') throw new ExplainedError(ts('keys.tooLate'));
        if (error instanceof ApiError && error.code === 'conflict') throw new ExplainedError(ts('keys.noKeys', { name: candidate.name }));
        throw error;
      });
      setApproved({ name: candidate.name, fingerprint, state: answer.state });
      setTyped({ ...typed(), [candidate.questionId]: '' });
      await list.reload();
    });
  return (
    <section class="stack-tight candidate-key-requests" aria-labelledby={titleId}>
      <h3 id={titleId}>{ts('keys.title')}</h3>
      <p class="hint">{ts('keys.help')}</p>
      <Show when={approved()}>
        {(a) => (
          <p class="notice" role="status">
            {ts(a().state === 'in_force' ? 'keys.approved' : 'keys.approvedAhead', { name: a().name, fingerprint: groupHex(a().fingerprint) })}
          </p>
        )}
      </Show>
      <Show when={list.value()}>
        {(v) => (
          <Show when={v().candidates.length > 0} fallback={<p>{ts('keys.none')}</p>}>
            <ul class="plain list-spaced">
              <For each={v().candidates}>
                {(candidate) => (
                  <li class="stack-tight" data-candidate={candidate.questionId}>
                    <p>
                      <strong>{candidate.name}</strong>
                      {' · '}
                      {ts('keys.registered')} <span class="mono">{candidate.registered ? groupHex(candidate.registered) : '—'}</span>
                    </p>
                    <For each={candidate.requested}>
                      {(fingerprint) => (
                        <button
                          type="button"
                          class="button button-secondary"
                          disabled={approve.busy()}
                          data-fingerprint={fingerprint}
                          onClick={() => run(candidate, fingerprint)}
                        >
                          {ts('keys.approve', { name: candidate.name, fingerprint: groupHex(fingerprint) })}
                        </button>
                      )}
                    </For>
                    <Show when={candidate.approved}>
                      {(fingerprint) => <p class="hint">{ts('keys.approvedWaiting', { fingerprint: groupHex(fingerprint()) })}</p>}
                    </Show>
                    {/* The phone's fingerprint is not among the buttons (another device's requests pushed it out): typed from the phone. */}
                    <form
                      class="inline-form"
                      onSubmit={(event) => {
                        event.preventDefault();
                        const fingerprint = (typed()[candidate.questionId] ?? '').replace(/\s+/g, '').toLowerCase();
                        if (/^[0-9a-f]{16}$/.test(fingerprint)) run(candidate, fingerprint);
                      }}
                    >
                      <label for={`fp-${candidate.questionId}`}>{ts('keys.typeLabel')}</label>
                      <input
                        id={`fp-${candidate.questionId}`}
                        class="input mono"
                        inputmode="text"
                        autocomplete="off"
                        spellcheck={false}
                        placeholder="0123 4567 89ab cdef"
                        value={typed()[candidate.questionId] ?? ''}
                        onInput={(e) => setTyped({ ...typed(), [candidate.questionId]: e.currentTarget.value })}
                      />
                      <button type="submit" class="button button-secondary" disabled={approve.busy()}>
                        {ts('keys.typeApprove')}
                      </button>
                    </form>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Show>
      <ErrorLine text={approve.error() ?? list.error()} />
    </section>
  );
}
