import { clientToken, type OrganizationSnapshot, parsePayload, type RunRecord } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { discoveryScope, planRun } from '../src/run/planRun.js';
import { startRun } from '../src/run/startRun.js';
import { trackRun } from '../src/run/trackRun.js';
import {
  account,
  FakeAutomation,
  FakeDirectory,
  FakeInventory,
  fakeDeps,
  groups,
  key,
  MemoryRunStore,
} from '../src/testing.js';

const DEV = 'ou-ab12-dev00001';
const PROD = 'ou-ab12-prod0001';
const TASK = '11111111-2222-4333-8444-555555555555';

function orgPayload(extra: Record<string, unknown> = {}, org: Record<string, unknown> = {}) {
  return parsePayload({
    TaskExecutionId: TASK,
    Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
    Regions: ['us-east-1', 'eu-west-1'],
    Organization: {
      Waves: [
        { Name: 'dev', TargetOus: [DEV], ErrorThreshold: '0' },
        { Name: 'prod', TargetOus: [PROD], ErrorThreshold: '0' },
      ],
      ...org,
    },
    Concurrency: { Global: 3, PerAccount: 1 },
    ...extra,
  });
}

const snapshot: OrganizationSnapshot = {
  organizationId: 'o-abcdefghij',
  managementAccountId: '999999999999',
  callerAccountId: '999999999999',
  partition: 'aws',
  accounts: [
    account('111111111111', ['r-ab12', DEV]),
    account('222222222222', ['r-ab12', DEV]),
    account('333333333333', ['r-ab12', PROD]),
    account('444444444444', ['r-ab12', PROD]),
    account('555555555555', ['r-ab12', PROD], 'SUSPENDED'),
    account('999999999999', ['r-ab12']),
  ],
};

/** Every active location has WebServers with one instance, except eu-west-1 of 222... (empty). */
function inventory() {
  return new FakeInventory((l) =>
    l.accountId === '222222222222' && l.region === 'eu-west-1'
      ? groups('WebServers')
      : groups('WebServers', `i-${l.accountId.slice(0, 8)}${l.region === 'us-east-1' ? '01' : '02'}`),
  );
}

describe('discoveryScope', () => {
  it('asks for the target OUs and accounts together with those the waves name', () => {
    const request = orgPayload({}, { TargetOus: ['ou-ab12-other001'], Accounts: ['123456789012'] });
    expect(discoveryScope(request)).toEqual({ ouIds: ['ou-ab12-other001', DEV, PROD], accountIds: ['123456789012'] });
  });

  it('asks for nothing without an Organization part: the caller account only, as in the blog', () => {
    const request = parsePayload({
      Document: {
        Name: 'CustomAutomationDocument',
        Parameters: { AutomationAssumeRole: ['arn:aws:iam::111122223333:role/AutomationRole'], Operation: ['Scan'] },
      },
      Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
      Regions: ['us-east-2'],
    });
    expect(discoveryScope(request)).toEqual({ ouIds: [], accountIds: [] });
  });
});

describe('planRun', () => {
  it('observes every location of the active in-scope accounts once and keeps within the limits', async () => {
    const inv = inventory();
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inv });
    const { plan } = await planRun(orgPayload(), deps);
    // 4 active accounts in scope x 2 Regions; suspended and management accounts are not inspected.
    expect(inv.calls.map(key).sort()).toEqual(
      ['111111111111', '222222222222', '333333333333', '444444444444'].flatMap((a) => [
        `${a}/eu-west-1`,
        `${a}/us-east-1`,
      ]),
    );
    expect(inv.maxInFlight).toBeLessThanOrEqual(3);
    expect(inv.maxInFlightPerAccount).toBe(1);
    expect(plan.counts.start).toBe(7);
    const skipped = plan.locations
      .filter((l) => l.decision.action === 'skip')
      .map((l) => `${l.accountId}/${l.region}:${l.decision.action === 'skip' ? l.decision.reason : ''}`);
    expect(skipped).toContain('222222222222/eu-west-1:no-instances');
    expect(skipped).toContain('555555555555/us-east-1:account-suspended');
    expect(skipped).toContain('999999999999/us-east-1:management-account-not-included');
  });

  it('turns an inventory reader that throws into a failed location instead of failing the plan', async () => {
    const inv = new FakeInventory(() => groups('WebServers', 'i-1'));
    inv.observe = async () => {
      throw new Error('boom');
    };
    const { plan } = await planRun(orgPayload(), fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inv }));
    expect(plan.counts.start).toBe(0);
    expect(plan.locations.filter((l) => l.decision.action === 'fail')).toHaveLength(8);
  });
});

