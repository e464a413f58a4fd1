import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CronSchedule } from '../src/cronExpression.js';
import { nextRunTimes, TimeZoneError, validateMaintenanceWindowSchedule } from '../src/index.js';
import { parseSchedule } from '../src/schedule.js';
import { ScheduleError, type ScheduleField } from '../src/scheduleErrors.js';

const iso = (dates: readonly Date[]): string[] => dates.map((d) => d.toISOString());
const runs = (expression: string, timeZone: string, from: string, count: number, scheduleOffset?: number): string[] =>
  iso(
    nextRunTimes(expression, { timeZone, from: new Date(from), count, ...(scheduleOffset ? { scheduleOffset } : {}) }),
  );

function scheduleError(expression: string): ScheduleError {
  try {
    parseSchedule(expression);
  } catch (error) {
    if (error instanceof ScheduleError) return error;
    throw error;
  }
  throw new Error(`expected ${expression} to be rejected`);
}

describe('parseSchedule', () => {
  it('reads the six AWS fields of a weekly cron', () => {
    const schedule = parseSchedule('cron(0 4 ? * SUN *)') as CronSchedule;
    expect(schedule).toMatchObject({
      kind: 'cron',
      second: 0,
      minutes: [0],
      hours: [4],
      dayOfMonth: { kind: 'unspecified' },
      dayOfWeek: { kind: 'days', days: [1] },
    });
    expect(schedule.months).toHaveLength(12);
    expect(schedule.years).toBeUndefined();
  });

  it('reads L, W, # and names the way AWS documents them', () => {
    expect(parseSchedule('cron(0 2 L * ? *)')).toMatchObject({ dayOfMonth: { kind: 'last' } });
    expect(parseSchedule('cron(0 2 15W * ? *)')).toMatchObject({ dayOfMonth: { kind: 'nearest-weekday', day: 15 } });
    expect(parseSchedule('cron(15 10 ? * 6L *)')).toMatchObject({ dayOfWeek: { kind: 'last-of-month', day: 6 } });
    expect(parseSchedule('cron(0 2 ? * THU#3 *)')).toMatchObject({
      dayOfWeek: { kind: 'nth-of-month', day: 5, nth: 3 },
    });
    expect(parseSchedule('cron(0 18 ? * MON-FRI *)')).toMatchObject({
      dayOfWeek: { kind: 'days', days: [2, 3, 4, 5, 6] },
    });
    expect(parseSchedule('cron(0 8 1 JAN,jul ? *)')).toMatchObject({ months: [1, 7] });
    expect(parseSchedule('cron(0 2 ? * L *)')).toMatchObject({ dayOfWeek: { kind: 'days', days: [7] } });
  });

  it('reads increments from a start value to the end of the field, as AWS does for 0/15', () => {
    expect(parseSchedule('cron(0/15 * * * ? *)')).toMatchObject({ minutes: [0, 15, 30, 45] });
    expect(parseSchedule('cron(5/20 8-17/3 * * ? *)')).toMatchObject({ minutes: [5, 25, 45], hours: [8, 11, 14, 17] });
  });

  it('accepts the optional Seconds field of maintenance windows and the Year field', () => {
    expect(parseSchedule('cron(24 30 09 ? * * *)')).toMatchObject({ second: 24, minutes: [30], hours: [9] });
    expect(parseSchedule('cron(0 0 1 JAN ? 2027-2028)')).toMatchObject({ years: [2027, 2028] });
  });

  it('reads rate and at expressions', () => {
    expect(parseSchedule('rate(30 minutes)')).toMatchObject({
      kind: 'rate',
      value: 30,
      unit: 'minutes',
      intervalMinutes: 30,
    });
    expect(parseSchedule('rate(1 hour)')).toMatchObject({ kind: 'rate', intervalMinutes: 60 });
    expect(parseSchedule('rate(25 days)')).toMatchObject({ kind: 'rate', intervalMinutes: 36_000 });
    expect(parseSchedule('at(2026-07-07T15:55:00)')).toMatchObject({
      kind: 'at',
      at: { year: 2026, month: 7, day: 7, hour: 15, minute: 55, second: 0 },
    });
  });

  const invalid: readonly [string, ScheduleField, string, string][] = [
    ['cron(0 4 * * SUN *)', 'Day-of-month', 'Day-of-month is * while Day-of-week is "SUN"', 'cron(0 4 ? * SUN *)'],
    ['cron(0 4 1 * MON *)', 'Day-of-week', 'both select days', 'cron(0 4 1 * ? *)'],
    ['cron(0 4 ? * ? *)', 'Day-of-week', 'both ?', 'cron(0 4 ? * * *)'],
    ['cron(0 4 ? * SUN)', 'expression', 'has 6 fields', 'cron(0 4 ? * SUN *)'],
    ['cron(0 4 ? * SUN * * *)', 'expression', 'this one has 8', 'cron(Minutes Hours'],
    ['0 4 ? * SUN', 'expression', 'wrapped in cron(...)', 'cron(0 4 ? * SUN *)'],
    ['CRON(0 4 ? * SUN *)', 'expression', 'lower case', 'cron(0 4 ? * SUN *)'],
    ['weekly', 'expression', 'cron(...), rate(...) or at(...)', 'rate(7 days)'],
    ['cron(60 4 ? * SUN *)', 'Minutes', 'Minutes value 60 is out of range', '0-59'],
    ['cron(0 24 ? * SUN *)', 'Hours', 'Hours value 24 is out of range', '0-23'],
    ['cron(0 4 32 * ? *)', 'Day-of-month', 'Day-of-month value 32 is out of range', '1-31'],
    ['cron(0 4 ? 13 MON *)', 'Month', 'Month value 13 is out of range', 'JAN-DEC'],
    ['cron(0 4 ? * 0 *)', 'Day-of-week', 'Day-of-week value 0 is out of range', '1 = Sunday'],
    ['cron(0 4 ? * SUNDAY *)', 'Day-of-week', '"SUNDAY" is not a number or a name', 'SUN-SAT'],
    ['cron(0 4 ? * MON 1969)', 'Year', 'Year value 1969 is out of range', '1970-2199'],
    ['cron(L 4 ? * MON *)', 'Minutes', 'L is allowed only in Day-of-month and Day-of-week', '0-59'],
    ['cron(0 ? ? * MON *)', 'Hours', '? is allowed only in Day-of-month and Day-of-week', '0-23'],
    ['cron(0 4 ? * 15W *)', 'Day-of-week', 'W is allowed only in Day-of-month', ''],
    ['cron(0 4 3#2 * ? *)', 'Day-of-month', '# is allowed only alone in Day-of-week', ''],
    ['cron(0 4 ? * 3#1,6#3 *)', 'Day-of-week', 'not a valid weekday#n', 'one weekday#n alone'],
    ['cron(0 4 ? * MON#6 *)', 'Day-of-week', 'at most 5 of each weekday', '#1 to #5'],
    ['cron(0 4 LW * ? *)', 'Day-of-month', 'not supported by AWS', '15W'],
    ['cron(0 4 ? * FRI-MON *)', 'Day-of-week', 'runs backwards', 'SUN-MON,FRI-SAT'],
    ['cron(0 4 ? NOV-FEB MON *)', 'Month', 'runs backwards', 'JAN-FEB,NOV-DEC'],
    ['cron(0/0 4 ? * MON *)', 'Minutes', 'increment after / must be a whole number from 1 to 60', ''],
    ['cron(0 4 1,,2 * ? *)', 'Day-of-month', 'empty value in its list', 'remove the extra comma'],
    ['cron(* * * * ? *)', 'Minutes', 'runs 1 minute apart', 'cron(0/5 * * * ? *)'],
    ['cron(0/2 8 ? * MON *)', 'Minutes', 'runs 2 minutes apart', 'at least 5 apart'],
    ['cron(0,58 * ? * MON *)', 'Minutes', 'runs 2 minutes apart', ''],
    ['cron(0 30 09 ? * * *)', 'Seconds', 'Seconds 0 is not supported', 'drop the Seconds field'],
    ['cron(*/10 30 09 ? * * *)', 'Seconds', 'single number from 1 to 59', ''],
    ['cron( 0 4 ? * SUN *)', 'expression', 'spaces inside the parentheses', 'cron(0 4 ? * SUN *)'],
    ['rate(1 hours)', 'rate unit', 'needs the singular unit', 'rate(1 hour)'],
    ['rate(5 hour)', 'rate unit', 'needs the plural unit', 'rate(5 hours)'],
    ['rate(0 minutes)', 'rate value', 'not a positive whole number', ''],
    ['rate(1.5 hours)', 'rate value', 'not a positive whole number', ''],
    ['rate(2 weeks)', 'rate unit', 'not minute(s), hour(s) or day(s)', 'rate(2 hours)'],
    ['rate(1 minute)', 'rate value', 'more often than every 5 minutes', 'rate(5 minutes)'],
    ['rate(7days)', 'expression', 'two fields', ''],
    ['at(2026-02-29T10:00:00)', 'at timestamp', 'not a date and time that exists', 'at(yyyy-mm-ddThh:mm:ss)'],
    ['at(2026-07-07 15:55:00)', 'at timestamp', 'not a timestamp', 'at(yyyy-mm-ddThh:mm:ss)'],
    ['at(2026-07-07T24:00:00)', 'at timestamp', 'not a date and time that exists', ''],
  ];

  it.each(invalid)('rejects %s, naming %s and what to write', (expression, field, message, hint) => {
    const error = scheduleError(expression);
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
    expect(error.message).toContain(`Invalid schedule "${expression}"`);
    expect(error.hint ?? '').toContain(hint);
    expect(error.name).toBe('ScheduleError');
  });

  it('accepts every example of the AWS maintenance-window documentation', () => {
    for (const expression of [
      'cron(0 2 ? * THU#3 *)',
      'cron(15 10 ? * * *)',
      'cron(15 10 ? * MON-FRI *)',
      'cron(0 2 L * ? *)',
      'cron(15 10 ? * 6L *)',
      'cron(30 09 ? * * *)',
      'cron(24 30 09 ? * * *)',
      'cron(30 23 ? * TUE#3 *)',
      'cron(0 16 ? * TUE *)',
      'cron(0/5 8-17 ? * MON-FRI *)',
      'cron(0/10 * ? * MON-FRI *)',
      'rate(30 minutes)',
      'rate(1 hour)',
      'rate(5 hours)',
      'rate(25 days)',
      'rate(7 days)',
      'at(2021-07-07T13:15:30)',
    ]) {
      expect(() => parseSchedule(expression), expression).not.toThrow();
    }
  });
});

