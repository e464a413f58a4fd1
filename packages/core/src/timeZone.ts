import { Cron } from 'croner';
import { distance } from 'fastest-levenshtein';

/**
 * IANA time zones for maintenance-window schedules (CreateMaintenanceWindow `ScheduleTimezone`):
 * validation with a "did you mean" suggestion, and the two conversions between an instant and the
 * wall clock of a zone that the schedule code needs. Pure: the zone database is the one built into
 * the JavaScript runtime (ICU), no clock is read.
 */

/**
 * Names that the runtime accepts but `Intl.supportedValuesOf('timeZone')` does not list: the
 * backward-compatible links of the IANA database (file `backward`, e.g. `US/Eastern`, `GB`), the
 * `Etc/` zones, and current names that ICU still lists under an older spelling (ICU lists
 * `Asia/Calcutta`, not `Asia/Kolkata`). AWS accepts IANA names, links included, so suggestions
 * draw on these too. Only the names the runtime accepts are kept (see {@link knownTimeZones}).
 */
const EXTRA_ZONE_NAMES: readonly string[] = [
  // Etc and UTC spellings
  'UTC',
  'Etc/UTC',
  'Etc/GMT',
  'Etc/Universal',
  'Etc/Zulu',
  'GMT',
  'Universal',
  'Zulu',
  'Greenwich',
  ...Array.from({ length: 12 }, (_, i) => `Etc/GMT+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `Etc/GMT-${i + 1}`),
  // IANA `backward` links still in common use
  'US/Alaska',
  'US/Aleutian',
  'US/Arizona',
  'US/Central',
  'US/East-Indiana',
  'US/Eastern',
  'US/Hawaii',
  'US/Indiana-Starke',
  'US/Michigan',
  'US/Mountain',
  'US/Pacific',
  'US/Samoa',
  'Canada/Atlantic',
  'Canada/Central',
  'Canada/Eastern',
  'Canada/Mountain',
  'Canada/Newfoundland',
  'Canada/Pacific',
  'Canada/Saskatchewan',
  'Canada/Yukon',
  'Brazil/Acre',
  'Brazil/DeNoronha',
  'Brazil/East',
  'Brazil/West',
  'Chile/Continental',
  'Chile/EasterIsland',
  'Mexico/BajaNorte',
  'Mexico/BajaSur',
  'Mexico/General',
  'Australia/ACT',
  'Australia/LHI',
  'Australia/NSW',
  'Australia/North',
  'Australia/Queensland',
  'Australia/South',
  'Australia/Tasmania',
  'Australia/Victoria',
  'Australia/West',
  'GB',
  'GB-Eire',
  'Eire',
  'Japan',
  'ROK',
  'ROC',
  'PRC',
  'Singapore',
  'Hongkong',
  'Israel',
  'Iran',
  'Egypt',
  'Turkey',
  'Poland',
  'Portugal',
  'NZ',
  'NZ-CHAT',
  'Navajo',
  'Cuba',
  'Jamaica',
  'Iceland',
  'Libya',
  'W-SU',
  'EST5EDT',
  'CST6CDT',
  'MST7MDT',
  'PST8PDT',
  // current IANA names that ICU lists under their former spelling
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Ho_Chi_Minh',
  'Asia/Yangon',
  'Europe/Kyiv',
  'America/Nuuk',
  'Atlantic/Faroe',
  'Pacific/Kanton',
  'America/Argentina/Buenos_Aires',
  'America/Indiana/Indianapolis',
  'America/Kentucky/Louisville',
];

/** Whether the runtime's zone database accepts `zone` (it throws a RangeError otherwise). */
function runtimeAccepts(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

let knownZonesCache: readonly string[] | undefined;

/**
 * Every time zone name this module knows: the runtime's canonical list plus the documented extra
 * names it accepts, sorted. Computed once.
 */
export function knownTimeZones(): readonly string[] {
  if (knownZonesCache === undefined) {
    const names = new Set<string>(Intl.supportedValuesOf('timeZone'));
    for (const name of EXTRA_ZONE_NAMES) {
      if (runtimeAccepts(name)) names.add(name);
    }
    knownZonesCache = [...names].sort();
  }
  return knownZonesCache;
}

/** The result of {@link validateTimeZone}. */
export type TimeZoneCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly message: string; readonly suggestion?: string };

/**
 * The known zone name closest to `zone`: an exact match ignoring case, else a name whose last
 * part is `zone` ("Berlin" -> "Europe/Berlin"), else the nearest by Levenshtein distance (ignoring
 * case) when it is near enough to be a typo. Ties go to the alphabetically first name.
 */
export function suggestTimeZone(zone: string): string | undefined {
  const wanted = zone.trim().toLowerCase();
  if (wanted === '') return undefined;
  const known = knownTimeZones();
  const sameIgnoringCase = known.find((name) => name.toLowerCase() === wanted);
  if (sameIgnoringCase !== undefined) return sameIgnoringCase;
  const city = known.find((name) => name.toLowerCase().split('/').at(-1) === wanted.replaceAll(' ', '_'));
  if (city !== undefined) return city;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const d = distance(wanted, name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  // A typo, not a different name: at most a third of the input (and at least 2 edits) away.
  const allowed = Math.max(2, Math.floor(wanted.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/**
 * Checks a maintenance-window `ScheduleTimezone`: an IANA name (links such as `US/Eastern`
 * included) that the zone database knows, spelled with its exact case.
 *
 * @example
 * validateTimeZone('S/EasternU');
 * // { ok: false, message: 'Unknown time zone "S/EasternU"', suggestion: 'US/Eastern' }
 */
export function validateTimeZone(zone: string): TimeZoneCheck {
  if (zone.trim() === '') {
    return { ok: false, message: 'The time zone is empty: give an IANA name such as "America/New_York" or "UTC"' };
  }
  if (runtimeAccepts(zone)) {
    const known = knownTimeZones();
    if (known.includes(zone)) return { ok: true };
    const exact = known.find((name) => name.toLowerCase() === zone.toLowerCase());
    if (exact === undefined) return { ok: true };
    // The runtime ignores case; AWS and the IANA database do not.
    return {
      ok: false,
      message: `Time zone "${zone}" is spelled with the wrong case: IANA names are case-sensitive`,
      suggestion: exact,
    };
  }
  const suggestion = suggestTimeZone(zone);
  const base = `Unknown time zone "${zone}": use an IANA name such as "America/New_York" or "UTC"`;
  return suggestion === undefined
    ? { ok: false, message: base }
    : { ok: false, message: `Unknown time zone "${zone}": did you mean "${suggestion}"?`, suggestion };
}

/** A wall-clock reading: calendar date and time of day in some zone. */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock in `zone` at `instant`. `zone` must be valid (see {@link validateTimeZone}). */
export function wallClockAt(instant: Date, zone: string): WallClock {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  const parts = formatter.formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): number => {
    const found = parts.find((p) => p.type === type);
    return found === undefined ? 0 : Number(found.value);
  };
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

/** `2026-03-08T02:30:00` for a wall clock (years 1-9999). */
export function formatWallClock(clock: WallClock): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${String(clock.year).padStart(4, '0')}-${two(clock.month)}-${two(clock.day)}T${two(clock.hour)}:${two(clock.minute)}:${two(clock.second)}`;
}

/**
 * The instant at which the wall clock in `zone` reads `clock`. Resolution across daylight-saving
 * changes is croner's: a time that occurs twice resolves to its first occurrence; a time that does
 * not exist (spring forward) moves forward by the length of the gap (02:30 becomes 03:30).
 */
export function instantOfWallClock(clock: WallClock, zone: string): Date {
  const once = new Cron(formatWallClock(clock), { timezone: zone, paused: true });
  const instant = once.getOnce();
  once.stop();
  if (instant === null) {
    throw new RangeError(`No instant for ${formatWallClock(clock)} in ${zone}`);
  }
  return instant;
}
