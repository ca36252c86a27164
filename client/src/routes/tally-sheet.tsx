/**
 * /tally-sheet?poll=ID, the printable tally sheet (计票单) of one poll, on A4: the facts of the
 * vote, the count per candidate with thresholds and verdicts, lines for the scrutineers to sign,
 * the audit log's anchors (v2) and the SHA-256 of the signed bundle (hex and QR) so that paper
 * and file can be matched.
 *
 * Everything comes from the signed bundle: the public one once the poll is published, else the
 * organizer's (GET /api/polls/:id/bundle, with the session cookie) for a closed poll not yet
 * published. The facts are board/facts.ts's, the same list the board shows:
 *   v2  应到 (and those left out of it), 清点人数 (with its note), 实到 = 清点人数 + 补签到, 签到,
 *       划去, 补签到, 书面意见, 提交, 当场声明未投票, refused submissions, 发出选票凭证 (Σ over
 *       the poll's keys), 收回 / 有效 / 无效; per candidate, tokens issued and ballots returned
 *       are columns of the count; a warning when more submitted than checked in less those who
 *       said they did not vote; the audit log's head at the opening and at close.
 *   v1  应到, 实到 (checked in), 书面意见, 发出, 收回, 有效, 无效, as v1 printed them.
 * Valid: the ballot box refuses any ballot that does not answer with permitted choices, so every
 * returned ballot is valid (abstaining is a valid vote) and invalid = 0, printed because the
 * paper form has it.
 */
import { checkCosignature } from '../../../shared/crypto/bundle-digest.ts';
import { createMemo, createResource, For, Match, Show, Switch } from 'solid-js';
import { bundleDigestHex } from '../../../shared/crypto/bundle-digest.ts';
import { resultsCsv, resultsCsvFileName, resultTable, type ExportLocale } from '../../../shared/export/results-csv.ts';
import { bundleSchema, isV2, type Bundle, type BundleV2 } from '../../../shared/protocol/bundle.ts';
import { ApiError } from '../../../shared/protocol/api-client.ts';
import { localDate } from '../../../shared/publicity.ts';
import { QrCode } from '../components/qr-code.tsx';
import { groupHex } from '../format.ts';
import { locale } from '../i18n/index.ts';
import { boardApi } from '../board/board-api.ts';
import { downloadText } from '../board/downloads.ts';
import { electorateFacts, submittedWarning } from '../board/facts.ts';
import { jsonRefusalText, tb, type BoardKey } from '../board/messages.ts';
import { JsonRefusal } from '../../../shared/strict-json.ts';
import '../board/board.css';

interface SheetData {
  bundle: Bundle;
  digest: string;
  published: boolean;
  publishedAt?: string;
  meetingTitle?: string;
}

class SheetError extends Error {
  constructor(readonly key: BoardKey) {
    super(key);
  }
}

async function loadSheet(pollId: string): Promise<SheetData> {
  let raw: unknown;
  let published = true;
  try {
    raw = await boardApi.publishedBundle(pollId);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    published = false;
    try {
      raw = await boardApi.organizerBundle(pollId);
    } catch (inner) {
      if (inner instanceof ApiError && inner.status === 401) throw new SheetError('sheet.signIn');
      if (inner instanceof ApiError && (inner.status === 404 || inner.status === 409 || inner.status === 403)) throw new SheetError('sheet.notFound');
      throw inner;
    }
  }
  const bundle = bundleSchema.parse(raw);
  const [meetingTitle, listed] = await Promise.all([
    boardApi.meetingTitle(bundle.poll.meetingId).catch(() => undefined),
    published ? boardApi.publishedPolls().catch(() => []) : Promise.resolve([]),
  ]);
  const publishedAt = listed.find((p) => p.id === pollId)?.publishedAt;
  // The digest is over the bundle exactly as served, not the parsed copy.
  return { bundle, digest: bundleDigestHex(raw as object), published, ...(publishedAt ? { publishedAt } : {}), ...(meetingTitle ? { meetingTitle } : {}) };
}

