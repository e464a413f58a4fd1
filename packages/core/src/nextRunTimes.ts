import { Cron } from 'croner';
import { addDays } from './calendar.js';
import { parseSchedule } from './schedule.js';
import { ScheduleError, TimeZoneError } from './scheduleErrors.js';
import { instantOfWallClock, validateTimeZone, wallClockAt } from './timeZone.js';

/** Options of {@link nextRunTimes}. */
export interface NextRunOptions {
  /** IANA time zone the schedule is read in (`ScheduleTimezone`); UTC when absent. */
  readonly timeZone?: string;
  /** Runs strictly after this instant are returned. There is no clock: it is always passed in. */
  readonly from: Date;
  /** How many runs (0-1000). */
  readonly count: number;
  /** `ScheduleOffset` in days (cron only). */
  readonly scheduleOffset?: number;
}

const MAX_COUNT = 1000;

/**
 * The next `count` runs of a maintenance-window schedule after `from`, read in `timeZone`.
 *
 * - cron: croner's calendar, so `L`, `W`, `#`, the Year field and daylight-saving changes are
 *   handled by the library. On a spring-forward day a fixed-time run inside the gap (02:30) runs at
 *   the end of the gap (03:00); on a fall-back day a fixed time runs once, at its first occurrence,
 *   while a schedule with several hours or minutes runs on both passes through the repeated hour.
 *   With `scheduleOffset`, each run moves that many calendar days later at the same wall-clock
 *   time; as AWS documents, a cron match before `from` does not run even when its offset date is
 *   after `from` (read `from` as the moment the window is created).
 * - rate: every interval after `from` (an interval is a fixed number of minutes, DST does not
 *   stretch it).
 * - at: its one run, read in `timeZone`, when it is after `from`.
 *
 * @throws {ScheduleError} for an invalid expression, count or offset.
 * @throws {TimeZoneError} for an unknown time zone.
 * @example
 * nextRunTimes('cron(0 4 ? * SUN *)', { timeZone: 'US/Eastern', from: new Date('2026-03-01T00:00:00Z'), count: 2 });
 * // [2026-03-01T09:00:00Z (04:00 EST), 2026-03-08T08:00:00Z (04:00 EDT)]
 */
export function nextRunTimes(expression: string, options: NextRunOptions): Date[] {
  const schedule = parseSchedule(expression);
  const zone = options.timeZone ?? 'UTC';
  const zoneCheck = validateTimeZone(zone);
  if (!zoneCheck.ok) throw new TimeZoneError(zone, zoneCheck.message, zoneCheck.suggestion);
  const { count, from } = options;
  if (!Number.isInteger(count) || count < 0 || count > MAX_COUNT) {
    throw new ScheduleError(expression, 'count', `count ${count} is not a whole number from 0 to ${MAX_COUNT}`);
  }
  if (Number.isNaN(from.getTime())) {
    throw new ScheduleError(expression, 'count', '`from` is not a valid date', 'pass the instant to count from');
  }
  const offset = options.scheduleOffset;
  if (offset !== undefined) {
    if (schedule.kind !== 'cron') {
      throw new ScheduleError(
        expression,
        'ScheduleOffset',
        `ScheduleOffset works only with a cron schedule, not ${schedule.kind}(...)`,
        'remove the offset',
      );
    }
    if (!Number.isInteger(offset) || offset < 1 || offset > 6) {
      throw new ScheduleError(
        expression,
        'ScheduleOffset',
        `ScheduleOffset ${offset} is not a whole number of days from 1 to 6`,
      );
    }
  }
  if (count === 0) return [];

  switch (schedule.kind) {
    case 'rate': {
      const step = schedule.intervalMinutes * 60_000;
      return Array.from({ length: count }, (_, i) => new Date(from.getTime() + (i + 1) * step));
    }
    case 'at': {
      const instant = instantOfWallClock(schedule.at, zone);
      return instant.getTime() > from.getTime() ? [instant] : [];
    }
    case 'cron': {
      const cron = new Cron(schedule.cronerPattern, {
        timezone: zone,
        mode: '7-part',
        alternativeWeekdays: true,
        paused: true,
      });
      try {
        const runs = cron.nextRuns(count, from);
        if (offset === undefined) return runs;
        return runs.map((run) => instantOfWallClock(addDays(wallClockAt(run, zone), offset), zone));
      } finally {
        cron.stop();
      }
    }
  }
}
