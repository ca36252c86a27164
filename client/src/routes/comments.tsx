/**
 * /comments: a candidate in the three evaluations reads, after close, the comments raters wrote
 * to them, with their own voting code. The code is sent once and kept nowhere on the device. The
 * comments come sealed to the candidate's own key, made on their device at check-in; this page
 * opens them with it, so they can be read only on that device.
 */
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import type { CandidateCommentsResponse } from '../../../shared/protocol/api.ts';
import { createVoterApi } from '../../../shared/protocol/api-client.ts';
import { heldCandidateFingerprint, openCandidateComments, voterSlot } from '../../../shared/protocol/voter-flow.ts';
import { openVoterStore } from '../stores/voter-store.ts';
import { tc } from '../comments/messages.ts';
import { VotingCodeInput } from '../components/voting-code-input.tsx';
import { voterError, voterErrorText, type VoterError } from '../i18n/errors.ts';

export function CommentsPage() {
  const api = createVoterApi('');
  const [code, setCode] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<VoterError>();
  const [found, setFound] = createSignal<(CandidateCommentsResponse['candidacies'][number] & { keyMissing: boolean })[]>();

  async function look(event: SubmitEvent) {
    event.preventDefault();
    if (busy()) return;
    setBusy(true);
    setError(undefined);
    try {
      const typed = code().trim();
      const store = openVoterStore();
      const { candidacies } = await api.candidateComments(typed);
      // Opened here with this device's key; null stays null (withheld), a missing key says so.
      const opened = await Promise.all(
        candidacies.map(async (c) => {
          const keyMissing = c.comments !== null && c.comments.length > 0 && heldCandidateFingerprint(store, voterSlot(typed), c.pollId) === undefined;
          return { ...c, keyMissing, comments: c.comments === null || keyMissing ? null : await openCandidateComments(store, voterSlot(typed), c.pollId, c.comments) };
        }),
      );
      setFound(opened);
    } catch (cause) {
      setFound(undefined);
      // The voter page's sentences: a wrong code, no network, too many tries and when to try again (never the server's English).
      setError(voterError(cause, 'load'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="page stack">
      <h1>{tc('comments.title')}</h1>
      <p>{tc('comments.lead')}</p>
      <form class="stack" onSubmit={look}>
        <label class="field-label" for="comments-code">
          {tc('comments.code')}
        </label>
        <VotingCodeInput id="comments-code" describedBy="comments-code-hint" value={code()} onInput={setCode} />
        <p class="hint" id="comments-code-hint">
          {tc('comments.codeHint')}
        </p>
        <button type="submit" class="button button-primary" disabled={busy()} aria-busy={busy()}>
          {busy() ? tc('comments.busy') : tc('comments.submit')}
        </button>
      </form>
      <Show when={error()}>
        {(problem) => (
          <p class="alert" role="alert">
            {tc('comments.error', { message: voterErrorText(problem()) })}
          </p>
        )}
      </Show>
      <Show when={found()}>
        {(candidacies) => (
          <div class="stack" aria-live="polite">
            <Show when={candidacies().length > 0} fallback={<p>{tc('comments.none')}</p>}>
              <For each={candidacies()}>
                {(candidacy) => (
                  <article class="card stack">
                    <h2>{candidacy.pollTitle}</h2>
                    <Switch>
                      <Match when={candidacy.keyMissing}>
                        <p>{tc('comments.keyMissing')}</p>
                      </Match>
                      <Match when={candidacy.comments === null}>
                        <p>{tc('comments.withheld')}</p>
                      </Match>
                      <Match when={candidacy.comments?.length === 0}>
                        <p>{tc('comments.empty')}</p>
                      </Match>
                      <Match when={candidacy.comments}>
                        {(comments) => (
                          <>
                            <p class="hint">{tc('comments.count', { n: comments().length })}</p>
                            <ul class="comment-list">
                              <For each={comments()}>{(text) => <li>{text}</li>}</For>
                            </ul>
                          </>
                        )}
                      </Match>
                    </Switch>
                  </article>
                )}
              </For>
            </Show>
          </div>
        )}
      </Show>
    </section>
  );
}
