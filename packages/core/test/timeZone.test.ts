import { describe, expect, it } from 'vitest';
import { validateTimeZone } from '../src/index.js';
import { formatWallClock, instantOfWallClock, knownTimeZones, suggestTimeZone, wallClockAt } from '../src/timeZone.js';

describe('validateTimeZone', () => {
  it.each([
    'America/New_York',
    'Europe/Berlin',
    'Asia/Tokyo',
    'UTC',
    'Etc/UTC',
    'Etc/GMT+5',
    'US/Eastern',
    'GB',
    'Asia/Kolkata',
  ])('accepts %s', (zone) => {
    expect(validateTimeZone(zone)).toEqual({ ok: true });
  });

  it('suggests US/Eastern for the blog\'s "S/EasternU"', () => {
    expect(validateTimeZone('S/EasternU')).toEqual({
      ok: false,
      message: 'Unknown time zone "S/EasternU": did you mean "US/Eastern"?',
      suggestion: 'US/Eastern',
    });
  });

  it.each([
    ['Europe/Berln', 'Europe/Berlin'],
    ['America/NewYork', 'America/New_York'],
    ['US/Estern', 'US/Eastern'],
    ['Berlin', 'Europe/Berlin'],
    ['new york', 'America/New_York'],
  ])('suggests a near name for %s', (zone, suggestion) => {
    expect(validateTimeZone(zone)).toMatchObject({ ok: false, suggestion });
  });

  it('rejects a name in the wrong case, which the runtime would accept but AWS does not', () => {
    expect(validateTimeZone('america/new_york')).toMatchObject({
      ok: false,
      message: expect.stringContaining('case-sensitive'),
      suggestion: 'America/New_York',
    });
  });

  it('gives no suggestion when nothing is close', () => {
    const check = validateTimeZone('Mars/Olympus_Mons_Base');
    expect(check).toMatchObject({ ok: false });
    expect(check).not.toHaveProperty('suggestion');
    expect(validateTimeZone('')).toMatchObject({ ok: false, message: expect.stringContaining('empty') });
  });

  it('knows the backward-compatible links that Intl.supportedValuesOf omits', () => {
    const known = knownTimeZones();
    expect(Intl.supportedValuesOf('timeZone')).not.toContain('US/Eastern');
    expect(known).toContain('US/Eastern');
    expect(known).toContain('UTC');
    expect(known).toContain('America/New_York');
    expect([...known].sort()).toEqual(known);
    expect(suggestTimeZone('')).toBeUndefined();
  });
});

describe('wall clock conversions', () => {
  it('reads the wall clock of an instant in a zone', () => {
    // 2026-03-08T07:30Z is 03:30 EDT, just after the change.
    expect(formatWallClock(wallClockAt(new Date('2026-03-08T07:30:00Z'), 'America/New_York'))).toBe(
      '2026-03-08T03:30:00',
    );
    expect(formatWallClock(wallClockAt(new Date('2026-03-08T06:59:59Z'), 'America/New_York'))).toBe(
      '2026-03-08T01:59:59',
    );
    // Midnight reads 00, not 24.
    expect(wallClockAt(new Date('2026-01-01T05:00:00Z'), 'America/New_York')).toMatchObject({ day: 1, hour: 0 });
  });

  it('finds the instant of a wall clock, taking the first of a repeated time', () => {
    const clock = { year: 2026, month: 11, day: 1, hour: 1, minute: 30, second: 0 };
    // 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    expect(instantOfWallClock(clock, 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z');
    expect(instantOfWallClock({ ...clock, month: 7 }, 'Europe/Berlin').toISOString()).toBe('2026-06-30T23:30:00.000Z');
  });
});
