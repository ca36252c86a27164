/**
 * The State Council's holiday schedule as data: the years this software ships. Each year comes
 * from the General Office's notice (国务院办公厅关于…年部分节假日安排的通知), published in the
 * November before; an administrator adds the next year when it appears, and may correct a shipped
 * year (an administrator's entry for a year replaces the shipped one). See shared/publicity.ts.
 *
 * `holidays` lists every day off of each holiday as the notice gives it (weekend days within it
 * included, which changes nothing); `workdays` the weekend days made working days (调休上班).
 */
import type { CalendarYear } from './publicity.ts';

/** Every day from `first` to `last` (same month), `YYYY-MM-DD`. */
function span(first: string, last: string): string[] {
  const from = Number(first.slice(8));
  const to = Number(last.slice(8));
  return Array.from({ length: to - from + 1 }, (_, i) => `${first.slice(0, 8)}${String(from + i).padStart(2, '0')}`);
}

export const SHIPPED_CALENDAR_YEARS: readonly CalendarYear[] = [
  {
    year: 2026,
    source: '国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）',
    holidays: [
      ...span('2026-01-01', '2026-01-03'), // 元旦
      ...span('2026-02-15', '2026-02-23'), // 春节
      ...span('2026-04-04', '2026-04-06'), // 清明节
      ...span('2026-05-01', '2026-05-05'), // 劳动节
      ...span('2026-06-19', '2026-06-21'), // 端午节
      ...span('2026-09-25', '2026-09-27'), // 中秋节
      ...span('2026-10-01', '2026-10-07'), // 国庆节
    ],
    workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
];
