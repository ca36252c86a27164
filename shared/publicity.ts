/**
 * The publicity period (公示期) of a published result: from the publication date, a number of
 * working days (default 5, a setting), during which anyone may object.
 *
 *   publication instant → local date in the school's time zone (Asia/Shanghai) → first working
 *   day on or after it → count `workingDays` working days → last day (inclusive)
 *
 * Decisions, and why:
 * - The publication day counts when it is a working day. Notices are posted in the morning and
 *   dated that day ("公示时间：5月20日至5月24日"), and counting it makes the period depend on the
 *   date alone, not on the hour of publication. A result published on a Saturday or Sunday
 *   starts on the following Monday. So published on a Friday, 5 days run Fri, Mon, Tue, Wed, Thu.
 * - Working days are Monday to Friday. Public holidays (国庆, 春节 …) and the swapped working
 *   weekends (调休) are NOT known to the software: they change every year by State Council notice.
 *   A committee that publishes before a holiday must lengthen the period by hand (the setting).
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
}

export type PublicityStatus = 'not_started' | 'running' | 'ended';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The calendar date of `instant` in `timeZone`, e.g. 2026-11-29T23:00Z in Asia/Shanghai → 2026-11-30. */
export function localDate(instant: Date, timeZone = SCHOOL_TIME_ZONE): LocalDate {
  if (Number.isNaN(instant.getTime())) throw new RangeError('localDate: invalid date');
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
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

const dateOfDayNumber = (n: number): LocalDate => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** Monday to Friday. 1970-01-01 was a Thursday, so day 0 has weekday 4 (0 = Sunday). */
const isWorkingDayNumber = (n: number) => {
  const weekday = (((n + 4) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6;
};

export const isWorkingDay = (date: LocalDate) => isWorkingDayNumber(dayNumber(date));

/**
 * The period of a result published at `publishedAt`: `workingDays` working days, the first being
 * the publication date itself if it is a working day, else the next working day.
 */
export function publicityPeriod(
  publishedAt: Date,
  workingDays = DEFAULT_PUBLICITY_WORKING_DAYS,
  timeZone = SCHOOL_TIME_ZONE,
): PublicityPeriod {
  if (!Number.isInteger(workingDays) || workingDays < 1) throw new RangeError(`workingDays must be a positive integer, got ${workingDays}`);
  let day = dayNumber(localDate(publishedAt, timeZone));
  while (!isWorkingDayNumber(day)) day++;
  const first = day;
  for (let counted = 1; counted < workingDays; ) {
    day++;
    if (isWorkingDayNumber(day)) counted++;
  }
  return { firstDay: dateOfDayNumber(first), lastDay: dateOfDayNumber(day), workingDays };
}

/** Whether the calendar date `date` (YYYY-MM-DD) falls within the period, both ends included. */
export function isWithinPublicity(period: PublicityPeriod, date: LocalDate): boolean {
  const n = dayNumber(date);
  return n >= dayNumber(period.firstDay) && n <= dayNumber(period.lastDay);
}

/** Where `now` stands relative to the period, in the school's time zone. */
export function publicityStatus(period: PublicityPeriod, now: Date, timeZone = SCHOOL_TIME_ZONE): PublicityStatus {
  const today = localDate(now, timeZone);
  if (dayNumber(today) < dayNumber(period.firstDay)) return 'not_started';
  return isWithinPublicity(period, today) ? 'running' : 'ended';
}
