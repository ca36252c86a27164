/**
 * The opening statement (开始投票声明) on a scrutineer's page while voting is open: the facts as
 * the server wrote them when voting opened, the first digits of its digest computed here from
 * those very facts (to compare with the projector), and a button that signs that digest with the
 * key this browser holds. The signature goes into the result signed at close.
 */
import { createMemo, Show } from 'solid-js';
import { cosignOpeningStatement, openingStatementDigestHex } from '../../../shared/crypto/opening-statement.ts';
import type { Cosignature, OpeningStatement } from '../../../shared/protocol/bundle.ts';
import { groupHex } from '../format.ts';
import { ts } from './messages.ts';

export function OpeningStatementCard(props: {
  statement: OpeningStatement;
  cosignatures: Cosignature[];
  /** The scrutineer's registered key, if any. */
  publicKey: string | null;
  /** The secret key of `publicKey` when this browser holds it. */
  secretKey: Uint8Array | undefined;
  busy: boolean;
  onSign: (signature: string) => void;
}) {
  const s = () => props.statement;
  const digest = createMemo(() => openingStatementDigestHex(props.statement));
  const issued = () => s().issued.reduce((sum, k) => sum + k.issued, 0);
  const signed = () => props.publicKey !== null && props.cosignatures.some((c) => c.publicKey === props.publicKey);
  return (
    <section class="stack" aria-labelledby="opening-statement-title">
      <h3 id="opening-statement-title">{ts('opening.title')}</h3>
      <ul class="plain list-spaced" data-statement="facts">
        <li>{ts('opening.headCount', { n: s().headCount })}</li>
        <li>{ts('opening.checkedIn', { n: s().checkedIn })}</li>
        <li>{ts('opening.struck', { n: s().struck })}</li>
        <li>{ts('opening.issued', { n: issued() })}</li>
        <Show when={s().headCountNote}>
          <li>{ts('opening.note', { note: s().headCountNote })}</li>
        </Show>
      </ul>
      <p>
        {ts('opening.digest')} <span class="mono digest-text" data-statement="digest">{groupHex(digest().slice(0, 16))}</span>
      </p>
      <p class="hint">{ts('opening.hint')}</p>
      <Show
        when={!signed()}
        fallback={
          <p class="notice" role="status">
            {ts('opening.signed')}
          </p>
        }
      >
        <Show when={props.secretKey} fallback={<p class="hint">{ts('opening.needKey')}</p>}>
          {(secretKey) => (
            <button type="button" class="button button-primary" disabled={props.busy} onClick={() => props.onSign(cosignOpeningStatement(props.statement, secretKey()))}>
              {props.busy ? ts('cosign.signing') : ts('opening.sign')}
            </button>
          )}
        </Show>
      </Show>
      <p class="hint">
        <Show when={props.cosignatures.length} fallback={ts('cosign.nobody')}>
          {ts('cosign.others', { names: props.cosignatures.map((c) => c.name).join('、') })}
        </Show>
      </p>
    </section>
  );
}
