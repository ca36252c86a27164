/**
 * /board, the public board (公示): every published result (protocol v1 and v2 bundles) with its
 * publicity period, the facts of its electorate (v2: head count, checked in, struck, late,
 * submitted, declared not voted, refused, ballots withheld under the anonymity floor), its
 * candidates and verdicts, the signed bundle to download, a spreadsheet for the committee, the
 * tally sheet, verification in the browser, and the voter's own check of their receipts.
 * No login. Loaded lazily: a voter's phone never downloads it.
 */
import { createMemo, createResource, For, Match, Show, Switch } from 'solid-js';
import { bundleSchema, isV2, type Bundle } from '../../../shared/protocol/bundle.ts';
import { JsonRefusal } from '../../../shared/strict-json.ts';
import { resultsCsv, resultsCsvFileName, resultTable, type ExportLocale } from '../../../shared/export/results-csv.ts';
import { localDate, publicityStatus } from '../../../shared/publicity.ts';
import { locale } from '../i18n/index.ts';
import { boardApi, publishedBundlePath, type PublishedPollItem } from '../board/board-api.ts';
import { downloadText } from '../board/downloads.ts';
import { jsonRefusalText, tb, type BoardKey } from '../board/messages.ts';
import { DecisionsList } from '../board/decisions-list.tsx';
import { ObjectionsSlot } from '../board/objections-slot.tsx';
import { FactsList } from '../board/facts-list.tsx';
import { ReceiptCheck } from '../board/receipt-check.tsx';
import { publishedBallotsOf, type PublishedBallots } from '../board/receipt.ts';
import { ResultList } from '../board/result-list.tsx';
import { VerifyPanel } from '../board/verify-panel.tsx';
import '../board/board.css';

interface BoardEntry {
  item: PublishedPollItem;
  /** The bundle exactly as served, read as strict JSON (what the verifier and the receipt check read). */
  raw?: unknown;
  /** The same, if it is well-formed (for display). */
  bundle?: Bundle;
  /** Why the bundle served is not strict JSON (a duplicate member, bytes that are not UTF-8, …): nothing of it is shown. */
  refusal?: JsonRefusal;
  error?: string;
}

async function loadBoard(): Promise<BoardEntry[]> {
  const items = await boardApi.publishedPolls();
  const bundles = await Promise.allSettled(items.map((item) => boardApi.publishedBundle(item.id)));
  return items.map((item, i) => {
    const settled = bundles[i]!;
    if (settled.status === 'rejected' && settled.reason instanceof JsonRefusal) return { item, refusal: settled.reason };
    if (settled.status === 'rejected') return { item, error: settled.reason instanceof Error ? settled.reason.message : String(settled.reason) };
    const parsed = bundleSchema.safeParse(settled.value);
    return { item, raw: settled.value, ...(parsed.success ? { bundle: parsed.data } : {}) };
  });
}

function PublicityLine(props: { item: PublishedPollItem }) {
  const period = () => props.item.publicity;
  const status = () => publicityStatus(period(), new Date());
  return (
    <div class="publicity">
      <p>
        <span class={`publicity-badge publicity-${status()}`}>{tb(`publicity.${status()}`)}</span>{' '}
        {tb('publicity.period', { first: period().firstDay, last: period().lastDay, days: period().workingDays })}
      </p>
      <Show when={period().afterCutoff}>
        <p class="hint" data-publicity="after-cutoff">{tb('publicity.afterCutoff', { cutoff: props.item.publicityCutoff })}</p>
      </Show>
      <Show when={period().uncoveredYears.length > 0}>
        <p class="alert" data-publicity="uncovered">{tb('publicity.uncovered', { years: period().uncoveredYears.join('、') })}</p>
      </Show>
      <p class="hint">{tb('publicity.note')}</p>
    </div>
  );
}

/** v2: present is the head count plus late check-ins, and voters submit (one ballot per candidate each). */
const turnoutLine = (bundle: Bundle) =>
  isV2(bundle)
    ? tb('poll.turnoutV2', { expected: bundle.electorate.expected, present: bundle.electorate.present, submitted: bundle.electorate.submitted })
    : tb('poll.turnout', { expected: bundle.electorate.expected, present: bundle.electorate.checkedIn, cast: bundle.result.ballotsCast });

