import { Cron } from 'croner';
import type { ValidationIssue } from './errors.js';
import { ScheduleError, type ScheduleField, TimeZoneError } from './scheduleErrors.js';
import { instantOfWallClock, validateTimeZone, type WallClock, wallClockAt } from './timeZone.js';

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
 * Calendar arithmetic (next run times, daylight-saving changes, L, W, #) is croner's; this module
 * translates AWS's syntax to croner's and never computes cron dates itself.
 */

/** The name AWS gives each cron field, in expression order (Seconds only in the 7-field form). */
export type CronFieldName = 'Seconds' | 'Minutes' | 'Hours' | 'Day-of-month' | 'Month' | 'Day-of-week' | 'Year';

/** What the Day-of-month field selects. */
export type DayOfMonthSelector =
  /** `?`: no constraint; Day-of-week decides. */
  | { readonly kind: 'unspecified' }
  /** Days 1-31 (from numbers, ranges, steps or `*`). */
  | { readonly kind: 'days'; readonly days: readonly number[] }
  /** `L`: the last day of the month. */
  | { readonly kind: 'last' }
  /** `15W`: the weekday (Mon-Fri) nearest the 15th, within the month. */
  | { readonly kind: 'nearest-weekday'; readonly day: number };

/** What the Day-of-week field selects. Weekdays are AWS's numbers: 1 = Sunday ... 7 = Saturday. */
export type DayOfWeekSelector =
  | { readonly kind: 'unspecified' }
  | { readonly kind: 'days'; readonly days: readonly number[] }
  /** `6L`: the last Friday of the month. */
  | { readonly kind: 'last-of-month'; readonly day: number }
  /** `THU#3`: the third Thursday of the month. */
  | { readonly kind: 'nth-of-month'; readonly day: number; readonly nth: number };

/** A parsed `cron(...)` expression. */
export interface CronSchedule {
  readonly kind: 'cron';
  readonly expression: string;
  /** The second of the minute it runs at: the optional Seconds field, 0 without it. */
  readonly second: number;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly dayOfMonth: DayOfMonthSelector;
  readonly months: readonly number[];
  readonly dayOfWeek: DayOfWeekSelector;
  /** The years it may run in; absent when every year (`*`). */
  readonly years?: readonly number[];
  /** The same schedule in croner's 7-part syntax (Quartz weekday numbering). */
  readonly cronerPattern: string;
}

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

/** The fewest minutes between two runs that AWS supports for a maintenance-window cron. */
const MIN_SCHEDULE_INTERVAL_MINUTES = 5;
/** CreateMaintenanceWindow `Schedule` length limit. */
const MAX_SCHEDULE_LENGTH = 256;

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
/** Longest each month can be (February in a leap year). */
const MONTH_MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

interface FieldSpec {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** What to tell a person who wrote something else. */
  readonly allowed: string;
}

const SPECS = {
  minutes: { name: 'Minutes', min: 0, max: 59, allowed: '0-59 with , - * /' },
  hours: { name: 'Hours', min: 0, max: 23, allowed: '0-23 with , - * /' },
  dayOfMonth: { name: 'Day-of-month', min: 1, max: 31, allowed: '1-31 with , - * / ? L W' },
  month: { name: 'Month', min: 1, max: 12, names: MONTH_NAMES, allowed: '1-12 or JAN-DEC with , - * /' },
  dayOfWeek: {
    name: 'Day-of-week',
    min: 1,
    max: 7,
    names: DAY_NAMES,
    allowed: '1-7 or SUN-SAT (1 = Sunday) with , - * / ? L #',
  },
  year: { name: 'Year', min: 1970, max: 2199, allowed: '1970-2199 with , - * /' },
} as const satisfies Record<string, FieldSpec>;

const FIELD_ORDER = 'Minutes Hours Day-of-month Month Day-of-week Year';

/** A field's values and its croner spelling. */
interface ParsedList {
  readonly values: readonly number[];
  readonly croner: string;
  readonly every: boolean;
}

class CronParser {
  constructor(private readonly expression: string) {}

  fail(field: ScheduleField, problem: string, hint?: string): never {
    throw new ScheduleError(this.expression, field, problem, hint);
  }

  /** A number or (for Month and Day-of-week) a name, within the field's range. */
  value(token: string, spec: FieldSpec, whole: string): number {
    let n: number;
    if (/^\d+$/.test(token)) {
      n = Number(token);
    } else {
      const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
      if (index < 0) this.unexpected(token, spec, whole);
      n = index + 1;
    }
    if (n < spec.min || n > spec.max) {
      const where = whole === token ? '' : ` in "${whole}"`;
      this.fail(spec.name, `${spec.name} value ${token}${where} is out of range`, `use ${spec.allowed}`);
    }
    return n;
  }

  /** Explains a token that is neither a number nor a name, pointing out misplaced wildcards. */
  unexpected(token: string, spec: FieldSpec, whole: string): never {
    const at = `${spec.name} "${whole}"`;
    if (token.includes('?')) {
      if (spec.name === 'Day-of-month' || spec.name === 'Day-of-week') {
        this.fail(spec.name, `${at}: ? must stand alone`, `write just ? in ${spec.name}`);
      }
      this.fail(spec.name, `${at}: ? is allowed only in Day-of-month and Day-of-week`, `use ${spec.allowed}`);
    }
    if (/L/i.test(token) && spec.name !== 'Day-of-month' && spec.name !== 'Day-of-week') {
      this.fail(spec.name, `${at}: L is allowed only in Day-of-month and Day-of-week`, `use ${spec.allowed}`);
    }
    if (/W$/i.test(token) && spec.name !== 'Day-of-month') {
      this.fail(spec.name, `${at}: W is allowed only in Day-of-month (15W)`, `use ${spec.allowed}`);
    }
    if (token.includes('#')) {
      const hint = spec.name === 'Day-of-week' ? 'write a single weekday#n alone, e.g. THU#3' : `use ${spec.allowed}`;
      this.fail(spec.name, `${at}: # is allowed only alone in Day-of-week`, hint);
    }
    if (spec.names !== undefined) {
      this.fail(spec.name, `${at}: "${token}" is not a number or a name`, `use ${spec.allowed}`);
    }
    this.fail(spec.name, `${at}: "${token}" is not a number`, `use ${spec.allowed}`);
  }

  step(token: string, spec: FieldSpec, whole: string): number {
    const span = spec.max - spec.min + 1;
    if (!/^\d+$/.test(token) || Number(token) < 1 || Number(token) > span) {
      this.fail(
        spec.name,
        `${spec.name} "${whole}": the increment after / must be a whole number from 1 to ${span}`,
        `for example ${spec.min}/${Math.min(5, span)}`,
      );
    }
    return Number(token);
  }

  /** A comma-separated list of `*`, `a`, `a-b`, `* /s`, `a/s`, `a-b/s` (names allowed where the field has them). */
  list(text: string, spec: FieldSpec): ParsedList {
    const values = new Set<number>();
    const croner: string[] = [];
    let every = false;
    for (const element of text.split(',')) {
      if (element === '') {
        this.fail(spec.name, `${spec.name} "${text}" has an empty value in its list`, 'remove the extra comma');
      }
      const [range = '', stepText, ...extra] = element.split('/');
      if (extra.length > 0) {
        this.fail(spec.name, `${spec.name} "${element}" has more than one /`, `write start/increment, e.g. 0/15`);
      }
      let from: number;
      let to: number;
      let token: string;
      if (range === '*') {
        from = spec.min;
        to = spec.max;
        token = '*';
        if (stepText === undefined) every = true;
      } else if (range.includes('-')) {
        const [lowText = '', highText = '', ...more] = range.split('-');
        if (more.length > 0 || lowText === '' || highText === '') {
          this.fail(spec.name, `${spec.name} "${element}" is not a range`, 'write a range as low-high, e.g. 1-5');
        }
        from = this.value(lowText, spec, text);
        to = this.value(highText, spec, text);
        if (from > to) {
          this.fail(
            spec.name,
            `${spec.name} range "${range}" runs backwards`,
            `write the lower value first, or list the values: ${this.wrapAround(from, to, spec)}`,
          );
        }
        token = `${from}-${to}`;
      } else {
        from = this.value(range, spec, text);
        // `a/s` runs from a to the end of the field, as AWS documents for 1/10 in Minutes.
        to = stepText === undefined ? from : spec.max;
        token = stepText === undefined ? `${from}` : `${from}-${spec.max}`;
      }
      let increment = 1;
      if (stepText !== undefined) {
        increment = this.step(stepText, spec, text);
        token = `${token}/${increment}`;
      }
      for (let v = from; v <= to; v += increment) values.add(v);
      croner.push(token);
    }
    return { values: [...values].sort((a, b) => a - b), croner: croner.join(','), every };
  }

  wrapAround(from: number, to: number, spec: FieldSpec): string {
    const name = (n: number): string => spec.names?.[n - 1] ?? String(n);
    const tail = from === spec.max ? name(spec.max) : `${name(from)}-${name(spec.max)}`;
    const head = to === spec.min ? name(spec.min) : `${name(spec.min)}-${name(to)}`;
    return `${head},${tail}`;
  }

  dayOfMonth(text: string): { selector: DayOfMonthSelector; croner: string } {
    const spec = SPECS.dayOfMonth;
    if (text === '?') return { selector: { kind: 'unspecified' }, croner: '*' };
    const upper = text.toUpperCase();
    if (upper === 'L') return { selector: { kind: 'last' }, croner: 'L' };
    if (upper === 'LW' || /^L-\d+$/.test(upper)) {
      this.fail(
        spec.name,
        `Day-of-month "${text}" is not supported by AWS`,
        'write L for the last day or 15W for the weekday nearest the 15th',
      );
    }
    const weekday = /^(\d+)W$/.exec(upper);
    if (weekday) {
      const day = this.value(weekday[1] ?? '', spec, text);
      return { selector: { kind: 'nearest-weekday', day }, croner: `${day}W` };
    }
    if (/[LW]/.test(upper) && text.includes(',')) {
      this.fail(
        spec.name,
        `Day-of-month "${text}": L and W must stand alone`,
        'write L or a single nW, without a list',
      );
    }
    const list = this.list(text, spec);
    return { selector: { kind: 'days', days: list.values }, croner: list.croner };
  }

  dayOfWeek(text: string): { selector: DayOfWeekSelector; croner: string } {
    const spec = SPECS.dayOfWeek;
    if (text === '?') return { selector: { kind: 'unspecified' }, croner: '*' };
    const upper = text.toUpperCase();
    // `L` alone is the last day of the week: Saturday.
    if (upper === 'L') return { selector: { kind: 'days', days: [7] }, croner: '7' };
    if (text.includes('#')) {
      const nth = /^([A-Z]+|\d+)#(\d+)$/.exec(upper);
      if (!nth) {
        const hint = text.includes(',')
          ? 'AWS accepts one weekday#n alone; use a separate maintenance window for each'
          : 'write weekday#n, e.g. THU#3 for the third Thursday';
        this.fail(spec.name, `Day-of-week "${text}" is not a valid weekday#n`, hint);
      }
      const day = this.value(nth[1] ?? '', spec, text);
      const n = Number(nth[2]);
      if (n < 1 || n > 5) {
        this.fail(
          spec.name,
          `Day-of-week "${text}": a month has at most 5 of each weekday`,
          'use #1 to #5, or dL for the last one (6L)',
        );
      }
      return { selector: { kind: 'nth-of-month', day, nth: n }, croner: `${day}#${n}` };
    }
    const last = /^([A-Z]+|\d+)L$/.exec(upper);
    if (last) {
      const day = this.value(last[1] ?? '', spec, text);
      return { selector: { kind: 'last-of-month', day }, croner: `${day}L` };
    }
    if (/L/.test(upper) && text.includes(',')) {
      this.fail(
        spec.name,
        `Day-of-week "${text}": L must stand alone`,
        'write a single weekday followed by L, e.g. 6L for the last Friday',
      );
    }
    const list = this.list(text, spec);
    return { selector: { kind: 'days', days: list.values }, croner: list.croner };
  }

  seconds(text: string): number {
    if (!/^\d+$/.test(text)) {
      this.fail(
        'Seconds',
        `Seconds "${text}" must be a single number from 1 to 59`,
        'or drop the Seconds field to run at second 0',
      );
    }
    const second = Number(text);
    if (second === 0) {
      this.fail(
        'Seconds',
        'Seconds 0 is not supported for maintenance windows',
        `drop the Seconds field: a 6-field cron already runs at second 0`,
      );
    }
    if (second > 59) this.fail('Seconds', `Seconds ${text} is out of range`, 'use 1-59');
    return second;
  }
}

/** The smallest gap, in minutes, between two runs the Minutes and Hours fields allow. */
function smallestGapMinutes(minutes: readonly number[], hours: readonly number[]): number {
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < minutes.length; i += 1) gap = Math.min(gap, (minutes[i] ?? 0) - (minutes[i - 1] ?? 0));
  const hourSet = new Set(hours);
  // From the last minute of one hour to the first of the next, when two hours in a row are
  // allowed (23 and 0 count: days in a row are assumed possible).
  if (hours.some((h) => hourSet.has((h + 1) % 24))) {
    gap = Math.min(gap, 60 - (minutes.at(-1) ?? 0) + (minutes[0] ?? 0));
  }
  return gap;
}

