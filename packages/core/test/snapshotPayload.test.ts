import { describe, expect, it } from 'vitest';
import { buildTaskPayload, parsePayload, safeParsePayloadJson } from '../src/index.js';
import { toPayload } from '../src/payloadSerialize.js';

const org = {
  Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
  Regions: ['us-east-1'],
  Organization: { TargetOus: ['r-ab12'] },
};

describe('Snapshot in the payload', () => {
  it('is optional and absent from the blog payload', () => {
    expect(
      parsePayload({ ...org, Document: { Name: 'AWS-RunPatchBaseline' }, Organization: undefined }).snapshot,
    ).toBeUndefined();
    expect(parsePayload(org).snapshot).toBeUndefined();
  });

  it('takes snapshots before patching, kept 7 days, unless told otherwise; and serializes back', () => {
    expect(parsePayload({ ...org, Snapshot: {} }).snapshot).toEqual({ before: true, retainDays: 7 });
    const request = parsePayload({ ...org, Snapshot: { Before: true, RetainDays: 30 } });
    expect(request.snapshot).toEqual({ before: true, retainDays: 30 });
    expect(parsePayload(toPayload(request))).toEqual(request);
  });

  it('reports RetainDays out of range and another document at their paths', () => {
    const result = safeParsePayloadJson(
      JSON.stringify({ ...org, Document: { Name: 'CustomAutomationDocument' }, Snapshot: { RetainDays: 0 } }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual(['Snapshot', 'Snapshot.RetainDays']);
    expect(result.issues.find((i) => i.path === 'Snapshot.RetainDays')?.message).toMatch(/from 1 to 365/);
  });

  it('is written into a maintenance-window task payload', () => {
    const result = buildTaskPayload({
      targetOus: ['r-ab12'],
      regions: ['us-east-1'],
      resourceGroups: ['WebServers'],
      snapshot: { before: true, retainDays: 14 },
    });
    expect(result.ok && result.request.snapshot).toEqual({ before: true, retainDays: 14 });
  });
});
