/**
 * The publicity period, on calendar cases worked out by hand (November 2026: the 27th is a
 * Friday, the 30th a Monday). Times are given in UTC; Beijing time is UTC+8.
 */
import { describe, expect, it } from 'vitest';
import { isWithinPublicity, isWorkingDay, localDate, publicityPeriod, publicityStatus } from '../../shared/publicity.ts';

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
    expect(['2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30'].map(isWorkingDay)).toEqual([true, false, false, true]);
  });

  it('refuses a date that does not exist', () => {
    expect(() => isWorkingDay('2026-02-30')).toThrow(/no such date/);
    expect(() => isWorkingDay('2026-11-3')).toThrow(/YYYY-MM-DD/);
  });
});

describe('publicityPeriod (5 working days by default)', () => {
  it('published on a Monday: Monday to Friday of the same week', () => {
    expect(publicityPeriod(at('2026-11-30T02:00:00Z'))).toEqual({ firstDay: '2026-11-30', lastDay: '2026-12-04', workingDays: 5 });
  });

  it('published on a Friday: the Friday counts, then Monday to Thursday', () => {
    expect(publicityPeriod(at('2026-11-27T02:00:00Z'))).toEqual({ firstDay: '2026-11-27', lastDay: '2026-12-03', workingDays: 5 });
  });

  it('published on a Saturday or a Sunday: starts the next Monday', () => {
    expect(publicityPeriod(at('2026-11-28T02:00:00Z'))).toMatchObject({ firstDay: '2026-11-30', lastDay: '2026-12-04' });
    expect(publicityPeriod(at('2026-11-29T10:00:00Z'))).toMatchObject({ firstDay: '2026-11-30', lastDay: '2026-12-04' });
  });

  it('uses the Beijing date: Thursday 17:00 UTC is Friday in Beijing', () => {
    expect(publicityPeriod(at('2026-11-26T17:00:00Z'))).toMatchObject({ firstDay: '2026-11-27', lastDay: '2026-12-03' });
    // The same instant read in UTC would be a Thursday and end a day earlier.
    expect(publicityPeriod(at('2026-11-26T17:00:00Z'), 5, 'UTC')).toMatchObject({ firstDay: '2026-11-26', lastDay: '2026-12-02' });
  });

  it('crosses the year end; New Year’s Day counts, since holidays are not known', () => {
    expect(publicityPeriod(at('2026-12-30T02:00:00Z'))).toMatchObject({ firstDay: '2026-12-30', lastDay: '2027-01-05' });
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