describe('nextRunTimes', () => {
  it('runs cron(0 4 ? * SUN *) in US/Eastern at 04:00 local on both sides of the March change', () => {
    // 2026-03-01 04:00 EST (UTC-5) = 09:00Z; DST starts 2026-03-08 02:00, so 04:00 EDT (UTC-4) = 08:00Z.
    expect(runs('cron(0 4 ? * SUN *)', 'US/Eastern', '2026-03-01T00:00:00Z', 3)).toEqual([
      '2026-03-01T09:00:00.000Z',
      '2026-03-08T08:00:00.000Z',
      '2026-03-15T08:00:00.000Z',
    ]);
  });

  it('runs cron(0 4 ? * SUN *) in US/Eastern at 04:00 local on both sides of the November change', () => {
    // 2026-10-25 04:00 EDT = 08:00Z; DST ends 2026-11-01 02:00 EDT -> 01:00 EST, so 04:00 EST = 09:00Z.
    expect(runs('cron(0 4 ? * SUN *)', 'US/Eastern', '2026-10-20T00:00:00Z', 3)).toEqual([
      '2026-10-25T08:00:00.000Z',
      '2026-11-01T09:00:00.000Z',
      '2026-11-08T09:00:00.000Z',
    ]);
  });

  it('runs a daily 02:30 in America/New_York at the end of the spring-forward gap on 2026-03-08', () => {
    // 03-07 02:30 EST = 07:30Z; 03-08 02:30 does not exist (02:00 EST -> 03:00 EDT): the run moves to
    // 03:00 EDT = 07:00Z; 03-09 02:30 EDT = 06:30Z.
    expect(runs('cron(30 2 ? * * *)', 'America/New_York', '2026-03-06T12:00:00Z', 3)).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('runs a daily 01:30 in America/New_York once on 2026-11-01, at its first occurrence', () => {
    // 10-31 01:30 EDT = 05:30Z; 11-01 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST): the
    // fixed time runs at the first; 11-02 01:30 EST = 06:30Z.
    expect(runs('cron(30 1 ? * * *)', 'America/New_York', '2026-10-30T12:00:00Z', 3)).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('runs a half-hourly schedule on both passes through the repeated hour of 2026-11-01', () => {
    // 01:00 and 01:30 EDT = 05:00Z, 05:30Z; then 01:00 and 01:30 EST = 06:00Z, 06:30Z; next day 01:00 EST = 06:00Z.
    expect(runs('cron(0/30 1 ? * * *)', 'America/New_York', '2026-11-01T00:00:00Z', 5)).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:00:00.000Z',
    ]);
  });

  it('follows Europe/Berlin into summer time on 2026-03-29', () => {
    // 03-28 03:00 CET (UTC+1) = 02:00Z; 03-29 02:00 CET -> 03:00 CEST (UTC+2), 03:00 CEST = 01:00Z.
    expect(runs('cron(0 3 ? * * *)', 'Europe/Berlin', '2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28T02:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T01:00:00.000Z',
    ]);
    // 02:30 does not exist on 03-29: it runs at 03:00 CEST = 01:00Z.
    expect(runs('cron(30 2 ? * * *)', 'Europe/Berlin', '2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('follows Europe/Berlin back to winter time on 2026-10-25', () => {
    // 10-24 12:00 CEST = 10:00Z; 03:00 CEST -> 02:00 CET on 10-25, so 12:00 CET = 11:00Z.
    expect(runs('cron(0 12 ? * * *)', 'Europe/Berlin', '2026-10-23T12:00:00Z', 3)).toEqual([
      '2026-10-24T10:00:00.000Z',
      '2026-10-25T11:00:00.000Z',
      '2026-10-26T11:00:00.000Z',
    ]);
    // 02:30 happens twice on 10-25 (00:30Z CEST, 01:30Z CET): once, at the first; 10-26 02:30 CET = 01:30Z.
    expect(runs('cron(30 2 ? * * *)', 'Europe/Berlin', '2026-10-23T12:00:00Z', 3)).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('finds the last day, the last Friday, the third Thursday and the nearest weekday', () => {
    // January 2026 starts on a Thursday; February and March on a Sunday.
    expect(runs('cron(0 2 L * ? *)', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-31T02:00:00.000Z',
      '2026-02-28T02:00:00.000Z',
      '2026-03-31T02:00:00.000Z',
    ]);
    expect(runs('cron(0 2 L FEB ? *)', 'UTC', '2027-06-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T02:00:00.000Z',
      '2029-02-28T02:00:00.000Z',
    ]);
    expect(runs('cron(15 10 ? * 6L *)', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-30T10:15:00.000Z',
      '2026-02-27T10:15:00.000Z',
      '2026-03-27T10:15:00.000Z',
    ]);
    expect(runs('cron(0 2 ? * THU#3 *)', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-15T02:00:00.000Z',
      '2026-02-19T02:00:00.000Z',
      '2026-03-19T02:00:00.000Z',
    ]);
    // 15th: Thursday in January; Sunday in February and March -> Monday the 16th.
    expect(runs('cron(0 2 15W * ? *)', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-15T02:00:00.000Z',
      '2026-02-16T02:00:00.000Z',
      '2026-03-16T02:00:00.000Z',
    ]);
    // 2026-08-15 is a Saturday -> Friday 14th; 2026-08-01 is a Saturday and W stays in the month -> Monday 3rd.
    expect(runs('cron(0 2 15W AUG ? *)', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-08-14T02:00:00.000Z']);
    expect(runs('cron(0 2 1W AUG ? *)', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-08-03T02:00:00.000Z']);
    // L alone in Day-of-week is Saturday; 2026-01-03 is a Saturday.
    expect(runs('cron(0 2 ? * L *)', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-03T02:00:00.000Z',
      '2026-01-10T02:00:00.000Z',
    ]);
  });

  it('reads weekday numbers as AWS does (1 = Sunday) in ranges with increments', () => {
    // 2-6/2 = MON, WED, FRI; 2026-01-02 is a Friday.
    expect(runs('cron(0 2 ? * 2-6/2 *)', 'UTC', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-02T02:00:00.000Z',
      '2026-01-05T02:00:00.000Z',
      '2026-01-07T02:00:00.000Z',
      '2026-01-09T02:00:00.000Z',
    ]);
  });

  it('stops at the end of the Year field', () => {
    expect(runs('cron(0 0 1 JAN ? 2027-2028)', 'UTC', '2026-03-01T00:00:00Z', 3)).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2028-01-01T00:00:00.000Z',
    ]);
  });

  it('moves each cron run by ScheduleOffset calendar days at the same local time', () => {
    // AWS's example: third Tuesday at 23:30 plus 2 days. January 2026: Tuesdays 6, 13, 20 -> Thursday 22nd.
    expect(runs('cron(30 23 ? * TUE#3 *)', 'UTC', '2026-01-01T00:00:00Z', 2, 2)).toEqual([
      '2026-01-22T23:30:00.000Z',
      '2026-02-19T23:30:00.000Z',
    ]);
    // First Friday 2026-03-06 04:00 EST; two days later is Sunday 03-08, after the change: 04:00 EDT = 08:00Z
    // (not 48 hours later, which would be 09:00Z).
    expect(runs('cron(0 4 ? * FRI#1 *)', 'America/New_York', '2026-03-01T00:00:00Z', 1, 2)).toEqual([
      '2026-03-08T08:00:00.000Z',
    ]);
  });

  it('does not run an offset date whose cron match was before `from`, as AWS documents', () => {
    // The Tuesday match 2026-01-20 23:30 is before `from`; its offset date 01-22 is after, yet it does not run.
    expect(runs('cron(30 23 ? * TUE#3 *)', 'UTC', '2026-01-21T00:00:00Z', 1, 2)).toEqual(['2026-02-19T23:30:00.000Z']);
  });

  it('runs a rate every fixed interval after `from`, across a DST change', () => {
    // DST starts at 07:00Z on 2026-03-08 in New York; a 30-minute rate does not notice.
    expect(runs('rate(30 minutes)', 'America/New_York', '2026-03-08T06:45:00Z', 3)).toEqual([
      '2026-03-08T07:15:00.000Z',
      '2026-03-08T07:45:00.000Z',
      '2026-03-08T08:15:00.000Z',
    ]);
    expect(runs('rate(1 day)', 'UTC', '2026-01-01T12:00:00Z', 2)).toEqual([
      '2026-01-02T12:00:00.000Z',
      '2026-01-03T12:00:00.000Z',
    ]);
  });

  it('runs at(...) once, read in the time zone, and not at all once it has passed', () => {
    expect(runs('at(2026-07-07T15:55:00)', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual(['2026-07-07T15:55:00.000Z']);
    // 15:55 EDT = 19:55Z
    expect(runs('at(2026-07-07T15:55:00)', 'America/New_York', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-07-07T19:55:00.000Z',
    ]);
    // 02:30 does not exist on 2026-03-08 in New York: it moves forward by the gap, to 03:30 EDT = 07:30Z.
    expect(runs('at(2026-03-08T02:30:00)', 'America/New_York', '2026-03-01T00:00:00Z', 1)).toEqual([
      '2026-03-08T07:30:00.000Z',
    ]);
    expect(runs('at(2026-07-07T15:55:00)', 'UTC', '2026-07-07T15:55:00Z', 1)).toEqual([]);
  });

  it('returns runs strictly after `from` and none for count 0', () => {
    expect(runs('cron(0 4 ? * SUN *)', 'UTC', '2026-03-01T04:00:00Z', 1)).toEqual(['2026-03-08T04:00:00.000Z']);
    expect(runs('cron(0 4 ? * SUN *)', 'UTC', '2026-03-01T04:00:00Z', 0)).toEqual([]);
  });

  it('uses UTC when no time zone is given', () => {
    expect(iso(nextRunTimes('cron(0 4 ? * SUN *)', { from: new Date('2026-03-01T00:00:00Z'), count: 1 }))).toEqual([
      '2026-03-01T04:00:00.000Z',
    ]);
  });

  it('rejects an unknown time zone with a suggestion', () => {
    const call = (): Date[] =>
      nextRunTimes('cron(0 4 ? * SUN *)', { timeZone: 'S/EasternU', from: new Date(0), count: 1 });
    expect(call).toThrow(TimeZoneError);
    expect(call).toThrow(/did you mean "US\/Eastern"/);
  });

  it('rejects an offset on a rate, an offset out of range and a bad count', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    expect(() => nextRunTimes('rate(1 day)', { from, count: 1, scheduleOffset: 2 })).toThrow(
      /only with a cron schedule/,
    );
    expect(() => nextRunTimes('cron(0 4 ? * SUN *)', { from, count: 1, scheduleOffset: 7 })).toThrow(/from 1 to 6/);
    expect(() => nextRunTimes('cron(0 4 ? * SUN *)', { from, count: -1 })).toThrow(ScheduleError);
    expect(() => nextRunTimes('cron(0 4 ? * SUN *)', { from, count: 1.5 })).toThrow(/count 1.5/);
  });
});

describe('validateMaintenanceWindowSchedule', () => {
  it('accepts a valid cron window with offset, time zone, duration and cutoff', () => {
    expect(
      validateMaintenanceWindowSchedule({
        schedule: 'cron(30 23 ? * TUE#3 *)',
        timeZone: 'America/Los_Angeles',
        scheduleOffset: 2,
        duration: 4,
        cutoff: 1,
      }),
    ).toEqual([]);
  });

  it('reports every problem at once with the API parameter as path', () => {
    const issues = validateMaintenanceWindowSchedule({
      schedule: 'rate(7 days)',
      timeZone: 'S/EasternU',
      scheduleOffset: 9,
      duration: 3,
      cutoff: 3,
    });
    expect(issues.map((i) => i.path)).toEqual(['ScheduleTimezone', 'ScheduleOffset', 'ScheduleOffset', 'Cutoff']);
    expect(issues[0]).toMatchObject({ hint: 'did you mean "US/Eastern"?' });
    expect(issues[1]?.message).toContain('from 1 to 6, got 9');
    expect(issues[2]?.message).toContain('only with a cron schedule, not rate(...)');
    expect(issues[3]?.message).toContain('Cutoff (3 h) must be less than Duration (3 h)');
  });

  it('reports a bad schedule with its hint', () => {
    expect(validateMaintenanceWindowSchedule({ schedule: 'cron(0 4 * * SUN *)' })).toEqual([
      expect.objectContaining({ path: 'Schedule', hint: 'write ? in Day-of-month: cron(0 4 ? * SUN *)' }),
    ]);
  });

  it('reports a day that never occurs in the chosen months', () => {
    expect(validateMaintenanceWindowSchedule({ schedule: 'cron(0 0 31 APR,JUN ? *)' })).toEqual([
      expect.objectContaining({ path: 'Schedule', message: expect.stringContaining('never occurs in APR,JUN') }),
    ]);
    expect(validateMaintenanceWindowSchedule({ schedule: 'cron(0 0 29 FEB ? *)' })).toEqual([]);
  });

  it('checks Duration 1-24, Cutoff 0-23 and the Schedule length', () => {
    const paths = (input: Parameters<typeof validateMaintenanceWindowSchedule>[0]): string[] =>
      validateMaintenanceWindowSchedule(input).map((i) => i.path);
    expect(paths({ schedule: 'rate(1 day)', duration: 0 })).toEqual(['Duration']);
    expect(paths({ schedule: 'rate(1 day)', duration: 25 })).toEqual(['Duration']);
    expect(paths({ schedule: 'rate(1 day)', duration: 24, cutoff: 23 })).toEqual([]);
    expect(paths({ schedule: 'rate(1 day)', duration: 2, cutoff: 24 })).toEqual(['Cutoff']);
    expect(paths({ schedule: 'rate(1 day)', duration: 2, cutoff: -1 })).toEqual(['Cutoff']);
    expect(paths({ schedule: '' })).toEqual(['Schedule']);
    expect(paths({ schedule: `cron(0 4 ? * SUN *)${' '.repeat(240)}` })).toEqual(['Schedule']);
  });
});

describe('schedule properties', () => {
  const every = <T>(values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
  const minuteField = fc.oneof(
    fc.integer({ min: 0, max: 59 }).map((m) => ({ text: String(m), check: (v: number) => v === m })),
    every([5, 6, 10, 12, 15, 20, 30]).map((s) => ({ text: `0/${s}`, check: (v: number) => v % s === 0 })),
  );
  const hourField = fc.oneof(
    fc.integer({ min: 0, max: 23 }).map((h) => ({ text: String(h), check: (v: number) => v === h })),
    fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 23 }))
      .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)
      .map(([a, b]) => ({ text: `${a}-${b}`, check: (v: number) => v >= a && v <= b })),
    fc.constant({ text: '*', check: () => true }),
  );
  const monthField = fc.oneof(
    fc.constant({ text: '*', check: (_: number) => true }),
    fc
      .uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 })
      .map((ms) => ({ text: ms.join(','), check: (v: number) => ms.includes(v) })),
  );
  const daysIn = (d: Date): number => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  const dayFields = fc.oneof(
    fc.constant({ dom: '*', dow: '?', check: (_: Date) => true }),
    fc
      .integer({ min: 1, max: 28 })
      .map((n) => ({ dom: String(n), dow: '?', check: (d: Date) => d.getUTCDate() === n })),
    fc.constant({ dom: 'L', dow: '?', check: (d: Date) => d.getUTCDate() === daysIn(d) }),
    fc.integer({ min: 1, max: 28 }).map((n) => ({
      dom: `${n}W`,
      dow: '?',
      check: (d: Date) => d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && Math.abs(d.getUTCDate() - n) <= 2,
    })),
    fc
      .uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 })
      .map((ds) => ({ dom: '?', dow: ds.join(','), check: (d: Date) => ds.includes(d.getUTCDay() + 1) })),
    fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 4 })).map(([day, nth]) => ({
      dom: '?',
      dow: `${day}#${nth}`,
      check: (d: Date) => d.getUTCDay() + 1 === day && Math.ceil(d.getUTCDate() / 7) === nth,
    })),
    fc.integer({ min: 1, max: 7 }).map((day) => ({
      dom: '?',
      dow: `${day}L`,
      check: (d: Date) => d.getUTCDay() + 1 === day && d.getUTCDate() + 7 > daysIn(d),
    })),
  );

  it('parses generated valid crons; their runs increase strictly and match every field', () => {
    fc.assert(
      fc.property(
        minuteField,
        hourField,
        dayFields,
        monthField,
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (minute, hour, days, month, fromMs) => {
          const expression = `cron(${minute.text} ${hour.text} ${days.dom} ${month.text} ${days.dow} *)`;
          expect(() => parseSchedule(expression)).not.toThrow();
          const from = new Date(fromMs);
          const dates = nextRunTimes(expression, { timeZone: 'UTC', from, count: 6 });
          expect(dates.length).toBe(6);
          let previous = from.getTime();
          for (const date of dates) {
            expect(date.getTime()).toBeGreaterThan(previous);
            previous = date.getTime();
            expect(date.getUTCSeconds()).toBe(0);
            expect(minute.check(date.getUTCMinutes()), `${expression} minute ${date.toISOString()}`).toBe(true);
            expect(hour.check(date.getUTCHours()), `${expression} hour ${date.toISOString()}`).toBe(true);
            expect(month.check(date.getUTCMonth() + 1), `${expression} month ${date.toISOString()}`).toBe(true);
            expect(days.check(date), `${expression} day ${date.toISOString()}`).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives strictly increasing runs in zones with daylight saving', () => {
    fc.assert(
      fc.property(
        minuteField,
        hourField,
        every(['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'US/Eastern']),
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
        (minute, hour, zone, fromMs) => {
          const dates = nextRunTimes(`cron(${minute.text} ${hour.text} ? * * *)`, {
            timeZone: zone,
            from: new Date(fromMs),
            count: 30,
          });
          expect(dates.length).toBe(30);
          for (let i = 1; i < dates.length; i += 1) {
            expect(dates[i]!.getTime()).toBeGreaterThan(dates[i - 1]!.getTime());
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects random text with a ScheduleError and never crashes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseSchedule(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ScheduleError);
        }
        expect(() => validateMaintenanceWindowSchedule({ schedule: text })).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it('hands croner only patterns it accepts: any cron built from AWS tokens parses to runs or is rejected', () => {
    const token = every([
      '*',
      '?',
      'L',
      'W',
      '#',
      '0',
      '1',
      '5',
      '7',
      '12',
      '15',
      '31',
      '59',
      '60',
      '2199',
      '0/5',
      '*/10',
      '1-5',
      '5-1',
      'MON',
      'mon',
      'JAN',
      'SUN-SAT',
      'MON-FRI/2',
      '3#2',
      'THU#5',
      '6L',
      'FRIL',
      '15W',
      'LW',
      '1,15',
      ',',
      '-',
      '/',
      'abc',
      '2026',
      '2026-2030',
      '1970/10',
    ]);
    fc.assert(
      fc.property(fc.array(token, { minLength: 0, maxLength: 8 }), (tokens) => {
        const expression = `cron(${tokens.join(' ')})`;
        let accepted = false;
        try {
          parseSchedule(expression);
          accepted = true;
        } catch (error) {
          expect(error).toBeInstanceOf(ScheduleError);
        }
        if (accepted) {
          const dates = nextRunTimes(expression, {
            timeZone: 'Europe/Berlin',
            from: new Date('2026-01-01T00:00:00Z'),
            count: 3,
          });
          for (let i = 1; i < dates.length; i += 1) {
            expect(dates[i]!.getTime()).toBeGreaterThan(dates[i - 1]!.getTime());
          }
        }
      }),
      { numRuns: 1500 },
    );
  });
});
