import { parsePayload } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { startRun } from '../src/run/startRun.js';
import { account, FakeAutomation, FakeDirectory, FakeInventory, fakeDeps, key } from '../src/testing.js';

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

const request = parsePayload({
  Targets: [{ Key: 'ResourceGroup', Values: ['WebServers', 'AppServers'] }],
  Regions: REGIONS,
  Organization: { TargetOus: ['r-ab12'] },
  Concurrency: { Global: 3, PerAccount: 1 },
});

function world(automation: FakeAutomation) {
  return fakeDeps({
    directory: new FakeDirectory({
      organizationId: 'o-abcdefghij',
      managementAccountId: '999999999999',
      callerAccountId: '999999999999',
      partition: 'aws',
      accounts: ACCOUNTS.map((id) => account(id, ['r-ab12'])),
    }),
    // Both groups hold an instance everywhere: every location has two starts.
    inventory: new FakeInventory((l) => ({
      kind: 'groups',
      groups: ['WebServers', 'AppServers'].map((name) => ({
        name,
        exists: true,
        instanceIds: [`i-${l.accountId.slice(0, 4)}${l.region.length}${name.length}0000000`.slice(0, 19)],
      })),
    })),
    automation,
  });
}

describe('starting a wave', () => {
  it("starts a location's second group only after every location of its account has started its first", async () => {
    const automation = new FakeAutomation();
    const deps = world(automation);
    const { record } = await startRun(request, deps);
    expect(record.locations.every((l) => l.executions.length === 2)).toBe(true);
    const calls = automation.startCalls.map((c) => ({ account: c.location.accountId, group: c.group }));
    expect(calls).toHaveLength(18);
    for (const id of ACCOUNTS) {
      const mine = calls.filter((c) => c.account === id).map((c) => c.group);
      // Three Regions' first groups, then their second ones: never two starts of a location in a row.
      expect(mine, id).toEqual(['WebServers', 'WebServers', 'WebServers', 'AppServers', 'AppServers', 'AppServers']);
    }
  });

  it("stops a location's next group when its first was refused for good, and starts every other location's", async () => {
    const automation = new FakeAutomation();
    const refused = { accountId: '222222222222', region: 'eu-west-1' };
    automation.startErrors.set(
      key(refused),
      Object.assign(new Error('Document OrgPatch-RunPatchBaseline is not shared'), { name: 'InvalidDocument' }),
    );
    const deps = world(automation);
    const { record } = await startRun(request, deps);
    const calls = automation.startCalls.filter((c) => key(c.location) === key(refused));
    expect(calls.map((c) => c.group)).toEqual(['WebServers']);
    const failed = record.locations.find((l) => key(l) === key(refused));
    expect(failed?.status).toBe('failed');
    expect(record.locations.filter((l) => key(l) !== key(refused)).every((l) => l.executions.length === 2)).toBe(true);
  });
});
