import { MONTH_MAX_DAYS } from './calendar.js';
import { type CronSchedule, MIN_SCHEDULE_INTERVAL_MINUTES, parseCron } from './cronExpression.js';
import { ScheduleError, type ScheduleField } from './scheduleErrors.js';
import type { WallClock } from './timeZone.js';

/**
 * Maintenance-window schedule expressions, checked by the rules AWS documents in
 * "Reference: Cron and rate expressions for Systems Manager"
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html)
 * and the CreateMaintenanceWindow API reference:
 *
 * - `cron(Minutes Hours Day-of-month Month Day-of-week Year)`: six required fields, plus an optional
 *   leading `Seconds` field that maintenance windows (not associations) accept, where zero is not
 *   supported. Values: Minutes 0-59, Hours 0-23, Day-of-month 1-31, Month 1-12 or JAN-DEC,
 *   Day-of-week 1-7 or SUN-SAT (1 = Sunday), Year 1970-2199. Wildcards `, - * /` everywhere, `?` and
 *   `L` in Day-of-month and Day-of-week, `W` in Day-of-month, `#` in Day-of-week (`THU#3`).
 *   A value (or `*`) in one of Day-of-month and Day-of-week needs `?` in the other.
 *   "Cron expressions that lead to rates faster than five (5) minutes are not supported."
 * - `rate(Value Unit)`: a positive whole number and `minute(s)`, `hour(s)` or `day(s)`; the unit is
 *   singular exactly when the value is 1.
 * - `at(yyyy-mm-ddThh:mm:ss)`: a single run.
 * - ScheduleOffset (1-6 days) is supported "for cron expressions only".
 * - Schedule length 1-256; Duration 1-24 hours; Cutoff 0-23 hours, and tasks may start only until
 *   Duration minus Cutoff, so Cutoff must be less than Duration.
 *
 * This file reads an expression and parses `rate(...)` and `at(...)`; a cron is read by
 * `cronExpression.ts` (whole expression) and `cronFields.ts` (each field), the window's other
 * settings are checked by `maintenanceWindowSchedule.ts`, and runs are counted by `nextRunTimes.ts`.
 * Calendar arithmetic (next run times, daylight-saving changes, L, W, #) is croner's; this code
 * translates AWS's syntax to croner's and never computes cron dates itself.
 */

/** A parsed `rate(...)` expression. */
export interface RateSchedule {
  readonly kind: 'rate';
  readonly expression: string;
  readonly value: number;
  readonly unit: 'minutes' | 'hours' | 'days';
  readonly intervalMinutes: number;
}

/** A parsed `at(...)` expression: one run at a wall-clock time of the window's time zone. */
export interface AtSchedule {
  readonly kind: 'at';
  readonly expression: string;
  readonly at: WallClock;
}

