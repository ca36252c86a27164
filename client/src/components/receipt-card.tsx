/**
 * One poll's receipts: per candidate the short form (first 16 hex digits, grouped by four) and
 * whether the ballot box's signature over it verified on this device, with one Copy button for
 * the lot. The clipboard API exists only on secure origins (HTTPS or localhost); elsewhere the
 * list is selected and copied with execCommand, and if even that fails it stays selected for
 * the voter to copy by hand. On a shared kiosk there is no Copy button: the next voter would
 * find the receipts on the clipboard.
 */
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { t } from '../i18n/index.ts';
import { shortReceipt } from '../format.ts';

export interface ReceiptItem {
  /** The candidate (question) the ballot was for (a voter rates in one group only). */
  title: string;
  receipt: string;
  verified: boolean;
}

function selectContents(element: HTMLElement) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

export function ReceiptCard(props: { pollTitle: string; items: ReceiptItem[]; copyable: boolean }) {
  const [copied, setCopied] = createSignal<'no' | 'yes' | 'manual'>('no');
  const hintId = createUniqueId();
  const titleId = createUniqueId();
  let list!: HTMLUListElement;

  async function copy() {
    const text = props.items.map((item) => `${item.title} ${shortReceipt(item.receipt)}`).join('\n');
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      selectContents(list);
      setCopied(document.execCommand('copy') ? 'yes' : 'manual');
    }
  }

  return (
    // Named by its heading, which carries the poll's title.
    <section class="card receipt" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('done.receipts', { poll: props.pollTitle })}</h2>
      <p class="hint" id={hintId}>
        {t('done.receiptsHint')}
      </p>
      <ul class="plain receipt-list" ref={list} aria-describedby={hintId}>
        <For each={props.items}>
          {(item) => (
            <li class="receipt-item">
              <span class="receipt-name">{item.title}</span>
              <span class="mono receipt-code">{shortReceipt(item.receipt)}</span>
              <span class="receipt-signed" classList={{ 'receipt-unsigned': !item.verified }}>
                <span aria-hidden="true">{item.verified ? '✓ ' : '✗ '}</span>
                {t(item.verified ? 'done.signed' : 'done.unsigned')}
              </span>
            </li>
          )}
        </For>
      </ul>
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
