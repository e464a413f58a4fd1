import { CronParser, type DayOfMonthSelector, type DayOfWeekSelector, SPECS } from './cronFields.js';

/**
 * A whole maintenance-window `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, as AWS
 * documents it: six required fields, plus an optional leading `Seconds` field that maintenance
 * windows (not associations) accept, where zero is not supported. A value (or `*`) in one of
 * Day-of-month and Day-of-week needs `?` in the other. "Cron expressions that lead to rates faster
 * than five (5) minutes are not supported." Each field on its own is `cronFields.ts`'s.
 */

/** The fewest minutes between two runs that AWS supports for a maintenance window. */
export const MIN_SCHEDULE_INTERVAL_MINUTES = 5;

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

const FIELD_ORDER = 'Minutes Hours Day-of-month Month Day-of-week Year';

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

/** Parses the body of a `cron(...)` expression; `expression` is the whole, for messages. */
export function parseCron(expression: string, body: string): CronSchedule {
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