function PollCard(props: { entry: BoardEntry }) {
  const item = () => props.entry.item;
  // Objections are open from publication (even at a weekend, before the first working day) to the period's end.
  const running = () => publicityStatus(item().publicity, new Date()) !== 'ended';
  const table = createMemo(() => (props.entry.bundle ? resultTable(props.entry.bundle, locale() as ExportLocale) : undefined));
  const kindLabel = () => tb(`kind.${item().kind}` as BoardKey) ?? item().kind;
  return (
    <article class="card board-poll" aria-labelledby={`poll-${item().id}`} data-poll={item().id}>
      <p class="eyebrow">{kindLabel()}</p>
      <h2 id={`poll-${item().id}`}>{item().title}</h2>
      <p class="hint">
        {tb('poll.closed', { date: localDate(new Date(item().closedAt)) })}
        {' · '}
        {tb('poll.published', { date: localDate(new Date(item().publishedAt)) })}
      </p>
      <PublicityLine item={item()} />
      <Switch>
        <Match when={props.entry.refusal}>{(refusal) => <p class="alert">{tb('board.bundleRefused', { reason: jsonRefusalText(refusal()) })}</p>}</Match>
        <Match when={props.entry.error}>{(message) => <p class="alert">{tb('board.bundleError', { message: message() })}</p>}</Match>
        <Match when={!props.entry.bundle}>
          <p class="alert">{tb('board.bundleMalformed')}</p>
        </Match>
        <Match when={props.entry.bundle}>
          {(bundle) => (
            <>
              <h3>{tb('result.heading')}</h3>
              <p class="board-turnout">{turnoutLine(bundle())}</p>
              <ResultList table={table()!} />
              <FactsList bundle={bundle()} />
              <DecisionsList pollId={item().id} bundle={bundle()} />
            </>
          )}
        </Match>
      </Switch>
      <div class="board-actions">
        <a class="button button-secondary board-button" href={publishedBundlePath(item().id)} download={`bundle-${item().id}.json`}>
          {tb('download.bundle')}
        </a>
        <Show when={props.entry.bundle}>
          {(bundle) => (
            <button
              type="button"
              class="button button-secondary board-button"
              onClick={() => downloadText(resultsCsv(bundle(), locale() as ExportLocale), resultsCsvFileName(bundle()), 'text/csv;charset=utf-8')}
            >
              {tb('download.csv')}
            </button>
          )}
        </Show>
        <a class="button button-secondary board-button" href={`/tally-sheet?poll=${encodeURIComponent(item().id)}`}>
          {tb('download.tallySheet')}
        </a>
      </div>
      <Show when={props.entry.refusal}>{(refusal) => <VerifyPanel bundle={{ ok: false, refusal: refusal() }} pollHeadingId={`poll-${item().id}`} />}</Show>
      <Show when={props.entry.raw !== undefined}>
        <VerifyPanel bundle={{ ok: true, input: props.entry.raw }} pollHeadingId={`poll-${item().id}`} {...(props.entry.bundle ? { parsed: props.entry.bundle } : {})} />
      </Show>
      <ObjectionsSlot poll={item()} running={running()} />
    </article>
  );
}

export default function BoardPage() {
  const [entries] = createResource(loadBoard);
  const sources = createMemo<PublishedBallots[]>(() =>
    (entries() ?? []).flatMap((entry) => {
      const published = entry.raw === undefined ? undefined : publishedBallotsOf(entry.raw, entry.item.title);
      return published ? [published] : [];
    }),
  );
  return (
    <section class="page stack board">
      <h1>{tb('board.title')}</h1>
      <p class="lead">{tb('board.lead')}</p>
      <Switch>
        <Match when={entries.loading}>
          <p role="status">{tb('board.loading')}</p>
        </Match>
        <Match when={entries.error as unknown}>
          {(error) => <p class="alert" role="alert">{tb('board.loadError', { message: error() instanceof Error ? (error() as Error).message : String(error()) })}</p>}
        </Match>
        <Match when={entries()}>
          {(list) => (
            <>
              <ReceiptCheck sources={sources()} incomplete={list().some((entry) => entry.raw === undefined)} />
              <Show when={list().length > 0} fallback={<p>{tb('board.empty')}</p>}>
                <For each={list()}>{(entry) => <PollCard entry={entry} />}</For>
              </Show>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}
