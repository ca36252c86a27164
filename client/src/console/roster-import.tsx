/**
 * Import a roster from a CSV file or pasted lines. Nothing is sent until the organizer has
 * seen the preview: the rows that will be added and every error with its line. A file with
 * errors is saved only if the organizer ticks "skip the lines with errors".
 */
import { createMemo, createSignal, For, Show } from 'solid-js';
import { parseRosterCsv, type RosterError } from '../../../shared/protocol/roster-csv.ts';
import { createAction } from './action.ts';
import type { ConsoleApi } from './api.ts';
import { ct, type ConsoleKey } from './i18n.ts';
import { ErrorLine } from './error-line.tsx';

const ERROR_KEYS: Record<RosterError['code'], ConsoleKey> = {
  bad_header: 'csv.bad_header',
  column_count: 'csv.column_count',
  empty_name: 'csv.empty_name',
  empty_number: 'csv.empty_number',
  too_long: 'csv.too_long',
  bad_status: 'csv.bad_status',
  bad_group: 'csv.bad_group',
  unknown_group: 'csv.unknown_group',
  duplicate_in_file: 'csv.duplicate_in_file',
  duplicate_on_roster: 'csv.duplicate_on_roster',
  unclosed_quote: 'csv.unclosed_quote',
  stray_quote: 'csv.stray_quote',
};

export const statusLabel = (status: string) => ct(status === 'probationary' ? 'status.probationary' : 'status.full');

export function RosterImport(props: {
  api: ConsoleApi;
  meetingId: string;
  existingNumbers: string[];
  knownGroups: string[];
  onSaved: (count: number) => void;
}) {
  const [text, setText] = createSignal('');
  const [skipBad, setSkipBad] = createSignal(false);
  const [saved, setSaved] = createSignal<number>();
  const save = createAction();
  const parsed = createMemo(() =>
    text().trim() === '' ? undefined : parseRosterCsv(text(), { existingNumbers: props.existingNumbers, knownGroups: props.knownGroups }),
  );
  const canSave = () => {
    const p = parsed();
    return !!p && p.rows.length > 0 && (p.errors.length === 0 || skipBad());
  };

  const readFile = async (file: File | undefined) => {
    if (!file) return;
    setSaved(undefined);
    setText(await file.text());
  };

  return (
    <section class="panel" aria-labelledby="import-title">
      <h3 id="import-title">{ct('import.title')}</h3>
      <p class="hint">{ct('import.help')}</p>
      <pre class="csv-example" aria-label={ct('import.exampleLabel')}>
        {'姓名,学号/工号,组别,身份\n张三,2021001,members,正式\n李四,2021002,members,预备'}
      </pre>
      <label class="field-label" for="roster-file">
        {ct('import.file')}
      </label>
      <input id="roster-file" type="file" accept=".csv,.txt,text/csv,text/plain" onChange={(e) => void readFile(e.currentTarget.files?.[0])} />
      <label class="field-label" for="roster-text">
        {ct('import.paste')}
      </label>
      <textarea
        id="roster-text"
        class="textarea"
        rows="6"
        value={text()}
        onInput={(e) => {
          setSaved(undefined);
          setText(e.currentTarget.value);
        }}
      />
      <Show when={parsed()}>
        {(p) => (
          <div class="stack preview" aria-live="polite">
            <h4>{ct('import.preview', { rows: p().rows.length, errors: p().errors.length })}</h4>
            <Show when={p().errors.length > 0}>
              <div class="alert" role="alert">
                <p>{ct('import.hasErrors', { count: p().errors.length })}</p>
                <ul class="error-lines">
                  <For each={p().errors}>
                    {(error) => (
                      <li data-line={error.line}>
                        {ct('import.line', { line: error.line })}
                        {ct(ERROR_KEYS[error.code], error.detail)}
                      </li>
                    )}
                  </For>
                </ul>
              </div>
              <label class="check-line">
                <input type="checkbox" checked={skipBad()} onChange={(e) => setSkipBad(e.currentTarget.checked)} />
                {ct('import.skip', { count: new Set(p().errors.map((e) => e.line)).size })}
              </label>
            </Show>
            <Show when={p().rows.length > 0}>
              <div class="table-wrap" tabindex="0" role="region" aria-label={ct('import.previewCaption')}>
                <table class="table">
                  <caption class="visually-hidden">{ct('import.previewCaption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{ct('import.colLine')}</th>
                      <th scope="col">{ct('roster.name')}</th>
                      <th scope="col">{ct('roster.number')}</th>
                      <th scope="col">{ct('roster.groups')}</th>
                      <th scope="col">{ct('roster.status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={p().rows}>
                      {(row) => (
                        <tr>
                          <td>{row.line}</td>
                          <td>{row.name}</td>
                          <td>{row.number}</td>
                          <td>{row.groups.join(', ')}</td>
                          <td>{statusLabel(row.status)}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
            </Show>
            <ErrorLine text={save.error()} />
            <button
              type="button"
              class="button button-primary button-inline"
              disabled={!canSave() || save.busy()}
              onClick={() =>
                void save.run(async () => {
                  const rows = p().rows;
                  await props.api.addVoters(
                    props.meetingId,
                    rows.map(({ name, number, groups, status }) => ({ name, number, groups, status })),
                  );
                  setText('');
                  setSkipBad(false);
                  setSaved(rows.length);
                  props.onSaved(rows.length);
                })
              }
            >
              {ct('import.save', { count: p().rows.length })}
            </button>
          </div>
        )}
      </Show>
      <Show when={saved()}>
        <p class="success" role="status">
          {ct('import.saved', { count: saved()! })}
        </p>
      </Show>
    </section>
  );
}
