/**
 * /tally-sheet?poll=ID, the printable tally sheet (计票单) of one poll, on A4: the facts of the
 * vote, the count per candidate with thresholds and verdicts, lines for the scrutineers to sign,
 * and the SHA-256 of the signed bundle (hex and QR) so that paper and file can be matched.
 *
 * Everything comes from the signed bundle: the public one once the poll is published, else the
 * organizer's (GET /api/polls/:id/bundle, with the session cookie) for a closed poll not yet
 * published. What the numbers mean, from the bundle's fields:
 *   expected   electorate.expected (after exclusions, listed with reason and approver)
 *   present    electorate.checkedIn (voters who received a token)
 *   written    the most written opinions counted on any one question (each absent member's
 *              opinion answers every question, so this is the number of members who gave one)
 *   issued     Σ electorate.issued: ballot tokens handed out
 *   returned   result.ballotsCast: ballots cast (a token casts once)
 *   valid      ballots in the bundle: the ballot box refuses any ballot that does not answer with
 *              permitted choices, so every returned ballot is valid (abstaining is a valid vote)
 *   invalid    returned − valid, which is 0 by construction; printed because the paper form has it
 */
import { checkCosignature } from '../../../shared/crypto/bundle-digest.ts';
import { createMemo, createResource, For, Match, Show, Switch } from 'solid-js';
import { bundleDigestHex } from '../../../shared/crypto/bundle-digest.ts';
import { resultsCsv, resultsCsvFileName, resultTable, type ExportLocale } from '../../../shared/export/results-csv.ts';
import { bundleSchema, type Bundle } from '../../../shared/protocol/bundle.ts';
import { ApiError } from '../../../shared/protocol/api-client.ts';
import { localDate } from '../../../shared/publicity.ts';
import { QrCode } from '../components/qr-code.tsx';
import { groupHex } from '../format.ts';
import { locale } from '../i18n/index.ts';
import { boardApi } from '../board/board-api.ts';
import { downloadText } from '../board/downloads.ts';
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
  const e = () => props.bundle.electorate;
  const issued = () => Object.values(e().issued).reduce((a, b) => a + b, 0);
  const returned = () => props.bundle.result.ballotsCast;
  const valid = () => props.bundle.ballots.length;
  const written = () => Math.max(0, ...props.bundle.result.questions.map((q) => q.writtenOpinions ?? 0));
  const rows = (): [BoardKey, number | string][] => [
    ['sheet.expected', e().expected],
    [
      'sheet.excluded',
      props.bundle.exclusions.length === 0
        ? tb('sheet.none')
        : `${props.bundle.exclusions.length}：${props.bundle.exclusions.map((x) => tb('sheet.exclusionLine', { reason: x.reason, approvedBy: x.approvedBy })).join('；')}`,
    ],
    ['sheet.present', e().checkedIn],
    ['sheet.writtenOpinions', written()],
    ['sheet.issued', issued()],
    ['sheet.returned', returned()],
    ['sheet.valid', valid()],
    ['sheet.invalid', returned() - valid()],
  ];
  return (
    <section aria-labelledby="sheet-facts">
      <h2 id="sheet-facts">{tb('sheet.facts')}</h2>
      <table class="sheet-table sheet-facts">
        <tbody>
          <For each={rows()}>
            {([key, value]) => (
              <tr data-fact={key.slice(6)}>
                <th scope="row">{tb(key)}</th>
                <td class={typeof value === 'number' ? 'number' : ''}>{value}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={props.bundle.result.quorum}>
        {(quorum) => (
          <p>
            <strong>{tb('sheet.quorum')}：</strong>
            {quorum().explanation[locale() as ExportLocale]}
          </p>
        )}
      </Show>
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
      <p class="sheet-notes">{tb('sheet.definitions')}</p>
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
