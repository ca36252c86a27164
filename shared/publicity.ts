/**
 * The publicity period (公示期) of a published result: from the publication date, a number of
 * working days (default 5, a setting; "不少于5个工作日"), during which anyone may object.
 *
 *   publication instant → local date and time in the school's time zone (Asia/Shanghai) →
 *   first working day on or after it (after the day's cut-off time: the next one) → count
 *   `workingDays` working days → last day (inclusive)
 *
 * Decisions, and why:
 * - Working days are Monday to Friday, less the public holidays (法定节假日) and plus the weekend
 *   days made working days (调休), from a work calendar: one entry per year, from the State
 *   Council's notice (shared/work-calendar-cn.ts ships 2026; an administrator adds later years and
 *   corrects any). A period that reaches a year the calendar does not have is counted on Monday
 *   to Friday for that year and says so (`uncoveredYears`): it may be too short.
 * - The publication day counts when it is a working day and the result was published before the
 *   cut-off time (default 12:00): notices posted in the morning are dated that day ("公示时间：5月
 *   20日至5月24日"). Published in the afternoon or evening, the period starts on the next working
 *   day, so nobody loses a day they never had.
 * - Dates are computed in the school's time zone explicitly (Intl), never in the time zone of
 *   the server or of the reader's browser: a result published at 07:00 Beijing time is 23:00 UTC
 *   the day before.
 */

export const SCHOOL_TIME_ZONE = 'Asia/Shanghai';
export const DEFAULT_PUBLICITY_WORKING_DAYS = 5;

/** A calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;

export interface PublicityPeriod {
  /** The first day of the period (a working day), inclusive. */
  firstDay: LocalDate;
  /** The last day of the period (a working day), inclusive: objections are accepted until its end. */
  lastDay: LocalDate;
  workingDays: number;
  /** Years from the publication date to the last day that the work calendar does not have (counted Monday to Friday). */
  uncoveredYears: number[];
  /** Published on a working day at or after the cut-off time: counting started the next working day. */
  afterCutoff: boolean;
}

/** One year of the State Council's holiday schedule: days off, and weekend days made working days. */
export interface CalendarYear {
  year: number;
  /** Where the dates come from, e.g. the notice's title and date. */
  source: string;
  holidays: readonly LocalDate[];
  workdays: readonly LocalDate[];
}

export interface WorkCalendar {
  /** At most one entry per year. */
  years: readonly CalendarYear[];
}

/** No holidays known: Monday to Friday. */
export const WEEKDAYS_ONLY: WorkCalendar = { years: [] };

/** Publication at or after this local time starts the period on the next working day. */
export const DEFAULT_PUBLICITY_CUTOFF = '12:00';

export interface PublicityOptions {
  calendar?: WorkCalendar;
  /** `HH:MM`, 24-hour; null: the publication day counts whatever the hour. Default 12:00. */
  cutoff?: string | null;
  timeZone?: string;
}

export type PublicityStatus = 'not_started' | 'running' | 'ended';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The calendar date of `instant` in `timeZone`, e.g. 2026-11-29T23:00Z in Asia/Shanghai → 2026-11-30. */
/** Intl formatters are slow to build and the same every time: one per kind and time zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: 'date' | 'time', timeZone: string): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`;
  let made = formatters.get(key);
  if (!made) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'date' ? { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' } : { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    formatters.set(key, (made = new Intl.DateTimeFormat('en-US', options)));
  }
  return made;
}

export function localDate(instant: Date, timeZone = SCHOOL_TIME_ZONE): LocalDate {
  if (Number.isNaN(instant.getTime())) throw new RangeError('localDate: invalid date');
  const parts = formatter('date', timeZone).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (calendar arithmetic with no time zone in it). */
function dayNumber(date: LocalDate): number {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  // Refuse dates that Date.UTC silently rolls over (2026-02-30 → 2026-03-02).
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new RangeError(`no such date: ${date}`);
  return ms / DAY_MS;
}

/** Whether `value` is a `YYYY-MM-DD` date that exists. */
export function isCalendarDate(value: string): boolean {
  try {
    dayNumber(value);
    return true;
  } catch {
    return false;
  }
}

