import type { WallClock } from './timeZone.js';

/** Calendar facts the schedule parsers and checks share: names AWS accepts and month lengths. */

/** Month names a cron's Month field accepts, JAN = 1. */
export const MONTH_NAMES = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
] as const;
/** Weekday names a cron's Day-of-week field accepts, SUN = 1 (AWS's numbering). */
export const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
/** Longest each month can be (February in a leap year). */
export const MONTH_MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** The same wall-clock time `days` calendar days later. */
export function addDays(clock: WallClock, days: number): WallClock {
  // Calendar-date arithmetic only (no time zone involved): Date.UTC normalizes day overflow.
  const date = new Date(Date.UTC(clock.year, clock.month - 1, clock.day + days));
  return { ...clock, year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}
