import { MONTH_MAX_DAYS, MONTH_NAMES } from './calendar.js';
import type { CronSchedule } from './cronExpression.js';
import type { ValidationIssue } from './errors.js';
import { parseSchedule, type Schedule } from './schedule.js';
import { ScheduleError } from './scheduleErrors.js';
import { validateTimeZone } from './timeZone.js';

/**
 * A maintenance window's schedule settings together, as CreateMaintenanceWindow checks them: the
 * expression (length 1-256, parsed by `schedule.ts`), ScheduleTimezone, ScheduleOffset (1-6 days,
 * "for cron expressions only"), Duration (1-24 hours) and Cutoff (0-23 hours; tasks may start only
 * until Duration minus Cutoff, so Cutoff must be less than Duration).
 */

/** CreateMaintenanceWindow `Schedule` length limit. */
const MAX_SCHEDULE_LENGTH = 256;

/** Days of the month a cron can never reach in its months (day 31 in April, day 30 in February). */
function unreachableDayIssue(schedule: CronSchedule): ValidationIssue | undefined {
  const selector = schedule.dayOfMonth;
  const days = selector.kind === 'days' ? selector.days : selector.kind === 'nearest-weekday' ? [selector.day] : [];
  if (days.length === 0) return undefined;
  const reachable = schedule.months.some((m) => days.some((d) => d <= (MONTH_MAX_DAYS[m - 1] ?? 31)));
  if (reachable) return undefined;
  const monthNames = schedule.months.map((m) => MONTH_NAMES[m - 1]).join(',');
  return {
    path: 'Schedule',
    message: `Day-of-month ${days.join(',')} never occurs in ${monthNames}: the window would never run`,
    hint: 'use L for the last day of the month',
  };
}

/** What {@link validateMaintenanceWindowSchedule} checks, with CreateMaintenanceWindow's parameter names in mind. */
export interface MaintenanceWindowScheduleInput {
  readonly schedule: string;
  /** `ScheduleTimezone`: an IANA name; UTC when absent. */
  readonly timeZone?: string;
  /** `ScheduleOffset`: days to wait after a cron match, 1-6. */
  readonly scheduleOffset?: number;
  /** `Duration`: hours, 1-24. */
  readonly duration?: number;
  /** `Cutoff`: hours before the end when no new task starts, 0-23 and less than Duration. */
  readonly cutoff?: number;
}

/**
 * Checks a maintenance window's schedule settings as CreateMaintenanceWindow does, returning every
 * problem at once (empty when all is well). Paths are the API's parameter names.
 *
 * @example
 * validateMaintenanceWindowSchedule({ schedule: 'rate(7 days)', scheduleOffset: 2 });
 * // [{ path: 'ScheduleOffset', message: 'ScheduleOffset works only with a cron schedule, not rate(...)', ... }]
 */
export function validateMaintenanceWindowSchedule(input: MaintenanceWindowScheduleInput): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  let schedule: Schedule | undefined;
  if (input.schedule.length < 1 || input.schedule.length > MAX_SCHEDULE_LENGTH) {
    issues.push({
      path: 'Schedule',
      message: `Schedule must be 1 to ${MAX_SCHEDULE_LENGTH} characters long, it has ${input.schedule.length}`,
    });
  } else {
    try {
      schedule = parseSchedule(input.schedule);
    } catch (error) {
      if (!(error instanceof ScheduleError)) throw error;
      issues.push({ path: 'Schedule', message: error.message, ...(error.hint ? { hint: error.hint } : {}) });
    }
  }
  if (schedule?.kind === 'cron') {
    const unreachable = unreachableDayIssue(schedule);
    if (unreachable) issues.push(unreachable);
  }
  if (input.timeZone !== undefined) {
    const zone = validateTimeZone(input.timeZone);
    if (!zone.ok) {
      issues.push({
        path: 'ScheduleTimezone',
        message: zone.message,
        ...(zone.suggestion ? { hint: `did you mean "${zone.suggestion}"?` } : {}),
      });
    }
  }
  if (input.scheduleOffset !== undefined) {
    const offset = input.scheduleOffset;
    if (!Number.isInteger(offset) || offset < 1 || offset > 6) {
      issues.push({
        path: 'ScheduleOffset',
        message: `ScheduleOffset must be a whole number of days from 1 to 6, got ${offset}`,
      });
    }
    if (schedule !== undefined && schedule.kind !== 'cron') {
      issues.push({
        path: 'ScheduleOffset',
        message: `ScheduleOffset works only with a cron schedule, not ${schedule.kind}(...)`,
        hint: 'remove ScheduleOffset or use a cron(...) schedule',
      });
    }
  }
  const duration = input.duration;
  if (duration !== undefined && (!Number.isInteger(duration) || duration < 1 || duration > 24)) {
    issues.push({
      path: 'Duration',
      message: `Duration must be a whole number of hours from 1 to 24, got ${duration}`,
    });
  }
  const cutoff = input.cutoff;
  if (cutoff !== undefined) {
    if (!Number.isInteger(cutoff) || cutoff < 0 || cutoff > 23) {
      issues.push({ path: 'Cutoff', message: `Cutoff must be a whole number of hours from 0 to 23, got ${cutoff}` });
    } else if (duration !== undefined && Number.isInteger(duration) && cutoff >= duration) {
      issues.push({
        path: 'Cutoff',
        message: `Cutoff (${cutoff} h) must be less than Duration (${duration} h), or no task could ever start`,
        hint: `use a Cutoff of at most ${Math.max(0, duration - 1)}`,
      });
    }
  }
  return issues;
}
