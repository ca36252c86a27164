/**
 * Tests that need a publicity period running today, whatever the weekday: a result published on
 * a Saturday would only start its period on Monday. Moves the poll's publication back to the
 * latest working day at or before today (Beijing time), 10:00 there, and forgets the period
 * announced at the real publication (as for a poll published before it was stored).
 */
import { isWorkingDay, localDate } from '../../shared/publicity.ts';
import { SHIPPED_CALENDAR_YEARS } from '../../shared/work-calendar-cn.ts';
import type { TestServer } from './test-server.ts';

export function publishedOnLatestWorkingDay(t: TestServer, pollId: string, now = new Date()): string {
  let day = now.getTime();
  while (!isWorkingDay(localDate(new Date(day)), { years: SHIPPED_CALENDAR_YEARS })) day -= 24 * 3600 * 1000;
  const publishedAt = `${localDate(new Date(day))}T02:00:00.000Z`;
  t.deps.db.$client.prepare('UPDATE polls SET published_at = ?, publicity_first_day = NULL, publicity_last_day = NULL WHERE id = ?').run(publishedAt, pollId);
  return publishedAt;
}
