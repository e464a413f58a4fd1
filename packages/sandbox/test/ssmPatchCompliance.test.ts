import { AUTOMATION_DOCUMENT_NAME, TARGET_PARAMETER_NAME } from '@orgpatch/core';
import { COMMAND_DELIVERY_TIMEOUT_SECONDS } from '@orgpatch/member-stack/definitions';
import { describe, expect, it } from 'vitest';
import type { SimInstance } from '../src/contract.js';
import { type Body, harness } from './ssmHarness.js';
import { ACCOUNT, account, instance, instanceId, REGION, region, runParameters, world } from './ssmWorld.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A node with 6 missing patches: 2 Critical, 1 Security, 3 other. */
function classified(n: number, overrides: Partial<Omit<SimInstance, 'instanceId'>> = {}): SimInstance {
  const node = instance(instanceId(n), overrides);
  node.patchState.missingCount = 6;
  node.patchState.criticalCount = 2;
  node.patchState.securityCount = 1;
  return node;
}

function setup(nodes: readonly SimInstance[]) {
  const h = harness(world([account(ACCOUNT, [region(REGION, nodes)])]));
  const install = async (ids: readonly string[]) => {
    const id = (
      await h.call('StartAutomationExecution', {
        DocumentName: AUTOMATION_DOCUMENT_NAME,
        Parameters: runParameters('Install', { [TARGET_PARAMETER_NAME]: [...ids] }),
      })
    ).AutomationExecutionId as string;
    return id;
  };
  const states = async (ids: readonly string[]) =>
    new Map(
      ((await h.call('DescribeInstancePatchStates', { InstanceIds: [...ids] })).InstancePatchStates as Body[]).map(
        (s) => [s.InstanceId as string, s],
      ),
    );
  return { ...h, install, states };
}

describe('patch compliance in the sandbox', () => {
  it('reports Critical, Security and other non-compliant counts, and an Install clears them', async () => {
    const node = classified(1);
    const t = setup([node]);
    expect((await t.states([node.instanceId])).get(node.instanceId)).toMatchObject({
      CriticalNonCompliantCount: 2,
      SecurityNonCompliantCount: 1,
      OtherNonCompliantCount: 3,
      MissingCount: 6,
    });
    const id = await t.install([node.instanceId]);
    t.clock.advance(MINUTE + 31 * MINUTE);
    expect((await t.execution(id)).AutomationExecutionStatus).toBe('Success');
    expect((await t.states([node.instanceId])).get(node.instanceId)).toMatchObject({
      Operation: 'Install',
      CriticalNonCompliantCount: 0,
      SecurityNonCompliantCount: 0,
      OtherNonCompliantCount: 0,
      MissingCount: 0,
      InstalledCount: 16,
    });
  });

  it('installs Critical and Security patches first on a node whose patching fails, the rest failing', async () => {
    const node = classified(2, { failsPatching: true });
    const t = setup([node]);
    await t.install([node.instanceId]);
    t.clock.advance(MINUTE + 31 * MINUTE);
    expect((await t.states([node.instanceId])).get(node.instanceId)).toMatchObject({
      CriticalNonCompliantCount: 0,
      SecurityNonCompliantCount: 0,
      MissingCount: 3,
      FailedCount: 3,
      InstalledCount: 13,
    });
  });

  it('lists an offline node with its PingStatus, and no command reaches it', async () => {
    const online = classified(3);
    const offline = classified(4, { pingStatus: 'ConnectionLost' });
    const t = setup([online, offline]);
    const listed = (await t.call('DescribeInstanceInformation', {})).InstanceInformationList as Body[];
    expect(listed.map((n) => [n.InstanceId, n.PingStatus])).toEqual([
      [online.instanceId, 'Online'],
      [offline.instanceId, 'ConnectionLost'],
    ]);
    const lost = await t.call('DescribeInstanceInformation', {
      Filters: [{ Key: 'PingStatus', Values: ['ConnectionLost'] }],
    });
    expect((lost.InstanceInformationList as Body[]).map((n) => n.InstanceId)).toEqual([offline.instanceId]);
    await t.install([offline.instanceId]);
    t.clock.advance((COMMAND_DELIVERY_TIMEOUT_SECONDS + 3 * 3_600) * 1000);
    expect((await t.states([offline.instanceId])).get(offline.instanceId)).toMatchObject({
      CriticalNonCompliantCount: 2,
      MissingCount: 6,
    });
  });

  it('reports a scan from before the sandbox started as the world says, and nothing for a node never scanned', async () => {
    const scanned = classified(5);
    const never = classified(6);
    for (const n of [scanned, never]) {
      delete n.patchState.operation;
      delete n.patchState.operationStartTime;
      delete n.patchState.operationEndTime;
    }
    scanned.patchState.priorScanAgeMs = 10 * DAY;
    const t = setup([scanned, never]);
    const states = await t.states([scanned.instanceId, never.instanceId]);
    expect([...states.keys()]).toEqual([scanned.instanceId]);
    expect(states.get(scanned.instanceId)).toMatchObject({
      Operation: 'Scan',
      OperationEndTime: (t.clock.now() - 10 * DAY) / 1000,
    });
  });
});
