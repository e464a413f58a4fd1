import { describe, expect, it } from 'vitest';
import type { OrgPatchingProps } from '../src/OrgPatching.js';
import { checkProps, type PropContext } from '../src/propRules.js';

const props: OrgPatchingProps = { organizationId: 'o-exampleorg1', targetOus: ['ou-ab12-devdev01'] };
const context: PropContext = {
  regions: ['us-east-1'],
  window: { schedule: 'cron(0 4 ? * SUN *)', timeZone: 'US/Eastern', duration: 5, cutoff: 1 },
};

/** The prop and message of the rule `checkProps` reports, or undefined when every rule holds. */
function brokenRule(given: Partial<OrgPatchingProps>, ctx: Partial<PropContext> = {}) {
  try {
    checkProps({ ...props, ...given }, { ...context, ...ctx });
    return undefined;
  } catch (error) {
    const { field, message } = error as { field: string; message: string };
    return { field, message };
  }
}

describe('checkProps', () => {
  it('accepts props that keep every rule', () => {
    expect(brokenRule({})).toBeUndefined();
  });

  it('reports the first rule broken, in the order the rules are listed', () => {
    expect(brokenRule({ organizationId: 'x', targetOus: [] })?.field).toBe('organizationId');
    expect(brokenRule({ targetOus: [] }, { regions: undefined })?.field).toBe('targetOus');
  });

  it('names a list item by its index', () => {
    expect(brokenRule({ notificationEmails: ['ops@example.com', 'nope'] })).toEqual({
      field: 'notificationEmails[1]',
      message: 'OrgPatching.notificationEmails[1]: "nope" is not an email address.',
    });
  });

  it("takes the window's schedule from the context, with the defaults the constructor applied", () => {
    expect(brokenRule({}, { window: { ...context.window, cutoff: 5 } })?.field).toBe('cutoff');
  });
});

describe('checkProps: patchTuesdayOffsetDays', () => {
  const daily = { window: { ...context.window, schedule: 'cron(0 4 ? * * *)' } };

  it('accepts 0 to 27 days with a daily window', () => {
    expect(brokenRule({ patchTuesdayOffsetDays: 0 }, daily)).toBeUndefined();
    expect(brokenRule({ patchTuesdayOffsetDays: 27 }, daily)).toBeUndefined();
  });

  it('names the prop for an offset outside 0-27 or not whole', () => {
    expect(brokenRule({ patchTuesdayOffsetDays: 28 }, daily)?.message).toContain(
      'OrgPatching.patchTuesdayOffsetDays: must be a whole number of days from 0 to 27',
    );
    expect(brokenRule({ patchTuesdayOffsetDays: 1.5 }, daily)?.field).toBe('patchTuesdayOffsetDays');
  });

  it('refuses it beside scheduleOffset', () => {
    expect(brokenRule({ patchTuesdayOffsetDays: 3, scheduleOffset: 2 }, daily)?.message).toContain('not both');
  });

  it('refuses a schedule that never runs on the go-day', () => {
    // Patch Tuesday + 1 is a Wednesday; the default window runs on Sundays.
    expect(brokenRule({ patchTuesdayOffsetDays: 1 })?.message).toContain('never runs on Patch Tuesday + 1 days');
    // + 5 is a Sunday: the weekly Sunday window reaches it.
    expect(brokenRule({ patchTuesdayOffsetDays: 5 })).toBeUndefined();
  });
});
