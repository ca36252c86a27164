/**
 * A receipt's short form with a Copy button. The clipboard API exists only on secure origins
 * (HTTPS or localhost); elsewhere the text is selected and copied with execCommand, and if even
 * that fails it stays selected for the voter to copy by hand. On a shared kiosk there is no Copy
 * button: the next voter would find the receipt on the clipboard.
 */
import { createSignal, createUniqueId, Show } from 'solid-js';
import { t } from '../i18n/index.ts';
import { shortReceipt } from '../format.ts';

function selectContents(element: HTMLElement) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

export function ReceiptCard(props: { receipt: string; title?: string | undefined; copyable: boolean }) {
  const [copied, setCopied] = createSignal<'no' | 'yes' | 'manual'>('no');
  const hintId = createUniqueId();
  const titleId = createUniqueId();
  let code!: HTMLParagraphElement;

  async function copy() {
    const text = shortReceipt(props.receipt);
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      selectContents(code);
      setCopied(document.execCommand('copy') ? 'yes' : 'manual');
    }
  }

  return (
    // Named by its heading, which carries the poll's title when there are several receipts.
    <section class="card receipt" aria-labelledby={titleId}>
      <h2 id={titleId}>
        {t('done.receipt')}
        <Show when={props.title}>{(title) => <span class="receipt-poll"> · {title()}</span>}</Show>
      </h2>
      <p class="mono receipt-code" ref={code} aria-describedby={hintId}>
        {shortReceipt(props.receipt)}
      </p>
      <p class="hint" id={hintId}>
        {t('done.receiptHint')}
      </p>
      <Show when={props.copyable}>
        <button type="button" class="button button-secondary" onClick={copy}>
          {t('done.copy')}
        </button>
        <p class="copy-status" role="status">
          {copied() === 'yes' ? t('done.copied') : copied() === 'manual' ? t('done.copyManual') : ''}
        </p>
      </Show>
    </section>
  );
}
