/**
 * The work calendar the publicity periods are counted on (shared/publicity.ts): the years this
 * software ships (shared/work-calendar-cn.ts), each replaced by an administrator's entry for the
 * same year, plus the years only an administrator entered. Every change is audited.
 */
import { fail } from '../../shared/errors.ts';
import { DEFAULT_PUBLICITY_CUTOFF, isWeekend, publicityPeriod, type CalendarYear, type PublicityPeriod, type WorkCalendar } from '../../shared/publicity.ts';
import { SHIPPED_CALENDAR_YEARS } from '../../shared/work-calendar-cn.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from './audit.ts';

export interface CalendarYearView extends CalendarYear {
  /** `shipped`: as this software ships it; `entered`: an administrator's entry (it replaces a shipped year of the same number). */
  origin: 'shipped' | 'entered';
  updatedBy?: string;
  updatedAt?: string;
}

export function calendarYears(deps: AppDeps): CalendarYearView[] {
  const entered = q.listCalendarYears(deps.db);
  const years: CalendarYearView[] = [
    ...SHIPPED_CALENDAR_YEARS.filter((y) => !entered.some((e) => e.year === y.year)).map((y) => ({ ...y, origin: 'shipped' as const })),
    ...entered.map(({ year, source, holidays, workdays, updatedBy, updatedAt }) => ({ year, source, holidays, workdays, origin: 'entered' as const, updatedBy, updatedAt })),
  ];
  return years.sort((a, b) => a.year - b.year);
}

export const workCalendar = (deps: AppDeps): WorkCalendar => ({ years: calendarYears(deps) });

/**
 * The publicity period of a published (or closed) poll, on today's calendar (`calendar`: read
 * once by a caller that counts many). Never shorter than the period announced at publication
 * (stored on the poll then): a later change of the calendar or of the cut-off may lengthen a
 * period (a year entered, a holiday added), never cut objections short.
 */
export function publicityOf(
  deps: AppDeps,
  poll: Pick<q.PollRow, 'publishedAt' | 'closedAt' | 'createdAt' | 'publicityWorkingDays' | 'publicityFirstDay' | 'publicityLastDay'>,
  calendar: WorkCalendar = workCalendar(deps),
): PublicityPeriod {
  const now = publicityPeriod(new Date(poll.publishedAt ?? poll.closedAt ?? poll.createdAt), poll.publicityWorkingDays, {
    calendar,
    cutoff: deps.publicityCutoff ?? DEFAULT_PUBLICITY_CUTOFF,
  });
  const first = poll.publicityFirstDay;
  const last = poll.publicityLastDay;
  const firstDay = first && first < now.firstDay ? first : now.firstDay;
  return {
    ...now,
    firstDay,
    lastDay: last && last > now.lastDay ? last : now.lastDay,
    // Started on the announced (earlier) day: the cut-off did not push it then, whatever it is now.
    afterCutoff: now.afterCutoff && firstDay === now.firstDay,
  };
}

/**
 * An administrator enters (or corrects) a year. Every date must be in that year; no day both a
 * holiday and a working day; a 调休 working day must fall on a weekend (on a weekday it would
 * change nothing, so it is a typing mistake).
 */
export function setCalendarYear(deps: AppDeps, year: number, input: { source: string; holidays: string[]; workdays: string[] }, actor: string): CalendarYearView {
  const problems: string[] = [];
  // An empty year would silence the board's "not entered" warning while counting no holiday.
  if (input.holidays.length === 0) problems.push(`holidays: none given for ${year}; every year has public holidays (元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节)`);
  for (const [field, dates] of [['holidays', input.holidays], ['workdays', input.workdays]] as const)
    for (const date of dates) if (!date.startsWith(`${year}-`)) problems.push(`${field}: ${date} is not in ${year}`);
  const both = input.holidays.filter((d) => input.workdays.includes(d));
  if (both.length) problems.push(`${both.join(', ')}: both a holiday and a working day`);
  const weekdays = input.workdays.filter((d) => d.startsWith(`${year}-`) && !isWeekend(d));
  if (weekdays.length) problems.push(`workdays: ${weekdays.join(', ')} ${weekdays.length === 1 ? 'is a weekday' : 'are weekdays'}; list only the weekend days made working days (调休上班)`);
  if (problems.length) fail('invalid_body', problems.slice(0, 10).join('; '));
  const holidays = [...new Set(input.holidays)].sort();
  const workdays = [...new Set(input.workdays)].sort();
  const at = deps.now().toISOString();
  q.runInTransaction(deps.db, () => {
    q.upsertCalendarYear(deps.db, { year, source: input.source, holidays, workdays, updatedBy: actor, updatedAt: at });
    appendAudit(deps.db, { actor, action: 'set_calendar_year', subject: String(year), details: { source: input.source, holidays, workdays } }, at);
  });
  return calendarYears(deps).find((y) => y.year === year)!;
}

/** Removes an administrator's entry: a shipped year of the same number applies again. */
export function removeCalendarYear(deps: AppDeps, year: number, actor: string): void {
  q.runInTransaction(deps.db, () => {
    if (q.deleteCalendarYear(deps.db, year) === 0) fail('not_found', `no entered calendar for ${year}${SHIPPED_CALENDAR_YEARS.some((y) => y.year === year) ? ' (the shipped one cannot be removed, only replaced)' : ''}`);
    appendAudit(deps.db, { actor, action: 'remove_calendar_year', subject: String(year), details: {} }, deps.now().toISOString());
  });
}