/** A parsed maintenance-window schedule expression. */
export type Schedule = CronSchedule | RateSchedule | AtSchedule;
function parseRate(expression: string, body: string): RateSchedule {
  const fail = (field: ScheduleField, problem: string, hint: string): never => {
    throw new ScheduleError(expression, field, problem, hint);
  };
  const parts = body.trim() === '' ? [] : body.trim().split(/\s+/);
  if (parts.length !== 2 || body !== body.trim()) {
    fail(
      'expression',
      'a rate has two fields, a value and a unit',
      'write e.g. rate(30 minutes), rate(1 hour) or rate(7 days)',
    );
  }
  const [valueText = '', unitText = ''] = parts;
  if (!/^\d+$/.test(valueText) || Number(valueText) < 1 || !Number.isSafeInteger(Number(valueText))) {
    fail('rate value', `rate value "${valueText}" is not a positive whole number`, 'write e.g. rate(30 minutes)');
  }
  const value = Number(valueText);
  const unitMatch = /^(minute|hour|day)(s?)$/.exec(unitText);
  if (!unitMatch) {
    fail(
      'rate unit',
      `rate unit "${unitText}" is not minute(s), hour(s) or day(s)`,
      `write e.g. rate(${value} ${value === 1 ? 'hour' : 'hours'})`,
    );
  }
  const base = unitMatch?.[1] as 'minute' | 'hour' | 'day';
  const plural = unitMatch?.[2] === 's';
  if (value === 1 && plural) {
    fail('rate unit', `rate(1 ${unitText}) needs the singular unit`, `write rate(1 ${base})`);
  }
  if (value !== 1 && !plural) {
    fail('rate unit', `rate(${value} ${unitText}) needs the plural unit`, `write rate(${value} ${base}s)`);
  }
  const intervalMinutes = value * (base === 'minute' ? 1 : base === 'hour' ? 60 : 1440);
  if (intervalMinutes < MIN_SCHEDULE_INTERVAL_MINUTES) {
    fail(
      'rate value',
      `rate(${value} ${unitText}) runs more often than every ${MIN_SCHEDULE_INTERVAL_MINUTES} minutes`,
      `write rate(${MIN_SCHEDULE_INTERVAL_MINUTES} minutes) or more`,
    );
  }
  return { kind: 'rate', expression, value, unit: `${base}s`, intervalMinutes };
}

function parseAt(expression: string, body: string): AtSchedule {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  const hint = 'write at(yyyy-mm-ddThh:mm:ss), e.g. at(2026-07-07T15:55:00)';
  if (!match) {
    throw new ScheduleError(expression, 'at timestamp', `"${body}" is not a timestamp yyyy-mm-ddThh:mm:ss`, hint);
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && !leap ? 28 : (MONTH_MAX_DAYS[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) {
    throw new ScheduleError(expression, 'at timestamp', `"${body}" is not a date and time that exists`, hint);
  }
  return { kind: 'at', expression, at: { year, month, day, hour, minute, second } };
}

/**
 * Parses a maintenance-window schedule expression: `cron(...)`, `rate(...)` or `at(...)`.
 *
 * @throws {ScheduleError} naming the field that is wrong and what to write instead.
 * @example
 * parseSchedule('cron(0 4 ? * SUN *)'); // { kind: 'cron', hours: [4], dayOfWeek: { kind: 'days', days: [1] }, ... }
 * parseSchedule('cron(0 4 * * SUN *)'); // throws: Day-of-month is * while Day-of-week is "SUN"; ...
 */
export function parseSchedule(expression: string): Schedule {
  const match = /^([A-Za-z]+)\((.*)\)$/s.exec(expression);
  const kind = match?.[1];
  const body = match?.[2] ?? '';
  if (kind === 'cron') return parseCron(expression, body);
  if (kind === 'rate') return parseRate(expression, body);
  if (kind === 'at') return parseAt(expression, body);
  const examples = 'cron(0 4 ? * SUN *), rate(7 days) or at(2026-07-07T15:55:00)';
  if (kind !== undefined && ['cron', 'rate', 'at'].includes(kind.toLowerCase())) {
    throw new ScheduleError(
      expression,
      'expression',
      `"${kind}" must be written in lower case`,
      `write ${kind.toLowerCase()}(${body})`,
    );
  }
  if (expression !== expression.trim() && /^(cron|rate|at)\(/.test(expression.trim())) {
    throw new ScheduleError(
      expression,
      'expression',
      'the expression has spaces around it',
      `write ${expression.trim()}`,
    );
  }
  const bare = expression.trim().split(/\s+/);
  if (match === null && bare.length >= 5 && bare.length <= 7) {
    throw new ScheduleError(
      expression,
      'expression',
      'a cron expression must be wrapped in cron(...)',
      `write cron(${bare.length === 5 ? `${bare.join(' ')} *` : bare.join(' ')})`,
    );
  }
  throw new ScheduleError(
    expression,
    'expression',
    'a maintenance-window schedule is cron(...), rate(...) or at(...)',
    `write e.g. ${examples}`,
  );
}
