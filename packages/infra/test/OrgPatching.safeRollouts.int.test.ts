import { describe, expect, it } from 'vitest';
import { OrgPatchingConfigError } from '../src/index.js';
import { synth } from './fixtures.js';

describe('OrgPatching with patchTuesdayOffsetDays', () => {
  it("writes PatchTuesday into the task payload, read in the window's time zone", () => {
    const s = synth({ schedule: 'cron(0 4 ? * * *)', timeZone: 'Europe/Berlin', patchTuesdayOffsetDays: 10 });
    const tasks = Object.values(s.template.findResources('AWS::SSM::MaintenanceWindowTask'));
    const encoded = tasks[0]?.Properties.TaskInvocationParameters.MaintenanceWindowLambdaParameters.Payload as string;
    const raw = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Record<string, unknown>;
    expect(raw.PatchTuesday).toEqual({ OffsetDays: 10, TimeZone: 'Europe/Berlin' });
    expect(s.orgPatching.payload.request.patchTuesday).toEqual({ offsetDays: 10, timeZone: 'Europe/Berlin' });
    expect(s.template.findResources('AWS::SSM::MaintenanceWindow')).toSatisfy((windows: object) =>
      Object.values(windows).some((w) => w.Properties.ScheduleTimezone === 'Europe/Berlin'),
    );
  });

  it('leaves the payload without PatchTuesday by default', () => {
    const s = synth({});
    expect(s.orgPatching.payload.text).not.toContain('PatchTuesday');
  });

  it('refuses an offset beyond 27 at synth time, naming the prop', () => {
    expect(() => synth({ schedule: 'cron(0 4 ? * * *)', patchTuesdayOffsetDays: 30 })).toThrow(OrgPatchingConfigError);
    expect(() => synth({ schedule: 'cron(0 4 ? * * *)', patchTuesdayOffsetDays: 30 })).toThrow(
      /patchTuesdayOffsetDays/,
    );
  });
});

describe('OrgPatching with snapshot', () => {
  it('writes Snapshot into the task payload', () => {
    const s = synth({ snapshot: { before: true, retainDays: 14 } });
    expect(JSON.parse(s.orgPatching.payload.text).Snapshot).toEqual({ Before: true, RetainDays: 14 });
    expect(s.orgPatching.payload.request.snapshot).toEqual({ before: true, retainDays: 14 });
  });

  it('names the prop of a retention outside 1-365', () => {
    expect(() => synth({ snapshot: { retainDays: 0 } })).toThrow(/snapshot\.retainDays/);
  });
});
