import {
  nextPatchTuesdayRunTimes,
  nextRunTimes,
  PATCH_TUESDAY_OFFSET_BOUNDS,
  TimeZoneError,
  validateTimeZone,
} from '@orgpatch/core';
import type { RegisterCommand } from '../command.js';
import { CliUsageError, EXIT } from '../exitCodes.js';
import { printJson, println } from '../io.js';

/** A wall-clock rendering of an instant in a zone: `Sun 2026-12-06 04:00 EST`. */
function formatInZone(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('weekday')} ${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${get('timeZoneName')}`;
}

function positiveInt(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliUsageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}".`);
  return n;
}

/** `orgpatch schedule "<expression>" --tz <zone> [--count N]`: the next run times of a maintenance-window schedule. */
export const registerSchedule: RegisterCommand = (program, ctx) => {
  program
    .command('schedule')
    .description(
      "Check a maintenance-window schedule (cron, rate or at) by AWS's rules and print its next run times in a time zone.",
    )
    .argument('<expression>', 'e.g. "cron(0 4 ? * SUN *)"')
    .option('--tz <zone>', 'IANA time zone of the window (ScheduleTimezone)', 'UTC')
    .option('--count <n>', 'how many run times', '5')
    .option('--offset <days>', 'ScheduleOffset in days (1-6, cron only)')
    .option(
      '--patch-tuesday-offset <days>',
      "list only the runs that go ahead under the payload's PatchTuesday.OffsetDays (0-27): the second Tuesday of the month plus this many days, in --tz",
    )
    .option('--from <iso>', 'list runs after this instant (default: now)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExit codes: 0 valid, 1 invalid expression or time zone, 2 usage error.')
    .action(
      async (
        expression: string,
        opts: {
          tz: string;
          count: string;
          offset?: string;
          patchTuesdayOffset?: string;
          from?: string;
          json?: boolean;
        },
      ) => {
        const { io, out } = ctx;
        const count = positiveInt(opts.count, '--count', 1, 1000);
        const offset = opts.offset === undefined ? undefined : positiveInt(opts.offset, '--offset', 1, 6);
        const from = opts.from ? new Date(opts.from) : new Date();
        if (Number.isNaN(from.getTime()))
          throw new CliUsageError(`--from must be an ISO date-time, got "${opts.from}".`);
        const zone = validateTimeZone(opts.tz);
        if (!zone.ok) throw new TimeZoneError(opts.tz, zone.message, zone.suggestion);
        const { min, max } = PATCH_TUESDAY_OFFSET_BOUNDS;
        const patchTuesday =
          opts.patchTuesdayOffset === undefined
            ? undefined
            : positiveInt(opts.patchTuesdayOffset, '--patch-tuesday-offset', min, max);
        if (patchTuesday !== undefined && offset !== undefined)
          throw new CliUsageError(
            "Use --offset (the window's ScheduleOffset) or --patch-tuesday-offset, not both: a Patch Tuesday run is timed by its offset alone.",
          );
        const times =
          patchTuesday === undefined
            ? nextRunTimes(expression, {
                timeZone: opts.tz,
                from,
                count,
                ...(offset ? { scheduleOffset: offset } : {}),
              })
            : nextPatchTuesdayRunTimes(expression, { timeZone: opts.tz, from, count, offsetDays: patchTuesday });
        if (opts.json) {
          printJson(io.stdout, {
            expression,
            timeZone: opts.tz,
            ...(patchTuesday === undefined ? {} : { patchTuesdayOffsetDays: patchTuesday }),
            runs: times.map((t) => ({ utc: t.toISOString(), local: formatInZone(t, opts.tz) })),
          });
        } else {
          const gate = patchTuesday === undefined ? '' : `, going ahead on Patch Tuesday + ${patchTuesday} days`;
          println(io.stdout, `${out.bold(expression)} in ${opts.tz}${gate}:`);
          for (const t of times) println(io.stdout, `  ${formatInZone(t, opts.tz)}   ${out.dim(t.toISOString())}`);
          if (times.length < count)
            println(io.stdout, out.dim(`(only ${times.length} run${times.length === 1 ? '' : 's'} left)`));
        }
        ctx.setExit(EXIT.ok);
      },
    );
};
