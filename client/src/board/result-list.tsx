/**
 * A result as a list readable on a phone: one entry per candidate (or question), its verdict,
 * its counts and the rule's sentence. Built from the same table as the CSV and the tally sheet.
 */
import { For, Show } from 'solid-js';
import type { ResultTable } from '../../../shared/export/results-csv.ts';

const GOOD = new Set(['passed', 'recommended', 'indicator_met', 'quorum_met', 'attendance_met', 'convert', 'excellent', 'qualified']);
const BAD = new Set(['failed', 'no_quorum', 'not_recommended', 'indicator_not_met', 'quorum_not_met', 'attendance_not_met', 'invalid', 'cancel', 'unqualified']);
export const verdictClass = (id: unknown) =>
  typeof id !== 'string' ? 'verdict' : GOOD.has(id) ? 'verdict verdict-good' : BAD.has(id) ? 'verdict verdict-bad' : 'verdict';

/** The columns shown as "label value" pairs under the name: everything but the identity, verdict and sentence. */
const DETAIL_SKIP = new Set(['poll', 'id', 'name', 'verdict', 'explanation']);

export function ResultList(props: { table: ResultTable }) {
  const details = () => props.table.columns.filter((c) => !DETAIL_SKIP.has(c.id));
  return (
    <ul class="plain result-list">
      <For each={props.table.rows}>
        {(row) => (
          <li class="result-row" data-row={String(row.id)}>
            <div class="result-head">
              <strong class="result-name">{row.name}</strong>
              <Show when={row.verdict}>
                <span class={verdictClass(row.verdictId)}>{row.verdict}</span>
              </Show>
            </div>
            <dl class="result-counts">
              <For each={details().filter((c) => row[c.id] !== undefined && row[c.id] !== '')}>
                {(column) => (
                  <div>
                    <dt>{column.label}</dt>
                    <dd>{row[column.id]}</dd>
                  </div>
                )}
              </For>
            </dl>
            <Show when={row.explanation}>
              <p class="hint">{row.explanation}</p>
            </Show>
          </li>
        )}
      </For>
    </ul>
  );
}