function Facts(props: { bundle: Bundle }) {
  return (
    <section aria-labelledby="sheet-facts">
      <h2 id="sheet-facts">{tb('sheet.facts')}</h2>
      <table class="sheet-table sheet-facts">
        <tbody>
          <For each={electorateFacts(props.bundle)}>
            {(fact) => (
              <tr data-fact={fact.id}>
                <th scope="row">{fact.label}</th>
                <td>
                  {fact.value}
                  <Show when={fact.hint}>
                    <span class="sheet-fact-hint">{fact.hint}</span>
                  </Show>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={submittedWarning(props.bundle)}>{(warning) => <p class="sheet-warning">{warning()}</p>}</Show>
      <Show when={props.bundle.result.quorum}>
        {(quorum) => (
          <p>
            <strong>{tb('sheet.quorum')}：</strong>
            {quorum().explanation[locale() as ExportLocale]}
          </p>
        )}
      </Show>
      <Show when={isV2(props.bundle)}>
        <p class="sheet-hint">{tb('sheet.perCandidate')}</p>
      </Show>
    </section>
  );
}

/** v2: the audit log's head when voting opened and when it closed, as anchored in the signed bundle. */
function RecordAnchors(props: { bundle: BundleV2 }) {
  const line = (anchor: BundleV2['record']['opening']) => tb('sheet.recordLine', { seq: anchor.seq, hash: groupHex(anchor.digest.slice(0, 16)) });
  return (
    <section aria-labelledby="sheet-record">
      <h2 id="sheet-record">{tb('sheet.record')}</h2>
      <table class="sheet-table sheet-record">
        <tbody>
          <tr data-anchor="opening">
            <th scope="row">{tb('sheet.recordOpening')}</th>
            <td class="mono">{line(props.bundle.record.opening)}</td>
          </tr>
          <tr data-anchor="close">
            <th scope="row">{tb('sheet.recordClose')}</th>
            <td class="mono">{line(props.bundle.record.close)}</td>
          </tr>
        </tbody>
      </table>
      <p class="sheet-hint">{tb('sheet.recordHint')}</p>
    </section>
  );
}

function Results(props: { bundle: Bundle }) {
  const table = createMemo(() => resultTable(props.bundle, locale() as ExportLocale));
  // The quorum has its own line above; the poll's title is in the header.
  const columns = () => table().columns.filter((c) => c.id !== 'poll' && c.id !== 'id');
  const rows = () => table().rows.filter((r) => r.id !== 'quorum');
  return (
    <section>
      <h2 id="sheet-results">{tb('sheet.results')}</h2>
      <div class="sheet-table-wrap" tabindex="0" role="region" aria-labelledby="sheet-results">
        <table class="sheet-table sheet-results">
          <thead>
            <tr>
              <For each={columns()}>{(c) => <th scope="col">{c.label}</th>}</For>
            </tr>
          </thead>
          <tbody>
            <For each={rows()}>
              {(row) => (
                <tr data-row={String(row.id)}>
                  <For each={columns()}>
                    {(c) => <td class={typeof row[c.id] === 'number' ? 'number' : ''}>{row[c.id] ?? ''}</td>}
                  </For>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Whether the file carries a co-signature by this key that verifies (a mark on paper must not rest on a bad one). */
function hasValidCosignature(bundle: Bundle, publicKey: string | undefined): boolean {
  return (bundle.cosignatures ?? []).some((c) => {
    if (c.publicKey !== publicKey) return false;
    try {
      checkCosignature(bundle, c);
      return true;
    } catch {
      return false;
    }
  });
}

function Scrutineers(props: { bundle: Bundle }) {
  // Without named scrutineers, two blank lines to fill in by hand.
  const lines = () =>
    props.bundle.scrutineers.length > 0
      ? props.bundle.scrutineers
      : [
          { name: '', role: 'supervisor' as const },
          { name: '', role: 'counter' as const },
        ];
  return (
    <section aria-labelledby="sheet-scrutineers">
      <h2 id="sheet-scrutineers">{tb('sheet.scrutineers')}</h2>
      <table class="sheet-table sheet-signatures">
        <thead>
          <tr>
            <th scope="col">{tb('sheet.role')}</th>
            <th scope="col">{tb('sheet.name')}</th>
            <th scope="col">{tb('sheet.signature')}</th>
            <th scope="col">{tb('sheet.signDate')}</th>
          </tr>
        </thead>
        <tbody>
          <For each={lines()}>
            {(s) => (
              <tr>
                <td>{tb(s.role === 'supervisor' ? 'sheet.supervisor' : 'sheet.counter')}</td>
                <td>{s.name}</td>
                <td class="signature-cell">
                  {/* A co-signature in the file is noted; the hand signature still goes here. */}
                  <Show when={'publicKey' in s && hasValidCosignature(props.bundle, s.publicKey)}>
                    <span class="cosigned">{tb('sheet.cosigned')}</span>
                  </Show>
                </td>
                <td class="signature-cell" />
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </section>
  );
}

function Sheet(props: { data: SheetData }) {
  const bundle = () => props.data.bundle;
  return (
    <article class="tally-sheet" aria-labelledby="sheet-title">
      <div class="sheet-toolbar no-print">
        <button type="button" class="button button-primary" onClick={() => window.print()}>
          {tb('sheet.print')}
        </button>
        <button
          type="button"
          class="button button-secondary"
          onClick={() => downloadText(resultsCsv(bundle(), locale() as ExportLocale), resultsCsvFileName(bundle()), 'text/csv;charset=utf-8')}
        >
          {tb('download.csv')}
        </button>
      </div>
      <h1 id="sheet-title">{tb('sheet.title')}</h1>
      <table class="sheet-table sheet-header">
        <tbody>
          <Show when={props.data.meetingTitle}>
            <tr>
              <th scope="row">{tb('sheet.meeting')}</th>
              <td>{props.data.meetingTitle}</td>
            </tr>
          </Show>
          <tr>
            <th scope="row">{tb('sheet.poll')}</th>
            <td>{bundle().poll.title}</td>
          </tr>
          <tr>
            <th scope="row">{tb('sheet.kind')}</th>
            <td>{tb(`kind.${bundle().poll.kind}` as BoardKey) ?? bundle().poll.kind}</td>
          </tr>
          <tr>
            <th scope="row">{tb('sheet.date')}</th>
            <td>{localDate(new Date(bundle().closedAt))}</td>
          </tr>
          <tr>
            <th scope="row">{tb('sheet.publishedOn')}</th>
            <td>
              {props.data.published
                ? props.data.publishedAt
                  ? localDate(new Date(props.data.publishedAt))
                  : tb('sheet.published')
                : tb('sheet.notPublished')}
            </td>
          </tr>
        </tbody>
      </table>
      <Facts bundle={bundle()} />
      <Results bundle={bundle()} />
      <Scrutineers bundle={bundle()} />
      <Show when={isV2(bundle()) && (bundle() as BundleV2)}>{(v2) => <RecordAnchors bundle={v2()} />}</Show>
      <section aria-labelledby="sheet-digest">
        <h2 id="sheet-digest">{tb('sheet.digest')}</h2>
        <div class="sheet-digest">
          <QrCode text={props.data.digest} label={tb('sheet.digestQr')} />
          <div>
            <p class="mono digest-hex" data-digest={props.data.digest}>
              {groupHex(props.data.digest)}
            </p>
            <p class="hint">{tb('sheet.digestHint')}</p>
          </div>
        </div>
      </section>
      <p class="sheet-notes">{tb(isV2(bundle()) ? 'sheet.definitionsV2' : 'sheet.definitions')}</p>
    </article>
  );
}

export default function TallySheetPage() {
  const pollId = new URLSearchParams(location.search).get('poll') ?? '';
  const [data] = createResource(() => pollId || undefined, loadSheet);
  const errorMessage = () => {
    const error = data.error as unknown;
    if (error instanceof SheetError) return tb(error.key);
    if (error instanceof JsonRefusal) return tb('sheet.loadError', { message: jsonRefusalText(error) });
    return tb('sheet.loadError', { message: error instanceof Error ? error.message : String(error) });
  };
  return (
    <Switch>
      <Match when={!pollId || data.loading || data.error}>
        <section class="page stack">
          <h1>{tb('sheet.title')}</h1>
          <Switch>
            <Match when={!pollId}>
              <p class="alert" role="alert">{tb('sheet.noPoll')}</p>
            </Match>
            <Match when={data.loading}>
              <p role="status">{tb('sheet.loading')}</p>
            </Match>
            <Match when={data.error as unknown}>
              <p class="alert" role="alert">{errorMessage()}</p>
            </Match>
          </Switch>
        </section>
      </Match>
      <Match when={data()}>{(d) => <Sheet data={d()} />}</Match>
    </Switch>
  );
}
