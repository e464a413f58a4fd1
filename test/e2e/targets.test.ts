import { parsePayload, renderReportMarkdown, summarizeRun } from '@orgpatch/core';
import { startRun, trackRun } from '@orgpatch/orchestrator';
import type { WorldFile } from '@orgpatch/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { type E2e, startE2e } from './harness.js';

const MGMT = '100000000000';
const MEMBER = '111111111111';
const ROOT = 'r-tgt1';
const TASK = '7a0c1b2c-3d4e-4f50-8617-28394a5b6c7d';

/**
 * One member account. us-east-1: a tag-based group "WebServers" that also matched a volume (no
 * ResourceTypeFilters). eu-west-1: "WebServers" of instances only. us-east-2: instances but no tags.
 * Instances in us-east-1 and eu-west-1 carry Patch=true, as does the volume.
 */
function world(): WorldFile {
  const patch = { Patch: 'true' };
  return {
    organization: { id: 'o-targets0e2e', rootId: ROOT, managementAccountId: MGMT },
    startTime: '2026-11-01T03:00:00Z',
    regions: ['us-east-1', 'us-east-2', 'eu-west-1'],
    ous: [],
    accounts: [
      { id: MGMT, name: 'management', email: 'mgmt@example.com', parentId: ROOT },
      {
        id: MEMBER,
        name: 'member',
        email: 'member@example.com',
        parentId: ROOT,
        locations: {
          'us-east-1': {
            instances: [{ count: 3, groups: ['WebServers'], tags: patch, missingPatches: 4, patchMinutes: 10 }],
            resources: [{ type: 'AWS::EC2::Volume', groups: ['WebServers'], tags: patch }],
          },
          'eu-west-1': {
            instances: [{ count: 2, groups: ['WebServers'], tags: patch, missingPatches: 2, patchMinutes: 10 }],
          },
          'us-east-2': { instances: [{ count: 2, missingPatches: 1 }] },
        },
      },
    ],
  };
}

const payload = (targets: unknown) => ({
  TaskExecutionId: TASK,
  Document: { Parameters: { Operation: ['Install'], RebootOption: ['NoReboot'] } },
  Targets: targets,
  MaxConcurrency: '50%',
  Regions: ['us-east-1', 'us-east-2', 'eu-west-1'],
  Organization: { Accounts: [MEMBER] },
});

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

describe('targets that reach more than instances, against the sandbox', () => {
  it('never starts a group that holds a volume: the plan and the report say why', async () => {
    e2e = await startE2e(world());
    const request = parsePayload(payload([{ Key: 'ResourceGroup', Values: ['WebServers'] }]));
    const deps = e2e.deps(request);
    const { record } = await startRun(request, deps);
    const tracked = (await trackRun(record, deps)).record;

    const at = (region: string) => tracked.locations.find((l) => l.region === region);
    expect(at('us-east-1')?.decision).toMatchObject({ action: 'fail', code: 'group-has-non-instances' });
    expect(at('us-east-1')?.reason).toMatch(
      /^Resource group "WebServers" holds 3 instances and 1 other resource \(1 AWS::EC2::Volume\) in account 111111111111, us-east-1: /,
    );
    expect(at('us-east-1')?.reason).toContain('ResourceTypeFilters ["AWS::EC2::Instance"]');
    expect(at('eu-west-1')?.status).toBe('succeeded');
    expect(at('us-east-2')?.decision).toMatchObject({ action: 'skip', reason: 'groups-missing' });

    const calls = e2e.sandbox.calls;
    expect(calls.count({ operation: 'StartAutomationExecution', region: 'us-east-1' })).toBe(0);
    expect(calls.count({ operation: 'StartAutomationExecution', region: 'eu-west-1', ok: true })).toBe(1);
    const untouched = [...(e2e.sandbox.world.accounts.get(MEMBER)?.regions.get('us-east-1')?.instances.values() ?? [])];
    expect(untouched.every((i) => i.patchState.missingCount === 4 && i.patchState.operation === undefined)).toBe(true);
    // The default wave tolerates no failure: the run failed, and the report says which group and why.
    expect(tracked.status).toBe('failed');
    expect(renderReportMarkdown(tracked)).toContain('holds 3 instances and 1 other resource (1 AWS::EC2::Volume)');
  });

  it('patches the managed instances that carry the tag, skips the Region where none does, leaves the volume out', async () => {
    e2e = await startE2e(world());
    const request = parsePayload(payload([{ Key: 'tag:Patch', Values: ['true'] }]));
    const deps = e2e.deps(request);
    const { record } = await startRun(request, deps);
    expect(record.plan.counts).toMatchObject({ start: 2, skip: 1, fail: 0, instances: 5 });
    const skipped = record.locations.find((l) => l.region === 'us-east-2');
    expect(skipped?.decision).toEqual({
      action: 'skip',
      reason: 'no-instances',
      detail: 'no managed EC2 instance carries tag Patch=true here',
    });

    const tracked = (await trackRun(record, deps)).record;
    expect(tracked.status).toBe('succeeded');
    expect(summarizeRun(tracked).instances).toMatchObject({ total: 5, succeeded: 5 });
    expect(tracked.locations.flatMap((l) => l.executions.map((e) => e.group))).toEqual([
      'tag:Patch=true',
      'tag:Patch=true',
    ]);
    const calls = e2e.sandbox.calls;
    expect(calls.count({ operation: 'ListGroupResources' })).toBe(0);
    expect(calls.count({ operation: 'DescribeInstanceInformation', ok: true })).toBeGreaterThanOrEqual(3);
    for (const region of ['us-east-1', 'eu-west-1']) {
      const instances = [...(e2e.sandbox.world.accounts.get(MEMBER)?.regions.get(region)?.instances.values() ?? [])];
      expect(instances.every((i) => i.patchState.operation === 'Install' && i.patchState.missingCount === 0)).toBe(
        true,
      );
    }
    expect(renderReportMarkdown(tracked)).toContain('- Targets: tag:Patch=true');
  });
});