const dateOfDayNumber = (n: number): LocalDate => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** Monday to Friday. 1970-01-01 was a Thursday, so day 0 has weekday 4 (0 = Sunday). */
const isWeekdayNumber = (n: number) => {
  const weekday = (((n + 4) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6;
};

export const isWeekend = (date: LocalDate) => !isWeekdayNumber(dayNumber(date));

const compiled = new WeakMap<WorkCalendar, ReturnType<typeof compileCalendar>>();

/** The calendar's answers by day number, and the years it covers (compiled once per calendar object). */
function compile(calendar: WorkCalendar) {
  let done = compiled.get(calendar);
  if (!done) compiled.set(calendar, (done = compileCalendar(calendar)));
  return done;
}

function compileCalendar(calendar: WorkCalendar) {
  const holidays = new Set<number>();
  const workdays = new Set<number>();
  for (const year of calendar.years) {
    for (const date of year.holidays) holidays.add(dayNumber(date));
    for (const date of year.workdays) workdays.add(dayNumber(date));
  }
  const covered = new Set(calendar.years.map((y) => y.year));
  return {
    isWorkingDay: (n: number) => (workdays.has(n) ? true : holidays.has(n) ? false : isWeekdayNumber(n)),
    covers: (year: number) => covered.has(year),
  };
}

export const isWorkingDay = (date: LocalDate, calendar: WorkCalendar = WEEKDAYS_ONLY) => compile(calendar).isWorkingDay(dayNumber(date));

/** `HH:MM` of `instant` in `timeZone`, 24-hour. */
export function localTime(instant: Date, timeZone = SCHOOL_TIME_ZONE): string {
  const parts = formatter('time', timeZone).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('hour')}:${part('minute')}`;
}

const CUTOFF_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
export const isCutoff = (value: string) => CUTOFF_PATTERN.test(value);

/**
 * The period of a result published at `publishedAt`: `workingDays` working days, the first being
 * the publication date itself if it is a working day and the result came before the cut-off
 * time, else the next working day.
 */
export function publicityPeriod(publishedAt: Date, workingDays = DEFAULT_PUBLICITY_WORKING_DAYS, options: PublicityOptions = {}): PublicityPeriod {
  if (!Number.isInteger(workingDays) || workingDays < 1) throw new RangeError(`workingDays must be a positive integer, got ${workingDays}`);
  const { calendar = WEEKDAYS_ONLY, cutoff = DEFAULT_PUBLICITY_CUTOFF, timeZone = SCHOOL_TIME_ZONE } = options;
  if (cutoff !== null && !isCutoff(cutoff)) throw new RangeError(`the cut-off must be HH:MM, got ${cutoff}`);
  const days = compile(calendar);
  const published = dayNumber(localDate(publishedAt, timeZone));
  const afterCutoff = cutoff !== null && days.isWorkingDay(published) && localTime(publishedAt, timeZone) >= cutoff;
  let day = afterCutoff ? published + 1 : published;
  while (!days.isWorkingDay(day)) day++;
  const first = day;
  for (let counted = 1; counted < workingDays; ) {
    day++;
    if (days.isWorkingDay(day)) counted++;
  }
  const firstYear = Number(dateOfDayNumber(published).slice(0, 4));
  const lastYear = Number(dateOfDayNumber(day).slice(0, 4));
  const uncoveredYears: number[] = [];
  for (let year = firstYear; year <= lastYear; year++) if (!days.covers(year)) uncoveredYears.push(year);
  return { firstDay: dateOfDayNumber(first), lastDay: dateOfDayNumber(day), workingDays, uncoveredYears, afterCutoff };
}

/** Whether the calendar date `date` (YYYY-MM-DD) falls within the period, both ends included. */
export function isWithinPublicity(period: Pick<PublicityPeriod, 'firstDay' | 'lastDay'>, date: LocalDate): boolean {
  const n = dayNumber(date);
  return n >= dayNumber(period.firstDay) && n <= dayNumber(period.lastDay);
}

/** Where `now` stands relative to the period, in the school's time zone. */
export function publicityStatus(period: Pick<PublicityPeriod, 'firstDay' | 'lastDay'>, now: Date, timeZone = SCHOOL_TIME_ZONE): PublicityStatus {
  const today = localDate(now, timeZone);
  if (dayNumber(today) < dayNumber(period.firstDay)) return 'not_started';
  return isWithinPublicity(period, today) ? 'running' : 'ended';
}

/**
 * Dates as people type them from a notice: one date (`2027-01-01`) or a range of days
 * (`2027-02-06 至 2027-02-12`, also `~` or `..`) per line or separated by commas. Returns the days
 * in order, without repeats, and the parts that are not dates.
 */
export function expandDateList(text: string): { dates: LocalDate[]; errors: string[] } {
  const dates = new Set<LocalDate>();
  const errors: string[] = [];
  for (const part of text.split(/[\n,，、;；]+/).map((p) => p.trim()).filter(Boolean)) {
    const range = /^(\S+)\s*(?:至|~|～|\.\.|到)\s*(\S+)$/.exec(part);
    const [from, to] = range ? [range[1]!, range[2]!] : [part, part];
    if (!isCalendarDate(from) || !isCalendarDate(to) || dayNumber(to) < dayNumber(from) || dayNumber(to) - dayNumber(from) > 31) {
      errors.push(part);
      continue;
    }
    for (let n = dayNumber(from); n <= dayNumber(to); n++) dates.add(dateOfDayNumber(n));
  }
  return { dates: [...dates].sort(), errors };
}
