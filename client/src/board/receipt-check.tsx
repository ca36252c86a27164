/**
 * "Check my ballot". Two ways, both computed in this page from the bundles it already downloaded:
 *   - the receipts this browser keeps from voting here (allHeldReceipts over localStorage), each
 *     found, changed (another receipt under the same token: shown with the signed receipt as
 *     proof) or not found, as soon as the bundles are in;
 *   - a receipt the voter types or pastes (16+ hex digits): found or not found.
 * Nothing is sent anywhere: no request carries a receipt (the browser test watches every one).
 */
import { createMemo, createSignal, createUniqueId, For, Match, Show, Switch } from 'solid-js';
import { allHeldReceipts } from '../../../shared/protocol/voter-flow.ts';
import { groupHex, shortReceipt } from '../format.ts';
import { openVoterStore } from '../stores/voter-store.ts';
import { tb } from './messages.ts';
import { checkHeldReceipts, checkTypedReceipts, type HeldOutcome, type PublishedBallots, type TypedReceiptOutcome } from './receipt.ts';


/** The receipt and signature the ballot box gave, and whether the signature verifies: the voter's evidence. */
function Proof(props: { outcome: Extract<HeldOutcome, { kind: 'changed' | 'missing' }> }) {
  return (
    <div class="receipt-proof">
      <p>
        {props.outcome.kind === 'changed'
          ? tb('receipt.changedExplain', { poll: props.outcome.poll.title, published: groupHex(props.outcome.published.slice(0, 16)) })
          : tb('receipt.missingExplain', { poll: props.outcome.poll.title })}
      </p>
      <dl>
        <dt>{tb('receipt.proofReceipt')}</dt>
        <dd class="mono" data-proof="receipt">
          {props.outcome.held.receipt}
        </dd>
        <dt>{tb('receipt.proofSignature')}</dt>
        <dd class="mono" data-proof="signature">
          {props.outcome.held.signature}
        </dd>
      </dl>
      <p class={props.outcome.signatureValid ? 'verify-ok' : 'verify-failed'} data-proof="signature-check">
        {tb(props.outcome.signatureValid ? 'receipt.signatureValid' : 'receipt.signatureInvalid')}
      </p>
    </div>
  );
}

/** The poll and candidate a held receipt is for (once when the question bears the poll's title); nothing to name while its poll is not published. */
function ballotName(outcome: HeldOutcome): string {
  if (outcome.kind === 'unpublished') return '';
  const question = outcome.poll.questionTitles[outcome.held.questionId] ?? outcome.held.questionId;
  return question === outcome.poll.title ? question : `${outcome.poll.title} · ${question}`;
}

function HeldReceipts(props: { outcomes: HeldOutcome[] }) {
  const count = (kind: HeldOutcome['kind']) => props.outcomes.filter((o) => o.kind === kind).length;
  const headingId = createUniqueId();
  return (
    <section class="held-receipts" aria-labelledby={headingId}>
      <h3 id={headingId}>{tb('receipt.heldHeading')}</h3>
      <p class="hint">{tb('receipt.heldLead')}</p>
      <p class="held-summary">
        {tb('receipt.summary', { found: count('found'), changed: count('changed'), missing: count('missing'), unpublished: count('unpublished') })}
      </p>
      <ul class="plain held-list">
        <For each={props.outcomes}>
          {(outcome) => (
            <li class={`held-item held-${outcome.kind}`} data-outcome={outcome.kind} data-receipt={outcome.held.receipt.slice(0, 16)}>
              <div class="held-head">
                <span class="held-what">{ballotName(outcome)}</span>
                <span class="mono held-receipt">{shortReceipt(outcome.held.receipt)}</span>
                <strong class="held-outcome">{tb(`receipt.held.${outcome.kind}`)}</strong>
              </div>
              <Switch>
                <Match when={outcome.kind === 'changed' || outcome.kind === 'missing'}>
                  <Proof outcome={outcome as Extract<HeldOutcome, { kind: 'changed' | 'missing' }>} />
                </Match>
              </Switch>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}

export function ReceiptCheck(props: { sources: PublishedBallots[]; incomplete: boolean }) {
  const [text, setText] = createSignal('');
  const [typed, setTyped] = createSignal<TypedReceiptOutcome[]>([]);
  const inputId = createUniqueId();
  const hintId = createUniqueId();
  const headingId = createUniqueId();
  // Read once: the voting page writes these; this page only reads them.
  const held = allHeldReceipts(openVoterStore());
  const outcomes = createMemo(() => checkHeldReceipts(held, props.sources));

  function check(event: SubmitEvent) {
    event.preventDefault();
    setTyped(checkTypedReceipts(text(), props.sources));
  }

  return (
    <section class="card receipt-check" aria-labelledby={headingId}>
      <h2 id={headingId}>{tb('receipt.heading')}</h2>
      <Show when={held.length > 0}>
        <HeldReceipts outcomes={outcomes()} />
      </Show>
      <form class="stack receipt-form" onSubmit={check} novalidate>
        <label class="field-label" for={inputId}>
          {tb('receipt.label')}
        </label>
        <p class="hint" id={hintId}>
          {tb('receipt.hint')}
        </p>
        <textarea
          id={inputId}
          class="code-input receipt-input mono"
          inputmode="text"
          autocomplete="off"
          autocapitalize="off"
          spellcheck={false}
          aria-describedby={hintId}
          placeholder="efe2 b921 21fc 0a8b"
          value={text()}
          rows={3}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" class="button button-primary">
          {tb('receipt.button')}
        </button>
      </form>
      <div role="status" class="receipt-outcome">
        <For each={typed()}>
          {(o) => (
            <p class={o.kind === 'found' ? 'verify-ok' : 'verify-failed'} data-receipt-outcome={o.kind}>
              <Show when={o.label !== '' && typed().length > 1}>
                <strong>{o.label}：</strong>
              </Show>
              {o.kind === 'found' ? tb('receipt.found', { poll: o.poll }) : o.kind === 'not_found' ? tb('receipt.notFound') : tb(`receipt.${o.reason}`)}
            </p>
          )}
        </For>
        <Show when={props.incomplete && typed().some((o) => o.kind === 'not_found')}>
          <p class="hint">{tb('receipt.notLoaded')}</p>
        </Show>
      </div>
    </section>
  );
}
