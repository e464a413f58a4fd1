import { clientToken, type OrganizationSnapshot, parsePayload } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { planRun } from '../src/run/planRun.js';
import { startRun } from '../src/run/startRun.js';
import { account, FakeDirectory, FakeInventory, fakeDeps, groups } from '../src/testing.js';

const A = '111111111111';
const TASK = '11111111-2222-4333-8444-555555555555';

const snapshot: OrganizationSnapshot = {
  organizationId: 'o-abcdefghij',
  managementAccountId: '999999999999',
  callerAccountId: '999999999999',
  partition: 'aws',
  accounts: [account(A, ['r-ab12'])],
};

const payload = (targets: unknown) =>
  parsePayload({
    TaskExecutionId: TASK,
    Targets: targets,
    Regions: ['us-east-1', 'eu-west-1'],
    Organization: { Accounts: [A] },
  });

describe('a tag target through the orchestration', () => {
  it('plans with the tag inventory, skips the Region without tagged nodes, and starts with the tag target', async () => {
    const request = payload([{ Key: 'tag:Patch', Values: ['true'] }]);
    const inventory = new FakeInventory((l) =>
      l.region === 'us-east-1' ? groups('tag:Patch=true', 'i-0000000000000001') : groups('tag:Patch=true'),
    );
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory, tagInventory: inventory });
    const { record } = await startRun(request, deps);
    expect(record.locations.map((l) => [l.region, l.status])).toEqual([
      ['us-east-1', 'started'],
      ['eu-west-1', 'skipped'],
    ]);
    expect(deps.automation.startCalls).toHaveLength(1);
    expect(deps.automation.startCalls[0]).toMatchObject({
      location: { accountId: A, region: 'us-east-1' },
      group: 'tag:Patch=true',
      target: { key: 'tag:Patch', values: ['true'] },
      clientToken: clientToken(record.idempotencyKey, A, 'us-east-1', 'tag:Patch=true'),
    });
  });

  it('refuses to plan a tag target without a tag inventory rather than read groups', async () => {
    const request = payload([{ Key: 'tag:Patch', Values: ['true'] }]);
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: new FakeInventory(() => groups('x')) });
    await expect(planRun(request, deps)).rejects.toThrow(/no tag inventory/);
  });
});

describe('a resource group that holds other resources', () => {
  it('is never started: the location fails with group-has-non-instances', async () => {
    const request = payload([{ Key: 'ResourceGroup', Values: ['WebServers'] }]);
    const inventory = new FakeInventory(() => ({
      kind: 'groups',
      groups: [
        {
          name: 'WebServers',
          exists: true,
          instanceIds: ['i-0000000000000001'],
          otherMembers: { 'AWS::EC2::Volume': 1 },
        },
      ],
    }));
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory });
    const { record } = await startRun(request, deps);
    expect(deps.automation.startCalls).toEqual([]);
    expect(record.locations.map((l) => [l.status, l.error?.code])).toEqual([
      ['failed', 'group-has-non-instances'],
      ['failed', 'group-has-non-instances'],
    ]);
  });

  it('starts a group of instances with a ResourceGroup target, as before', async () => {
    const request = payload([{ Key: 'ResourceGroup', Values: ['WebServers'] }]);
    const deps = fakeDeps({
      directory: new FakeDirectory(snapshot),
      inventory: new FakeInventory(() => groups('WebServers', 'i-0000000000000001')),
    });
    await startRun(request, deps);
    expect(deps.automation.startCalls.map((c) => c.target)).toEqual([
      { key: 'ResourceGroup', values: ['WebServers'] },
      { key: 'ResourceGroup', values: ['WebServers'] },
    ]);
  });
});