describe('startRun', () => {
  it('records a dry run and starts nothing', async () => {
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory() });
    const { record } = await startRun(orgPayload({ DryRun: true }), deps);
    expect(deps.automation.startCalls).toHaveLength(0);
    expect(record.status).toBe('planned');
    expect(record.dryRun).toBe(true);
    expect((await deps.store.get(record.runId))?.runId).toBe(record.runId);
  });

  it('starts the first wave only, with one SnapshotId, the member automation role and deterministic ClientTokens', async () => {
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory() });
    const { record, resumed } = await startRun(orgPayload(), deps);
    expect(resumed).toBe(false);
    expect(record.runId).toBe(`mw-${TASK}`);
    const calls = deps.automation.startCalls;
    // dev: 111 in both Regions, 222 in us-east-1 only (eu-west-1 is empty).
    expect(calls.map((c) => key(c.location)).sort()).toEqual([
      '111111111111/eu-west-1',
      '111111111111/us-east-1',
      '222222222222/us-east-1',
    ]);
    for (const c of calls) {
      expect(c.clientToken).toBe(clientToken(TASK, c.location.accountId, c.location.region, 'WebServers'));
      expect(c.parameters.AutomationAssumeRole).toEqual([
        `arn:aws:iam::${c.location.accountId}:role/OrgPatchAutomationRole`,
      ]);
      expect(c.parameters.SnapshotId).toEqual([record.snapshotId]);
      expect(c.parameters.Operation).toEqual(['Scan']);
      expect(c.group).toBe('WebServers');
      expect(c.documentName).toBe('OrgPatch-RunPatchBaseline');
    }
    expect(record.waves.map((w) => w.status)).toEqual(['running', 'pending', 'pending']);
    expect(record.status).toBe('running');
  });

  it('fills an AutomationAssumeRole template with each account id and the partition', async () => {
    const request = orgPayload({
      Document: { Parameters: { AutomationAssumeRole: ['arn:{{Partition}}:iam::{{AccountId}}:role/MyAutomation'] } },
    });
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory() });
    await startRun(request, deps);
    expect(deps.automation.startCalls[0]?.parameters.AutomationAssumeRole).toEqual([
      'arn:aws:iam::111111111111:role/MyAutomation',
    ]);
  });

  it('started twice for the same task execution, resumes the stored run and starts nothing new', async () => {
    const store = new MemoryRunStore();
    const automation = new FakeAutomation();
    const first = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory(), automation, store });
    const a = await startRun(orgPayload(), first);
    const directory = new FakeDirectory(snapshot);
    const second = fakeDeps({ directory, inventory: inventory(), automation, store });
    const b = await startRun(orgPayload(), second);
    expect(b.resumed).toBe(true);
    expect(b.record.runId).toBe(a.record.runId);
    expect(directory.scopes).toHaveLength(0);
    expect(automation.startCalls).toHaveLength(3);
    expect(automation.started).toBe(3);
  });

  it('resumes a run whose starts were cut short, with the same ClientTokens, so nothing runs twice', async () => {
    const store = new MemoryRunStore();
    const automation = new FakeAutomation();
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory(), automation, store });
    const { record } = await startRun(orgPayload(), deps);
    // Simulate a crash after the starts but before the record was written: the stored record still says planned.
    const crashed: RunRecord = {
      ...record,
      locations: record.locations.map((l) =>
        l.status === 'started' ? { ...l, status: 'planned', executions: [] } : l,
      ),
    };
    await store.put(crashed);
    const again = await startRun(
      orgPayload(),
      fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory(), automation, store }),
    );
    expect(again.resumed).toBe(true);
    expect(automation.startCalls).toHaveLength(6);
    expect(automation.started).toBe(3);
    expect(
      again.record.locations
        .filter((l) => l.status === 'started')
        .map((l) => l.executions[0]?.executionId)
        .sort(),
    ).toEqual(
      record.locations
        .filter((l) => l.status === 'started')
        .map((l) => l.executions[0]?.executionId)
        .sort(),
    );
  });

  it('records a start that AWS refused as a failed location with its code', async () => {
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory() });
    deps.automation.startErrors.set(
      '111111111111/us-east-1',
      Object.assign(new Error('Document not found'), { name: 'AutomationDefinitionNotFoundException' }),
    );
    const { record } = await startRun(orgPayload(), deps);
    const failed = record.locations.find((l) => l.accountId === '111111111111' && l.region === 'us-east-1');
    expect(failed?.status).toBe('failed');
    expect(failed?.error?.code).toBe('AutomationDefinitionNotFoundException');
  });
});

