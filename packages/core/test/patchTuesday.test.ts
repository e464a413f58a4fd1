import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildTaskPayload,
  nextPatchTuesdayRunTimes,
  parsePayload,
  patchTuesdayDecision,
  safeParsePayloadJson,
  TimeZoneError,
} from '../src/index.js';
import { toPayload } from '../src/payloadSerialize.js';

const blog = {
  Document: { Name: 'AWS-RunPatchBaseline' },
  Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
  Regions: ['us-east-1'],
};

describe('patchTuesdayDecision', () => {
  it('goes ahead on the second Tuesday plus the offset, read in the window time zone', () => {
    // 2026-07-14 is July's second Tuesday; +10 days is Friday 2026-07-24.
    const berlin = { offsetDays: 10, timeZone: 'Europe/Berlin' };
    expect(patchTuesdayDecision(new Date('2026-07-24T02:00:00Z'), berlin)).toMatchObject({
      go: true,
      date: '2026-07-24',
    });
    // 23:30 UTC on the 23rd is already the 24th in Berlin (UTC+2 in summer) ...
    expect(patchTuesdayDecision(new Date('2026-07-23T23:30:00Z'), berlin).go).toBe(true);
    // ... and 22:30 UTC on the 24th is the 25th there.
    const after = patchTuesdayDecision(new Date('2026-07-24T22:30:00Z'), berlin);
    expect(after).toMatchObject({ go: false, date: '2026-07-25', goDay: '2026-08-21' });
  });

  it('says why a day is not the patch day and names the next one', () => {
    const decision = patchTuesdayDecision(new Date('2026-07-20T04:00:00Z'), { offsetDays: 10, timeZone: 'UTC' });
    expect(decision.go).toBe(false);
    expect(decision.goDay).toBe('2026-07-24');
    expect(decision.reason).toBe(
      '2026-07-20 is not the patch day: runs go ahead on Patch Tuesday + 10 days in UTC; the next is 2026-07-24 (Patch Tuesday 2026-07-14)',
    );
    expect(decision.reason).not.toContain('\n');
  });

  it('finds the previous month’s go-day when a long offset runs into the next month', () => {
    // December 2026's Patch Tuesday is the 8th; +27 is 2027-01-04, before January's own (the 12th).
    const spec = { offsetDays: 27, timeZone: 'UTC' };
    expect(patchTuesdayDecision(new Date('2027-01-04T04:00:00Z'), spec).go).toBe(true);
    expect(patchTuesdayDecision(new Date('2027-01-03T04:00:00Z'), spec).goDay).toBe('2027-01-04');
    expect(patchTuesdayDecision(new Date('2027-01-05T04:00:00Z'), spec).goDay).toBe('2027-02-08');
  });

  it('has exactly one go-day in every 2026-2027 Patch Tuesday cycle, for any offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 27 }), fc.integer({ min: 0, max: 700 }), (offsetDays, dayIndex) => {
        const instant = new Date(Date.UTC(2026, 0, 1 + dayIndex, 12));
        const decision = patchTuesdayDecision(instant, { offsetDays, timeZone: 'UTC' });
        const tuesday = new Date(`${decision.goDay}T00:00:00Z`);
        tuesday.setUTCDate(tuesday.getUTCDate() - offsetDays);
        expect(tuesday.getUTCDay()).toBe(2);
        expect(tuesday.getUTCDate()).toBeGreaterThanOrEqual(8);
        expect(tuesday.getUTCDate()).toBeLessThanOrEqual(14);
        expect(decision.goDay >= decision.date).toBe(true);
        expect(decision.go).toBe(decision.goDay === decision.date);
      }),
    );
  });

  it('refuses an unknown time zone and an offset outside 0-27', () => {
    expect(() => patchTuesdayDecision(new Date(), { offsetDays: 1, timeZone: 'Mars/Olympus' })).toThrow(TimeZoneError);
    expect(() => patchTuesdayDecision(new Date(), { offsetDays: 28, timeZone: 'UTC' })).toThrow(/0 to 27/);
  });
});

describe('nextPatchTuesdayRunTimes', () => {
  it('lists the daily window runs that fall on Patch Tuesday + 10 in Berlin', () => {
    const runs = nextPatchTuesdayRunTimes('cron(0 4 ? * * *)', {
      timeZone: 'Europe/Berlin',
      from: new Date('2026-07-01T00:00:00Z'),
      count: 6,
      offsetDays: 10,
    });
    expect(runs.map((r) => r.toISOString())).toEqual([
      '2026-07-24T02:00:00.000Z',
      '2026-08-21T02:00:00.000Z',
      '2026-09-18T02:00:00.000Z',
      '2026-10-23T02:00:00.000Z', // still summer time on the 23rd (DST ends 2026-10-25)
      '2026-11-20T03:00:00.000Z',
      '2026-12-18T03:00:00.000Z',
    ]);
  });

  it('returns fewer when the schedule never runs on a go-day', () => {
    // Patch Tuesday + 1 is always a Wednesday: a Tuesday-only window never reaches it.
    const runs = nextPatchTuesdayRunTimes('cron(0 4 ? * TUE *)', {
      from: new Date('2026-07-01T00:00:00Z'),
      count: 3,
      offsetDays: 1,
    });
    expect(runs).toEqual([]);
  });
});

describe('PatchTuesday in the payload', () => {
  it('is optional: the blog payload means no gate', () => {
    expect(parsePayload(blog).patchTuesday).toBeUndefined();
  });

  it('normalizes OffsetDays and TimeZone (UTC by default) and serializes back', () => {
    const request = parsePayload({ ...blog, PatchTuesday: { OffsetDays: 10, TimeZone: 'Europe/Berlin' } });
    expect(request.patchTuesday).toEqual({ offsetDays: 10, timeZone: 'Europe/Berlin' });
    expect(parsePayload(toPayload(request))).toEqual(request);
    expect(parsePayload({ ...blog, PatchTuesday: { OffsetDays: 0 } }).patchTuesday).toEqual({
      offsetDays: 0,
      timeZone: 'UTC',
    });
  });

  it('reports an offset out of range, an unknown zone and a misspelled key at their paths', () => {
    const result = safeParsePayloadJson(
      JSON.stringify({ ...blog, PatchTuesday: { OffsetDays: 28, TimeZone: 'Europe/Berlim', Offset: 1 } }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.issues.map((i) => i.path);
    expect(paths).toContain('PatchTuesday.OffsetDays');
    expect(paths).toContain('PatchTuesday.TimeZone');
    expect(paths).toContain('PatchTuesday.Offset');
    expect(result.issues.find((i) => i.path === 'PatchTuesday.OffsetDays')?.message).toMatch(/0 to 27/);
  });

  it('is written into a maintenance-window task payload', () => {
    const result = buildTaskPayload({
      targetOus: ['r-ab12'],
      regions: ['us-east-1'],
      resourceGroups: ['WebServers'],
      patchTuesday: { offsetDays: 3, timeZone: 'US/Eastern' },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(JSON.parse(result.text).PatchTuesday).toEqual({ OffsetDays: 3, TimeZone: 'US/Eastern' });
    expect(result.request.patchTuesday).toEqual({ offsetDays: 3, timeZone: 'US/Eastern' });
  });
});
