import { addDays } from './calendar.js';
import { nextRunTimes } from './nextRunTimes.js';
import type { PatchTuesdaySetting } from './request.js';
import { TimeZoneError } from './scheduleErrors.js';
import { validateTimeZone, type WallClock, wallClockAt } from './timeZone.js';

/**
 * Patch Tuesday offsets: a run goes ahead only on the second Tuesday of a month plus `offsetDays`
 * days, read in the window's time zone. A maintenance window's own ScheduleOffset reaches 1 to 6
 * days after a cron match; a daily window with this gate reaches any day from Patch Tuesday to 27
 * days after it (the next Patch Tuesday is at least 28 days later, so each month has one go-day).
 */

/** Bounds of `PatchTuesday.OffsetDays`: 27 keeps one go-day per month (Patch Tuesdays are 28 or 35 days apart). */
export const PATCH_TUESDAY_OFFSET_BOUNDS = Object.freeze({ min: 0, max: 27 });

/** What {@link patchTuesdayDecision} found for an instant. */
export interface PatchTuesdayDecision {
  /** true when the instant falls on the go-day. */
  readonly go: boolean;
  /** The instant's calendar date in the zone, `yyyy-mm-dd`. */
  readonly date: string;
  /** The go-day on or after the date (the date itself when `go`), `yyyy-mm-dd`. */
  readonly goDay: string;
  /** One line a person reads: why the run goes ahead or not. */
  readonly reason: string;
}

const TUESDAY = 2;
const day = (c: Pick<WallClock, 'year' | 'month' | 'day'>): string =>
  `${String(c.year).padStart(4, '0')}-${String(c.month).padStart(2, '0')}-${String(c.day).padStart(2, '0')}`;
const weekdayOf = (c: WallClock): number => new Date(Date.UTC(c.year, c.month - 1, c.day)).getUTCDay();

/** The second Tuesday of the clock's month (the 8th to the 14th), at the clock's time of day. */
function secondTuesdayOf(clock: WallClock): WallClock {
  const eighth = { ...clock, day: 8 };
  return addDays(eighth, (TUESDAY - weekdayOf(eighth) + 7) % 7);
}

/** The same clock in the month `delta` months away (day 1, as only the month matters). */
function monthAway(clock: WallClock, delta: number): WallClock {
  const date = new Date(Date.UTC(clock.year, clock.month - 1 + delta, 1));
  return { ...clock, year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: 1 };
}

/**
 * The go-day on or after the clock's date: the previous month's (an offset may run into this
 * month), this month's or the next month's, whichever comes first.
 */
function nextGoDay(clock: WallClock, offsetDays: number): WallClock {
  const today = day(clock);
  const candidates = [-1, 0, 1].map((delta) => addDays(secondTuesdayOf(monthAway(clock, delta)), offsetDays));
  return candidates.find((c) => day(c) >= today) ?? (candidates[2] as WallClock);
}

function checkSpec(spec: PatchTuesdaySetting): void {
  const zone = validateTimeZone(spec.timeZone);
  if (!zone.ok) throw new TimeZoneError(spec.timeZone, zone.message, zone.suggestion);
  const { offsetDays } = spec;
  const { min, max } = PATCH_TUESDAY_OFFSET_BOUNDS;
  if (!Number.isInteger(offsetDays) || offsetDays < min || offsetDays > max) {
    throw new RangeError(`PatchTuesday.OffsetDays ${offsetDays} is not a whole number from ${min} to ${max}`);
  }
}

/**
 * Whether `instant` falls on the Patch Tuesday go-day: the second Tuesday of the month plus
 * `offsetDays` days, as a calendar date in `timeZone`. Pure: the instant is passed in.
 *
 * @throws {TimeZoneError} for an unknown time zone; RangeError for an offset outside 0-27.
 * @example
 * patchTuesdayDecision(new Date('2026-07-24T02:00:00Z'), { offsetDays: 10, timeZone: 'Europe/Berlin' });
 * // { go: true, date: '2026-07-24', goDay: '2026-07-24', reason: '2026-07-24 is Patch Tuesday (2026-07-14) + 10 days in Europe/Berlin' }
 */
export function patchTuesdayDecision(instant: Date, spec: PatchTuesdaySetting): PatchTuesdayDecision {
  checkSpec(spec);
  const clock = wallClockAt(instant, spec.timeZone);
  const goDay = nextGoDay(clock, spec.offsetDays);
  const tuesday = day(addDays(goDay, -spec.offsetDays));
  const date = day(clock);
  const rule = `Patch Tuesday + ${spec.offsetDays} day${spec.offsetDays === 1 ? '' : 's'} in ${spec.timeZone}`;
  return day(goDay) === date
    ? { go: true, date, goDay: date, reason: `${date} is ${rule} (Patch Tuesday ${tuesday})` }
    : {
        go: false,
        date,
        goDay: day(goDay),
        reason: `${date} is not the patch day: runs go ahead on ${rule}; the next is ${day(goDay)} (Patch Tuesday ${tuesday})`,
      };
}

/**
 * Options of {@link nextPatchTuesdayRunTimes}: {@link nextRunTimes}'s, plus the offset. No
 * ScheduleOffset: the Patch Tuesday offset replaces it.
 */
export interface PatchTuesdayRunOptions {
  readonly timeZone?: string;
  readonly from: Date;
  readonly count: number;
  /** Days after the second Tuesday of the month (0-27). */
  readonly offsetDays: number;
}

/** Months looked ahead for go times before giving up (a schedule may never run on a go-day). */
const HORIZON_MONTHS = 24;
const PAGE = 1000;

/**
 * The next `count` runs of a maintenance-window schedule that go ahead under a Patch Tuesday offset:
 * the schedule's runs ({@link nextRunTimes}, croner's calendar) kept to those on the go-day.
 * Looks up to two years ahead; fewer than `count` come back when the schedule does not run on
 * enough go-days in that time (e.g. a weekly window on a weekday the offset never lands on).
 *
 * @throws {ScheduleError} / {TimeZoneError} as {@link nextRunTimes}; RangeError for an offset outside 0-27.
 * @example
 * nextPatchTuesdayRunTimes('cron(0 4 ? * * *)', { timeZone: 'Europe/Berlin', from, count: 6, offsetDays: 10 });
 */
export function nextPatchTuesdayRunTimes(expression: string, options: PatchTuesdayRunOptions): Date[] {
  const timeZone = options.timeZone ?? 'UTC';
  const spec = { offsetDays: options.offsetDays, timeZone };
  checkSpec(spec);
  const horizon = options.from.getTime() + HORIZON_MONTHS * 31 * 86_400_000;
  const found: Date[] = [];
  let from = options.from;
  while (found.length < options.count) {
    const runs = nextRunTimes(expression, { timeZone, from, count: PAGE });
    for (const run of runs) {
      if (run.getTime() > horizon) return found;
      if (patchTuesdayDecision(run, spec).go) found.push(run);
      if (found.length === options.count) return found;
    }
    const last = runs.at(-1);
    if (runs.length < PAGE || last === undefined) return found;
    from = last;
  }
  return found;
}
