/**
 * Mass supervision under each published result on the board: while the publicity period runs,
 * a form to object, anonymously by default or with a name; once it has ended, how many
 * objections were received and their outcomes (the server gives counts only, never the text).
 * The server decides whether the period runs; `running` only chooses what to offer.
 *
 * A member of the meeting's roster may add their voting code: the objection then gets through
 * however many others are being sent (the server keeps members a share of their own). The code is
 * checked here for its form only (a typing mistake is said before anything is sent); the server
 * checks the roster and keeps only that the objection came from a member, and the page then says
 * the code was recognised. The form says this in plain words, for a student who never read the
 * limits.
 */
import { createResource, createSignal, createUniqueId, For, Show } from 'solid-js';
import { normalizeVotingCode } from '../../../shared/protocol/voting-code.ts';
import { VotingCodeInput } from '../components/voting-code-input.tsx';
import { boardApi, type PublishedPollItem } from './board-api.ts';
import { MEMBER_OBJECTIONS_PER_DAY, objectionErrorText, to } from './objections-messages.ts';

export function ObjectionsSlot(props: { poll: PublishedPollItem; running: boolean }) {
  return (
    <Show when={props.running} fallback={<ObjectionSummary pollId={props.poll.id} />}>
      <ObjectionForm pollId={props.poll.id} />
    </Show>
  );
}

function ObjectionSummary(props: { pollId: string }) {
  const [summary] = createResource(() => props.pollId, boardApi.objectionSummary);
  return (
    <Show when={summary()?.status === 'ended' && summary()}>
      {(s) => (
        // Named after its poll too: with several polls' periods over, each summary is its own landmark.
        <section class="objection-summary" aria-labelledby={`poll-${props.pollId}`}>
          <Show when={s().received! > 0} fallback={<p>{to('objection.summaryNone')}</p>}>
            <p>{to('objection.summary', { n: s().received! })}</p>
            <ul>
              <For each={(['proceed', 'defer', 'reject', 'pending'] as const).filter((k) => s().outcomes![k] > 0)}>
                {(outcome) => <li>{to(`objection.${outcome}`, { n: s().outcomes![outcome] })}</li>}
              </For>
            </ul>
          </Show>
        </section>
      )}
    </Show>
  );
}

function ObjectionForm(props: { pollId: string }) {
  const id = createUniqueId();
  // The server's own number of objections a member's code may send a day (its setting).
  const [summary] = createResource(() => props.pollId, boardApi.objectionSummary);
  const perDay = () => summary()?.memberObjectionsPerDay ?? MEMBER_OBJECTIONS_PER_DAY;
  const [text, setText] = createSignal('');
  const [named, setNamed] = createSignal(false);
  const [name, setName] = createSignal('');
  const [contact, setContact] = createSignal('');
  const [code, setCode] = createSignal('');
  const [sending, setSending] = createSignal(false);
  /** The last refusal, put in words when shown (so a language switch says it again in the other). */
  const [error, setError] = createSignal<{ cause: unknown; withCode: boolean }>();
  /** The day the server received it, and whether a voting code went with it (and was recognised). */
  const [received, setReceived] = createSignal<{ on: string; member: boolean }>();

  async function send(event: SubmitEvent) {
    event.preventDefault();
    if (sending()) return;
    const typedCode = code().trim();
    setSending(true);
    setError(undefined);
    try {
      const body = {
        text: text().trim(),
        ...(named() ? { name: name().trim(), ...(contact().trim() ? { contact: contact().trim() } : {}) } : {}),
        // A mistyped code is refused here (bad_code), before anything is sent.
        ...(typedCode ? { code: normalizeVotingCode(typedCode) } : {}),
      };
      const { receivedOn } = await boardApi.fileObjection(props.pollId, body);
      // Taken with a code: the server found it on the meeting's roster (else it answers not_eligible).
      setReceived({ on: receivedOn, member: body.code !== undefined });
      setText('');
      setCode('');
    } catch (cause) {
      setError({ cause, withCode: typedCode !== '' });
    } finally {
      setSending(false);
    }
  }

  return (
    <details class="objection">
      <summary>{to('objection.heading')}</summary>
      <Show
        when={received()}
        fallback={
          <form class="stack" onSubmit={send}>
            <p>{to('objection.lead')}</p>
            <label class="field-label" for={`${id}-text`}>
              {to('objection.text')}
            </label>
            <textarea
              id={`${id}-text`}
              class="comment-input"
              rows={5}
              required
              minlength={5}
              maxlength={2000}
              aria-describedby={`${id}-text-hint`}
              value={text()}
              onInput={(event) => setText(event.currentTarget.value)}
            />
            <p class="hint" id={`${id}-text-hint`}>
              {to('objection.textHint')}
            </p>
            <fieldset class="objection-who">
              <legend class="field-label">{to('objection.who')}</legend>
              <label class="choice">
                <input type="radio" name={`${id}-who`} checked={!named()} onChange={() => setNamed(false)} />
                {to('objection.anonymous')}
              </label>
              <label class="choice">
                <input type="radio" name={`${id}-who`} checked={named()} onChange={() => setNamed(true)} />
                {to('objection.named')}
              </label>
            </fieldset>
            <Show when={named()} fallback={<p class="hint">{to('objection.anonymousNote')}</p>}>
              <label class="field-label" for={`${id}-name`}>
                {to('objection.name')}
              </label>
              <input id={`${id}-name`} class="text-input" type="text" required maxlength={100} value={name()} onInput={(event) => setName(event.currentTarget.value)} />
              <label class="field-label" for={`${id}-contact`}>
                {to('objection.contact')}
              </label>
              <input
                id={`${id}-contact`}
                class="text-input"
                type="text"
                maxlength={200}
                aria-describedby={`${id}-contact-hint`}
                value={contact()}
                onInput={(event) => setContact(event.currentTarget.value)}
              />
              <p class="hint" id={`${id}-contact-hint`}>
                {to('objection.contactHint')}
              </p>
            </Show>
            <label class="field-label" for={`${id}-code`}>
              {to('objection.code')}
            </label>
            <VotingCodeInput id={`${id}-code`} describedBy={`${id}-code-hint`} required={false} value={code()} onInput={setCode} />
            <p class="hint" id={`${id}-code-hint`}>
              {to('objection.codeHint', { perDay: perDay() })}
            </p>
            <Show when={error()}>
              {(refusal) => (
                <p class="alert" role="alert">
                  {objectionErrorText(refusal().cause, refusal().withCode, perDay())}
                </p>
              )}
            </Show>
            <button type="submit" class="button button-primary" disabled={sending()} aria-busy={sending()}>
              {sending() ? to('objection.sending') : to('objection.submit')}
            </button>
          </form>
        }
      >
        {(done) => (
          <p class="notice" role="status">
            {to(done().member ? 'objection.receivedMember' : 'objection.received', { date: done().on })}
          </p>
        )}
      </Show>
    </details>
  );
}