describe('trackRun', () => {
  it('runs the waves in order, reads patch states and writes the four reports', async () => {
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory() });
    const { record } = await startRun(orgPayload(), deps);
    const tracked = await trackRun(record.runId, deps);
    expect(tracked.finished).toBe(true);
    expect(tracked.record.status).toBe('succeeded');
    expect(tracked.record.waves.map((w) => w.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // prod started only after dev ended: its first start comes after dev's last describe.
    const prodFirst = deps.automation.startCalls.findIndex((c) => c.location.accountId === '333333333333');
    expect(prodFirst).toBe(3);
    expect(deps.patchStates.calls).toHaveLength(7);
    const instance = tracked.record.locations.find((l) => l.accountId === '111111111111' && l.region === 'us-east-1')
      ?.executions[0]?.instances[0];
    expect(instance?.status).toBe('Success');
    expect(instance?.patch?.installedCount).toBe(10);
    expect([...deps.store.artifacts.keys()].sort()).toEqual(
      ['report.csv', 'report.html', 'report.json', 'report.md'].map((n) => `${record.runId}/${n}`),
    );
    expect((await deps.store.get(record.runId))?.status).toBe('succeeded');
  });

  it('stops at a failing first wave: the second is halted, not started, and the record says why', async () => {
    const automation = new FakeAutomation((l) =>
      l.accountId === '111111111111' && l.region === 'eu-west-1' ? 'Failed' : 'Success',
    );
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory(), automation });
    const { record } = await startRun(orgPayload(), deps);
    const tracked = await trackRun(record, deps);
    expect(tracked.record.status).toBe('halted');
    expect(tracked.record.waves.map((w) => w.status)).toEqual(['failed', 'halted', 'halted']);
    expect(tracked.record.waves[1]?.reason).toMatch(/Wave "dev" had 1 failed location of 3/);
    expect(automation.startCalls.some((c) => c.location.accountId === '333333333333')).toBe(false);
    const prod = tracked.record.locations.filter((l) => l.wave === 'prod' && l.decision.action === 'start');
    expect(prod.every((l) => l.status === 'halted')).toBe(true);
  });

  it('halts the remaining waves when the organization-wide error budget is spent', async () => {
    const request = orgPayload(
      {},
      {
        Waves: [
          { Name: 'dev', TargetOus: [DEV], ErrorThreshold: '100%' },
          { Name: 'prod', TargetOus: [PROD], ErrorThreshold: '100%' },
        ],
        ErrorBudget: '0',
      },
    );
    const automation = new FakeAutomation((l) => (l.accountId === '222222222222' ? 'Failed' : 'Success'));
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory(), automation });
    const { record } = await startRun(request, deps);
    const tracked = await trackRun(record, deps);
    expect(tracked.record.waves[1]?.status).toBe('halted');
    expect(tracked.record.waves[1]?.reason).toMatch(/error budget "0"/);
  });

  it('one round at a time (the scheduled tracker) polls each running execution once per round', async () => {
    const automation = new FakeAutomation(undefined, undefined, 3);
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory(), automation });
    const { record } = await startRun(orgPayload(), deps);
    const round1 = await trackRun(record.runId, deps, { until: 'round' });
    expect(round1.finished).toBe(false);
    expect(automation.describeCalls).toHaveLength(3);
    const round2 = await trackRun(record.runId, deps, { until: 'round' });
    expect(round2.finished).toBe(false);
    expect(automation.describeCalls).toHaveLength(6);
    expect(deps.sleeps).toEqual([]);
  });

  it('backs off while nothing changes and polls again at the start after news', async () => {
    const automation = new FakeAutomation(undefined, undefined, 4);
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory(), automation });
    const { record } = await startRun(orgPayload(), deps);
    await trackRun(record, deps, { backoff: { initialMs: 100, maxMs: 350, factor: 2 } });
    // Pending -> InProgress is news (100); two quiet rounds (200, 350 capped); Success is news again (100).
    expect(deps.sleeps.slice(0, 4)).toEqual([100, 200, 350, 100]);
    expect(Math.max(...deps.sleeps)).toBeLessThanOrEqual(350);
  });

  it('keeps polling through describe errors: an unreadable execution is Unknown, never Failed without AWS saying so', async () => {
    const automation = new FakeAutomation();
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory(), automation });
    const { record } = await startRun(orgPayload(), deps);
    automation.describeFailures = 2;
    const ok = await trackRun(record, deps);
    expect(ok.record.status).toBe('succeeded');

    const automation2 = new FakeAutomation();
    const deps2 = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory(), automation: automation2 });
    const started = await startRun(orgPayload(), deps2);
    automation2.describeFailures = 1_000;
    const unread = await trackRun(started.record, deps2, { maxPolls: 6 });
    expect(unread.finished).toBe(false);
    expect(unread.record.status).toBe('running');
    const executions = unread.record.locations.flatMap((l) => l.executions);
    expect(executions.length).toBeGreaterThan(0);
    for (const e of executions) {
      expect(e.status).toBe('Unknown');
      expect(e.readError?.code).toBe('ThrottlingException');
      expect(e.readError?.count).toBe(6);
    }
    expect(unread.record.locations.some((l) => l.status === 'failed')).toBe(false);
    // Reads work again: the same executions are followed to their real end.
    automation2.describeFailures = 0;
    const resumed = await trackRun(unread.record.runId, deps2);
    expect(resumed.record.status).toBe('succeeded');
    expect(resumed.record.locations.flatMap((l) => l.executions).every((e) => e.readError === undefined)).toBe(true);
  });

  it('stops after maxPolls rounds and says the run is not finished', async () => {
    const automation = new FakeAutomation(undefined, undefined, 100);
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: inventory(), automation });
    const { record } = await startRun(orgPayload(), deps);
    const tracked = await trackRun(record, deps, { maxPolls: 4 });
    expect(tracked.finished).toBe(false);
    expect(tracked.rounds).toBe(4);
    expect(automation.describeCalls).toHaveLength(12);
  });
});

describe('trackRun on a run with nothing to follow', () => {
  it('still writes the reports when no location was started', async () => {
    const empty = new FakeInventory(() => groups('WebServers'));
    const deps = fakeDeps({ directory: new FakeDirectory(snapshot), inventory: empty });
    const { record } = await startRun(orgPayload(), deps);
    expect(record.status).toBe('succeeded');
    const tracked = await trackRun(record, deps);
    expect(tracked.finished).toBe(true);
    expect(tracked.artifacts?.html).toBe(`memory://${record.runId}/report.html`);
    expect(deps.automation.describeCalls).toHaveLength(0);
  });
});
