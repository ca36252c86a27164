/**
 * The work calendar (公示工作日历): the public holidays and 调休 working days of each year, on which
 * every publicity period is counted (shared/publicity.ts). The administrator enters a year when
 * the State Council publishes it (each November) and may correct a shipped one.
 */
import { createSignal, For, Show } from 'solid-js';
import { expandDateList } from '../../../shared/publicity.ts';
import { createAction, ExplainedError } from './action.ts';
import type { CalendarYearView, ConsoleApi } from './api.ts';
import { ErrorLine } from './error-line.tsx';
import { ct } from './i18n.ts';
import { createLoad } from './load.ts';

/** Consecutive days as ranges, the way a notice writes them: 2026-10-01 至 2026-10-07. */
function asRanges(dates: readonly string[]): string[] {
  const out: string[] = [];
  let start: string | undefined;
  let previous: string | undefined;
  const next = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  for (const date of [...dates].sort()) {
    if (start !== undefined && previous !== undefined && next(previous) === date) previous = date;
    else {
      if (start !== undefined) out.push(start === previous ? start : `${start} 至 ${previous}`);
      start = previous = date;
    }
  }
  if (start !== undefined) out.push(start === previous ? start : `${start} 至 ${previous}`);
  return out;
}

export function CalendarPanel(props: { api: ConsoleApi }) {
  const calendar = createLoad(() => true, () => props.api.calendar());
  const [year, setYear] = createSignal(String(new Date().getFullYear() + 1));
  const [source, setSource] = createSignal('');
  const [holidays, setHolidays] = createSignal('');
  const [workdays, setWorkdays] = createSignal('');
  const [saved, setSaved] = createSignal<number>();
  const [removed, setRemoved] = createSignal<string>();
  const save = createAction();
  const remove = createAction();

  const edit = (entry: CalendarYearView) => {
    setYear(String(entry.year));
    setSource(entry.source);
    setHolidays(asRanges(entry.holidays).join('\n'));
    setWorkdays(entry.workdays.join('\n'));
    setSaved(undefined);
  };

  return (
    <div class="panel stack-tight" data-panel="calendar">
      <h3>{ct('calendar.title')}</h3>
      <p class="hint">{ct('calendar.hint', { cutoff: calendar.value()?.cutoff ?? '12:00' })}</p>
      <ErrorLine text={calendar.error()} />
      <div class="table-wrap" tabindex="0" role="region" aria-label={ct('calendar.title')}>
        <table class="table calendar-table">
          <thead>
            <tr>
              <th scope="col">{ct('calendar.year')}</th>
              <th scope="col">{ct('calendar.holidays')}</th>
              <th scope="col">{ct('calendar.workdays')}</th>
              <th scope="col">{ct('calendar.source')}</th>
              <th scope="col">{ct('calendar.actions')}</th>
            </tr>
          </thead>
          <tbody>
            <For each={calendar.value()?.years ?? []}>
              {(entry) => (
                <tr data-year={entry.year}>
                  <td>{entry.year}</td>
                  <td>{asRanges(entry.holidays).join('，')}</td>
                  <td>{entry.workdays.join('，') || '—'}</td>
                  <td>
                    {entry.source}
                    <br />
                    <span class="hint">{ct(entry.origin === 'shipped' ? 'calendar.shipped' : 'calendar.entered')}</span>
                  </td>
                  <td class="stack-tight">
                    <button type="button" class="button button-secondary button-inline" onClick={() => edit(entry)}>
                      {ct('calendar.edit')}
                    </button>
                    <Show when={entry.origin === 'entered'}>
                      <button
                        type="button"
                        class="button button-secondary button-inline"
                        disabled={remove.busy()}
                        onClick={() =>
                          void remove.run(async () => {
                            await props.api.removeCalendarYear(entry.year);
                            setSaved(undefined);
                            await calendar.reload();
                            const shippedBack = (calendar.value()?.years ?? []).some((y) => y.year === entry.year && y.origin === 'shipped');
                            setRemoved(ct('calendar.removed', { year: entry.year, shipped: shippedBack ? ct('calendar.shippedBack') : '' }));
                          })
                        }
                      >
                        {ct('calendar.remove')}
                      </button>
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <ErrorLine text={remove.error()} />
      <Show when={removed()}>
        {(text) => (
          <p class="notice" role="status">
            {text()}
          </p>
        )}
      </Show>
      <form
        class="stack-tight"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(undefined);
          setRemoved(undefined);
          void save.run(async () => {
            const off = expandDateList(holidays());
            const on = expandDateList(workdays());
            const wrong = [...off.errors, ...on.errors];
            if (wrong.length) throw new ExplainedError(ct('calendar.notDates', { parts: wrong.join('，') }));
            await props.api.setCalendarYear(Number(year()), { source: source().trim(), holidays: off.dates, workdays: on.dates });
            // The table first, then the confirmation: what it confirms is on the screen.
            await calendar.reload();
            setSaved(Number(year()));
          });
        }}
      >
        <h4>{ct('calendar.enter')}</h4>
        <label class="field-label" for="calendar-year">
          {ct('calendar.year')}
        </label>
        <input id="calendar-year" class="input input-short" type="number" min="2000" max="2099" required value={year()} onInput={(e) => setYear(e.currentTarget.value)} />
        <label class="field-label" for="calendar-source">
          {ct('calendar.source')}
        </label>
        <input id="calendar-source" class="input" type="text" required minlength={2} maxlength={200} placeholder={ct('calendar.sourcePlaceholder')} value={source()} onInput={(e) => setSource(e.currentTarget.value)} />
        <label class="field-label" for="calendar-holidays">
          {ct('calendar.holidays')}
        </label>
        <p class="hint" id="calendar-holidays-help">
          {ct('calendar.datesHelp')}
        </p>
        <textarea id="calendar-holidays" class="textarea" rows="6" aria-describedby="calendar-holidays-help" value={holidays()} onInput={(e) => setHolidays(e.currentTarget.value)} />
        <label class="field-label" for="calendar-workdays">
          {ct('calendar.workdays')}
        </label>
        <textarea id="calendar-workdays" class="textarea" rows="3" value={workdays()} onInput={(e) => setWorkdays(e.currentTarget.value)} />
        <ErrorLine text={save.error()} />
        <Show when={saved()}>
          {(y) => (
            <p class="notice" role="status">
              {ct('calendar.saved', { year: y() })}
            </p>
          )}
        </Show>
        <button type="submit" class="button button-primary button-inline" disabled={save.busy()}>
          {ct('calendar.save')}
        </button>
      </form>
    </div>
  );
}
