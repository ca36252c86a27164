/**
 * The publicity period, on calendar cases worked out by hand (November 2026: the 27th is a
 * Friday, the 30th a Monday; the holidays from the State Council's 2026 schedule). Times are
 * given in UTC; Beijing time is UTC+8, so 02:00Z is 10:00 there, before the 12:00 cut-off.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isWithinPublicity, isWeekend, isWorkingDay, localDate, localTime, publicityPeriod, publicityStatus, type WorkCalendar } from '../../shared/publicity.ts';
import { SHIPPED_CALENDAR_YEARS } from '../../shared/work-calendar-cn.ts';

const at = (iso: string) => new Date(iso);

describe('localDate in the school time zone', () => {
  it('takes the date in Beijing, not in UTC: 17:00Z on the 26th is 01:00 on the 27th', () => {
    expect(localDate(at('2026-11-26T17:00:00Z'))).toBe('2026-11-27');
    expect(localDate(at('2026-11-26T15:59:59Z'))).toBe('2026-11-26');
    expect(localDate(at('2026-11-26T17:00:00Z'), 'UTC')).toBe('2026-11-26');
  });

  it('refuses an invalid date', () => {
    expect(() => localDate(new Date('not a date'))).toThrow(RangeError);
  });
});

describe('isWorkingDay', () => {
  it('is Monday to Friday', () => {
    expect(['2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30'].map((d) => isWorkingDay(d))).toEqual([true, false, false, true]);
  });

  it('refuses a date that does not exist', () => {
    expect(() => isWorkingDay('2026-02-30')).toThrow(/no such date/);
    expect(() => isWorkingDay('2026-11-3')).toThrow(/YYYY-MM-DD/);
  });
});

describe('publicityPeriod (5 working days by default)', () => {
  it('published on a Monday: Monday to Friday of the same week', () => {
    expect(publicityPeriod(at('2026-11-30T02:00:00Z'))).toMatchObject({ firstDay: '2026-11-30', lastDay: '2026-12-04', workingDays: 5, afterCutoff: false });
  });

  it('published on a Friday: the Friday counts, then Monday to Thursday', () => {
    expect(publicityPeriod(at('2026-11-27T02:00:00Z'))).toMatchObject({ firstDay: '2026-11-27', lastDay: '2026-12-03', workingDays: 5 });
  });

  it('published on a Saturday or a Sunday: starts the next Monday', () => {
    expect(publicityPeriod(at('2026-11-28T02:00:00Z'))).toMatchObject({ firstDay: '2026-11-30', lastDay: '2026-12-04' });
    expect(publicityPeriod(at('2026-11-29T10:00:00Z'))).toMatchObject({ firstDay: '2026-11-30', lastDay: '2026-12-04' });
  });

  it('uses the Beijing date: Thursday 17:00 UTC is Friday in Beijing', () => {
    expect(publicityPeriod(at('2026-11-26T17:00:00Z'))).toMatchObject({ firstDay: '2026-11-27', lastDay: '2026-12-03' });
    // The same instant read in UTC would be a Thursday and end a day earlier.
    expect(publicityPeriod(at('2026-11-26T17:00:00Z'), 5, { timeZone: 'UTC', cutoff: null })).toMatchObject({ firstDay: '2026-11-26', lastDay: '2026-12-02' });
  });

  it('without a calendar, crosses the year end counting New Year’s Day, and says neither year is covered', () => {
    expect(publicityPeriod(at('2026-12-30T02:00:00Z'))).toMatchObject({ firstDay: '2026-12-30', lastDay: '2027-01-05', uncoveredYears: [2026, 2027] });
  });

  it('crosses a leap day', () => {
    expect(publicityPeriod(at('2028-02-28T02:00:00Z'))).toMatchObject({ firstDay: '2028-02-28', lastDay: '2028-03-03' });
  });

  it('takes another number of working days', () => {
    expect(publicityPeriod(at('2026-11-30T02:00:00Z'), 10)).toMatchObject({ lastDay: '2026-12-11', workingDays: 10 });
    expect(publicityPeriod(at('2026-11-28T02:00:00Z'), 1)).toMatchObject({ firstDay: '2026-11-30', lastDay: '2026-11-30' });
  });

  it('refuses a period that is not a positive whole number of days', () => {
    expect(() => publicityPeriod(at('2026-11-30T02:00:00Z'), 0)).toThrow(RangeError);
    expect(() => publicityPeriod(at('2026-11-30T02:00:00Z'), 2.5)).toThrow(RangeError);
  });
});

describe('within the period', () => {
  const period = publicityPeriod(at('2026-11-27T02:00:00Z')); // Fri 27 Nov – Thu 3 Dec

  it('includes both ends and the weekend between, excludes the days around', () => {
    expect(isWithinPublicity(period, '2026-11-26')).toBe(false);
    expect(isWithinPublicity(period, '2026-11-27')).toBe(true);
    expect(isWithinPublicity(period, '2026-11-29')).toBe(true);
    expect(isWithinPublicity(period, '2026-12-03')).toBe(true);
    expect(isWithinPublicity(period, '2026-12-04')).toBe(false);
  });

  it('runs until midnight in Beijing on the last day', () => {
    expect(publicityStatus(period, at('2026-12-03T15:59:59Z'))).toBe('running');
    expect(publicityStatus(period, at('2026-12-03T16:00:00Z'))).toBe('ended');
  });

  it('has not started when published on a weekend and read before the Monday', () => {
    const weekend = publicityPeriod(at('2026-11-28T02:00:00Z'));
    expect(publicityStatus(weekend, at('2026-11-29T02:00:00Z'))).toBe('not_started');
    expect(publicityStatus(weekend, at('2026-11-30T00:00:00Z'))).toBe('running');
  });
});

const shipped: WorkCalendar = { years: SHIPPED_CALENDAR_YEARS };

describe('the work calendar: holidays and 调休 (State Council, 2026)', () => {
  it('ships 2026 as the notice gives it: 33 days off, 6 weekend days made working days, its source named', () => {
    const [y2026] = SHIPPED_CALENDAR_YEARS;
    expect(y2026!.source).toContain('国务院办公厅关于2026年部分节假日安排的通知');
    expect(y2026!.holidays).toHaveLength(33);
    expect(y2026!.workdays.every(isWeekend)).toBe(true);
    expect(y2026!.holidays.filter((d) => y2026!.workdays.includes(d))).toEqual([]);
    expect(['2026-10-01', '2026-10-07', '2026-02-23'].map((d) => isWorkingDay(d, shipped))).toEqual([false, false, false]);
    expect(['2026-10-10', '2026-02-14', '2026-09-20'].map((d) => isWorkingDay(d, shipped))).toEqual([true, true, true]);
  });

  it('over 国庆: published Wednesday 30 September, the period runs to Monday 12 October (the Saturday 10 October is a working day); on weekdays alone it would end on the 6th', () => {
    expect(publicityPeriod(at('2026-09-30T02:00:00Z'), 5, { calendar: shipped })).toMatchObject({ firstDay: '2026-09-30', lastDay: '2026-10-12', uncoveredYears: [] });
    expect(publicityPeriod(at('2026-09-30T02:00:00Z'))).toMatchObject({ lastDay: '2026-10-06' });
  });

  it('over 春节: published Friday 13 February, counts Saturday the 14th and resumes on the 24th', () => {
    expect(publicityPeriod(at('2026-02-13T02:00:00Z'), 5, { calendar: shipped })).toMatchObject({ firstDay: '2026-02-13', lastDay: '2026-02-26' });
  });

  it('into a year the calendar lacks: counts Monday to Friday there and names the year; entering it lengthens the period', () => {
    expect(publicityPeriod(at('2026-12-28T02:00:00Z'), 5, { calendar: shipped })).toMatchObject({ lastDay: '2027-01-01', uncoveredYears: [2027] });
    const with2027: WorkCalendar = { years: [...SHIPPED_CALENDAR_YEARS, { year: 2027, source: 'entered for the test', holidays: ['2027-01-01'], workdays: [] }] };
    expect(publicityPeriod(at('2026-12-28T02:00:00Z'), 5, { calendar: with2027 })).toMatchObject({ lastDay: '2027-01-04', uncoveredYears: [] });
  });
});

describe('the cut-off time (default 12:00 Beijing)', () => {
  it('published on a working day at or after 12:00, the period starts the next working day', () => {
    expect(localTime(at('2026-11-30T04:00:00Z'))).toBe('12:00');
    expect(publicityPeriod(at('2026-11-30T03:59:00Z'))).toMatchObject({ firstDay: '2026-11-30', lastDay: '2026-12-04', afterCutoff: false });
    expect(publicityPeriod(at('2026-11-30T04:00:00Z'))).toMatchObject({ firstDay: '2026-12-01', lastDay: '2026-12-07', afterCutoff: true });
    // Friday evening: Monday is the first day.
    expect(publicityPeriod(at('2026-11-27T12:00:00Z'))).toMatchObject({ firstDay: '2026-11-30', afterCutoff: true });
  });

  it('is a setting: 17:30 keeps an afternoon publication’s day; null counts the day whatever the hour; anything else is refused', () => {
    expect(publicityPeriod(at('2026-11-30T06:00:00Z'), 5, { cutoff: '17:30' })).toMatchObject({ firstDay: '2026-11-30' });
    expect(publicityPeriod(at('2026-11-30T14:00:00Z'), 5, { cutoff: null })).toMatchObject({ firstDay: '2026-11-30' });
    expect(() => publicityPeriod(at('2026-11-30T02:00:00Z'), 5, { cutoff: '24:00' })).toThrow(RangeError);
  });

  it('property: the period holds exactly its working days, starts no earlier than the publication date (later after the cut-off), and ends on a working day', () => {
    const start = Date.UTC(2026, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 364 * 24 * 60 - 1 }), fc.integer({ min: 1, max: 15 }), (minutes, workingDays) => {
        const published = new Date(start + minutes * 60_000);
        const period = publicityPeriod(published, workingDays, { calendar: shipped });
        const dates: string[] = [];
        for (let d = new Date(`${period.firstDay}T00:00:00Z`); d.toISOString().slice(0, 10) <= period.lastDay; d = new Date(d.getTime() + 86_400_000))
          dates.push(d.toISOString().slice(0, 10));
        expect(dates.filter((d) => isWorkingDay(d, shipped))).toHaveLength(workingDays);
        expect(isWorkingDay(period.firstDay, shipped) && isWorkingDay(period.lastDay, shipped)).toBe(true);
        const publishedDate = localDate(published);
        expect(period.firstDay >= publishedDate).toBe(true);
        if (period.afterCutoff) expect(period.firstDay > publishedDate).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
