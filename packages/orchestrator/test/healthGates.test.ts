import type { OrganizationSnapshot } from '@orgpatch/core';
import { parsePayload } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { HealthGateError } from '../src/errors.js';
import { startRun } from '../src/run/startRun.js';
import { runEngine } from '../src/steps/engine.js';
import { account, FakeAlarms, FakeAutomation, FakeDirectory, FakeInventory, fakeDeps, groups } from '../src/testing.js';

const DEV = 'ou-ab12-dev00001';
const PROD = 'ou-ab12-prod0001';

function payload(dev: Record<string, unknown> = {}, prod: Record<string, unknown> = {}) {
  return {
    TaskExecutionId: '11111111-2222-4333-8444-555555555555',
    Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
    Regions: ['us-east-1'],
    Organization: {
      Waves: [
        { Name: 'dev', TargetOus: [DEV], ErrorThreshold: '0', ...dev },
        { Name: 'prod', TargetOus: [PROD], ErrorThreshold: '0', ...prod },
      ],
    },
  };
}

const organization: OrganizationSnapshot = {
  organizationId: 'o-abcdefghij',
  managementAccountId: '999999999999',
  callerAccountId: '999999999999',
  partition: 'aws',
  accounts: [
    account('111111111111', ['r-ab12', DEV]),
    account('222222222222', ['r-ab12', DEV]),
    account('333333333333', ['r-ab12', PROD]),
    account('444444444444', ['r-ab12', PROD]),
  ],
};

function world(alarms = new FakeAlarms(), automation = new FakeAutomation()) {
  const inventory = new FakeInventory((l) => groups('WebServers', `i-${l.accountId.slice(0, 8)}01`));
  const deps = fakeDeps({ directory: new FakeDirectory(organization), inventory, automation });
  return { deps: { ...deps, alarms }, alarms, automation };
}

const prodStarts = (automation: FakeAutomation) =>
  automation.startCalls.filter((c) => c.location.accountId.startsWith('3') || c.location.accountId.startsWith('4'));

describe('health gates and bake time', () => {
  it('lets the next wave go when the gate is open and the bake time has passed', async () => {
    const { deps, alarms, automation } = world();
    alarms.set('dev-errors', 'OK');
    const result = await runEngine(payload({ Alarms: ['dev-errors'], BakeMinutes: 30 }), deps);
    expect(result.finished?.status).toBe('succeeded');
    expect(prodStarts(automation)).toHaveLength(2);
    // The wait before prod covered the bake: 30 minutes after dev ended, read at most every minute.
    const record = await deps.store.get(result.begun.runId);
    const devEnded = Date.parse(record?.waves[0]?.endedAt ?? '');
    expect(Number.isFinite(devEnded)).toBe(true);
    expect(deps.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(30 * 60_000);
  });

  it('holds the next wave while an alarm is in ALARM, with the alarm and its reason in the record', async () => {
    const { deps, alarms, automation } = world();
    alarms.set('dev-errors', 'OK');
    // The alarm fires once dev is running: the first reads while it runs see it.
    let reads = 0;
    const flipping = {
      read: async (names: readonly string[]) => {
        reads += 1;
        if (reads === 3) alarms.set('dev-errors', 'ALARM', 'Threshold Crossed: 5 datapoints were greater than 1.0');
        return alarms.read(names);
      },
    };
    const result = await runEngine(payload({ Alarms: ['dev-errors'] }), { ...deps, alarms: flipping });
    expect(result.finished?.status).toBe('halted');
    expect(prodStarts(automation)).toHaveLength(0);
    const record = await deps.store.get(result.begun.runId);
    expect(record?.waves.find((w) => w.name === 'prod')?.reason).toMatch(
      /alarm "dev-errors" is in ALARM \(Threshold Crossed: 5 datapoints/,
    );
    expect(record?.locations.filter((l) => l.wave === 'prod').every((l) => l.status === 'halted')).toBe(true);
  });

  it('holds a wave whose gate is in ALARM before it starts, and lets it go once the alarm clears', async () => {
    const { deps, alarms, automation } = world();
    alarms.set('prod-gate', 'ALARM', 'Threshold Crossed: error rate 7%');
    let reads = 0;
    let heldReason: string | undefined;
    let runId = '';
    const clearing = {
      read: async (names: readonly string[]) => {
        reads += 1;
        if (reads === 4) {
          // Held: prod has not started, and the record says why.
          const manifest = await deps.store.sharded.manifest(runId);
          heldReason = manifest?.waves.find((w) => w.name === 'prod')?.reason;
          expect(prodStarts(automation)).toHaveLength(0);
          alarms.set('prod-gate', 'OK');
        }
        return alarms.read(names);
      },
    };
    const p = payload({}, { Alarms: ['prod-gate'] });
    runId = `mw-${p.TaskExecutionId}`;
    const result = await runEngine(p, { ...deps, alarms: clearing });
    expect(heldReason).toMatch(
      /alarm "prod-gate" is in ALARM \(Threshold Crossed: error rate 7%\): wave "prod" is held/,
    );
    expect(result.finished?.status).toBe('succeeded');
    expect(prodStarts(automation)).toHaveLength(2);
  });

  it('refuses a wave naming an alarm that does not exist: a plan error, nothing recorded or started', async () => {
    const { deps, automation } = world();
    await expect(runEngine(payload({}, { Alarms: ['prod-latency'] }), deps)).rejects.toThrow(
      /No CloudWatch alarm "prod-latency" \(wave "prod"\)/,
    );
    expect(automation.startCalls).toHaveLength(0);
    expect(await deps.store.list()).toHaveLength(0);
  });

  it('halts when an alarm is deleted while the run waits for it: a gate never passes on what it cannot see', async () => {
    const { deps, alarms, automation } = world();
    alarms.set('dev-errors', 'OK');
    let reads = 0;
    const deleting = {
      read: async (names: readonly string[]) => {
        reads += 1;
        if (reads === 2) alarms.states.delete('dev-errors');
        return alarms.read(names);
      },
    };
    const result = await runEngine(payload({ Alarms: ['dev-errors'] }), { ...deps, alarms: deleting });
    expect(result.finished?.status).toBe('halted');
    expect(prodStarts(automation)).toHaveLength(0);
  });

  it('is refused by startRun, which does not read gates, before anything is started', async () => {
    const { deps, automation } = world();
    await expect(startRun(parsePayload(payload({ BakeMinutes: 5 })), deps)).rejects.toThrow(HealthGateError);
    expect(automation.startCalls).toHaveLength(0);
  });

  it('rejects bad gate fields in the payload, naming the field', () => {
    expect(() => parsePayload(payload({ BakeMinutes: -1 }))).toThrow(/BakeMinutes/);
    expect(() => parsePayload(payload({ BakeMinutes: 2000 }))).toThrow(/BakeMinutes/);
    expect(() => parsePayload(payload({ Alarms: [''] }))).toThrow(/Alarms/);
  });
});
