import { DAY_NAMES, MONTH_NAMES } from './calendar.js';
import { ScheduleError, type ScheduleField } from './scheduleErrors.js';

/**
 * The fields of a maintenance-window `cron(...)`, one at a time: each field's values, names and
 * wildcards as AWS documents them, read into what it selects and croner's spelling of it. Rules
 * across fields are `cronExpression.ts`'s.
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

export interface FieldSpec {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** What to tell a person who wrote something else. */
  readonly allowed: string;
}

export const SPECS = {
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

/** A field's values and its croner spelling. */
interface ParsedList {
  readonly values: readonly number[];
  readonly croner: string;
  readonly every: boolean;
}

/** Reads the fields of one expression, failing with a {@link ScheduleError} that names the field. */
export class CronParser {
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
