/**
 * "Check my ballot": the voter pastes the receipt their voting page showed, and the page looks
 * for it among the ballots of the bundles it has already downloaded. Nothing is sent anywhere:
 * no request is made while checking (the browser test watches for one).
 */
import { createSignal, createUniqueId, Show } from 'solid-js';
import { tb } from './messages.ts';
import { parseReceipt, receiptMatches } from './receipt.ts';

export interface ReceiptSource {
  title: string;
  /** Receipts of the poll's published ballots, computed on first use. */
  receipts: () => string[];
}

type Outcome = { kind: 'found'; poll: string } | { kind: 'not_found' } | { kind: 'invalid'; message: string };

export function ReceiptCheck(props: { sources: ReceiptSource[]; incomplete: boolean }) {
  const [text, setText] = createSignal('');
  const [outcome, setOutcome] = createSignal<Outcome>();
  const inputId = createUniqueId();
  const hintId = createUniqueId();
  const headingId = createUniqueId();

  function check(event: SubmitEvent) {
    event.preventDefault();
    const parsed = parseReceipt(text());
    if (!parsed.ok) return setOutcome({ kind: 'invalid', message: tb(`receipt.${parsed.reason}`) });
    const source = props.sources.find((s) => receiptMatches(s.receipts(), parsed.hex));
    setOutcome(source ? { kind: 'found', poll: source.title } : { kind: 'not_found' });
  }

  return (
    <section class="card receipt-check" aria-labelledby={headingId}>
      <h2 id={headingId}>{tb('receipt.heading')}</h2>
      <form class="stack receipt-form" onSubmit={check} novalidate>
        <label class="field-label" for={inputId}>
          {tb('receipt.label')}
        </label>
        <p class="hint" id={hintId}>
          {tb('receipt.hint')}
        </p>
        <input
          id={inputId}
          class="code-input receipt-input mono"
          type="text"
          inputmode="text"
          autocomplete="off"
          autocapitalize="off"
          spellcheck={false}
          aria-describedby={hintId}
          placeholder="efe2 b921 21fc 0a8b"
          value={text()}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" class="button button-primary">
          {tb('receipt.button')}
        </button>
      </form>
      <div role="status" class="receipt-outcome">
        <Show when={outcome()}>
          {(o) => (
            <p class={o().kind === 'found' ? 'verify-ok' : 'verify-failed'}>
              {o().kind === 'found'
                ? tb('receipt.found', { poll: (o() as { poll: string }).poll })
                : o().kind === 'not_found'
                  ? tb('receipt.notFound')
                  : (o() as { message: string }).message}
            </p>
          )}
        </Show>
        <Show when={props.incomplete && outcome()?.kind === 'not_found'}>
          <p class="hint">{tb('receipt.notLoaded')}</p>
        </Show>
      </div>
    </section>
  );
}