function parseCron(expression: string, body: string): CronSchedule {
  const p = new CronParser(expression);
  const fields = body.trim() === '' ? [] : body.trim().split(/\s+/);
  if (fields.length !== 6 && fields.length !== 7) {
    const hint =
      fields.length === 5
        ? `add the Year field (* for every year): cron(${fields.join(' ')} *)`
        : `write cron(${FIELD_ORDER}), e.g. cron(0 4 ? * SUN *)`;
    p.fail(
      'expression',
      `a maintenance-window cron has 6 fields (${FIELD_ORDER}), this one has ${fields.length}`,
      hint,
    );
  }
  if (body !== body.trim()) {
    p.fail('expression', 'there are spaces inside the parentheses', `write cron(${fields.join(' ')})`);
  }
  const offset = fields.length === 7 ? 1 : 0;
  const second = offset === 1 ? p.seconds(fields[0] ?? '') : 0;
  const [minuteText, hourText, domText, monthText, dowText, yearText] = fields.slice(offset) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const minutes = p.list(minuteText, SPECS.minutes);
  const hours = p.list(hourText, SPECS.hours);
  const dom = p.dayOfMonth(domText);
  const months = p.list(monthText, SPECS.month);
  const dow = p.dayOfWeek(dowText);
  const years = p.list(yearText, SPECS.year);

  const domUnspecified = dom.selector.kind === 'unspecified';
  const dowUnspecified = dow.selector.kind === 'unspecified';
  const rebuilt = (domValue: string, dowValue: string): string => {
    const parts = [...fields];
    parts[offset + 2] = domValue;
    parts[offset + 4] = dowValue;
    return `cron(${parts.join(' ')})`;
  };
  if (domUnspecified && dowUnspecified) {
    p.fail(
      'Day-of-week',
      'Day-of-month and Day-of-week are both ?; one of them must select days',
      `write * in Day-of-week for every day: ${rebuilt('?', '*')}`,
    );
  }
  if (!domUnspecified && !dowUnspecified) {
    if (domText === '*') {
      p.fail(
        'Day-of-month',
        `Day-of-month is * while Day-of-week is "${dowText}"; AWS needs ? in one of them`,
        `write ? in Day-of-month: ${rebuilt('?', dowText)}`,
      );
    }
    p.fail(
      'Day-of-week',
      `Day-of-month "${domText}" and Day-of-week "${dowText}" both select days; AWS needs ? in one of them`,
      `write ? in Day-of-week (${rebuilt(domText, '?')}) or in Day-of-month (${rebuilt('?', dowText)})`,
    );
  }

  const gap = smallestGapMinutes(minutes.values, hours.values);
  if (gap < MIN_SCHEDULE_INTERVAL_MINUTES) {
    const parts = [...fields];
    parts[offset] = `0/${MIN_SCHEDULE_INTERVAL_MINUTES}`;
    p.fail(
      'Minutes',
      `Minutes "${minuteText}" with Hours "${hourText}" runs ${gap} minute${gap === 1 ? '' : 's'} apart; maintenance windows run at most every ${MIN_SCHEDULE_INTERVAL_MINUTES} minutes`,
      `space the minutes at least ${MIN_SCHEDULE_INTERVAL_MINUTES} apart, e.g. cron(${parts.join(' ')})`,
    );
  }

  const cronerPattern = [
    second,
    minutes.croner,
    hours.croner,
    dom.croner,
    months.croner,
    dow.croner,
    years.croner,
  ].join(' ');
  return {
    kind: 'cron',
    expression,
    second,
    minutes: minutes.values,
    hours: hours.values,
    dayOfMonth: dom.selector,
    months: months.values,
    dayOfWeek: dow.selector,
    ...(years.every ? {} : { years: years.values }),
    cronerPattern,
  };
}

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

function addDays(clock: WallClock, days: number): WallClock {
  // Calendar-date arithmetic only (no time zone involved): Date.UTC normalizes day overflow.
  const date = new Date(Date.UTC(clock.year, clock.month - 1, clock.day + days));
  return { ...clock, year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

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
