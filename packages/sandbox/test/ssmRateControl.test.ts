import { AutomationExecution$ } from '@aws-sdk/client-ssm';
import { AUTOMATION_DOCUMENT_NAME, TARGET_PARAMETER_NAME } from '@orgpatch/core';
import {
  AUTOMATION_STEP_NAME,
  RUN_PATCH_BASELINE_EXECUTION_TIMEOUT_SECONDS,
  SNAPSHOT_STEP_NAMES,
} from '@orgpatch/member-stack/definitions';
import { describe, expect, it } from 'vitest';
import type { SimInstance } from '../src/contract.js';
import type { CommandDelivery } from '../src/ssm/engine.js';
import { awsError, type Body, harness } from './ssmHarness.js';
import { ACCOUNT, account, instance, instanceId, REGION, region, runParameters, world } from './ssmWorld.js';

const MINUTE = 60_000;

function setup(
  instances: readonly SimInstance[],
  options: { automationRole?: boolean; limit?: number; delivery?: CommandDelivery } = {},
) {
  const home = region(REGION, instances, { fleet: instances.map((i) => i.instanceId) });
  const h = harness(world([account(ACCOUNT, [home], options)]), options);
  const start = async (extra: Record<string, unknown> = {}, operation: 'Scan' | 'Install' = 'Install') =>
    (
      await h.call('StartAutomationExecution', {
        DocumentName: AUTOMATION_DOCUMENT_NAME,
        Parameters: runParameters(operation),
        TargetParameterName: TARGET_PARAMETER_NAME,
        Targets: [{ Key: 'ResourceGroup', Values: ['fleet'] }],
        MaxConcurrency: '2',
        MaxErrors: '1',
        ...extra,
      })
    ).AutomationExecutionId as string;
  const status = async (id: string) => (await h.execution(id)).AutomationExecutionStatus as string;
  const inProgress = async (parentId: string) =>
    (await h.children(parentId)).filter((c) => c.AutomationExecutionStatus === 'InProgress').length;
  return { ...h, home, start, status, inProgress };
}

const fleet = (count: number, overrides: (n: number) => Partial<SimInstance> = () => ({})) =>
  Array.from({ length: count }, (_, n) => instance(instanceId(n + 1), overrides(n + 1)));

describe('rate-controlled runs of the member document', () => {
  it('goes Pending -> InProgress -> Success with one child per instance, never over MaxConcurrency', async () => {
    const t = setup(fleet(6));
    const id = await t.start({ MaxConcurrency: '2' });
    expect(await t.status(id)).toBe('Pending');
    t.clock.advance(1_000);
    expect(await t.status(id)).toBe('InProgress');

    // Ramp-up: the first child runs alone until it completes.
    expect(await t.inProgress(id)).toBe(1);
    let peak = 0;
    t.clock.advance(29 * MINUTE);
    expect(await t.inProgress(id)).toBe(1);
    while ((await t.status(id)) === 'InProgress') {
      peak = Math.max(peak, await t.inProgress(id));
      t.clock.advance(MINUTE);
    }
    expect(peak).toBe(2);
    expect(await t.status(id)).toBe('Success');

    const parent = await t.execution(id);
    expect(parent).toMatchObject({
      Mode: 'Auto',
      TargetParameterName: TARGET_PARAMETER_NAME,
      Targets: [{ Key: 'ResourceGroup', Values: ['fleet'] }],
      MaxConcurrency: '2',
      MaxErrors: '1',
      ResolvedTargets: { ParameterValues: fleet(6).map((i) => i.instanceId), Truncated: false },
    });
    expect(typeof parent.ExecutionEndTime).toBe('number');

    const children = await t.children(id);
    expect(children.map((c) => c.Target).sort()).toEqual(fleet(6).map((i) => i.instanceId));
    for (const child of children) {
      expect(child).toMatchObject({
        ParentAutomationExecutionId: id,
        AutomationExecutionStatus: 'Success',
        TargetParameterName: TARGET_PARAMETER_NAME,
      });
    }
  });

  it('starts no new child after MaxErrors+1 failures, lets running ones finish, and fails the parent', async () => {
    // Instance 2 fails quickly; instance 3 is still running when that happens.
    const t = setup(fleet(8, (n) => (n === 2 ? { failsPatching: true, patchMinutes: 10 } : {})));
    const id = await t.start({ MaxConcurrency: '4', MaxErrors: '0' });
    t.clock.advance(40 * MINUTE + 1_000); // child 1 done at 30 min; children 2 and 3 started; child 2 failed at 40 min
    expect(await t.status(id)).toBe('InProgress');
    expect(await t.inProgress(id)).toBe(1);
    t.clock.advance(30 * MINUTE);
    expect(await t.status(id)).toBe('Failed');
    const children = await t.children(id);
    const byTarget = Object.fromEntries(children.map((c) => [c.Target as string, c.AutomationExecutionStatus]));
    expect(byTarget).toEqual({ [instanceId(1)]: 'Success', [instanceId(2)]: 'Failed', [instanceId(3)]: 'Success' });
    const failed = children.find((c) => c.Target === instanceId(2)) as Body;
    expect(failed.FailureMessage).toMatch(
      /^Step fails when it is Poll action status for success\. Command [0-9a-f-]{36} returns unexpected invocation result/,
    );
    expect(t.home.instances.get(instanceId(8))?.patchState.missingCount).toBe(3);
  });

  it('tolerates up to MaxErrors failures and still succeeds', async () => {
    const t = setup(fleet(4, (n) => (n === 3 ? { managed: false } : {})));
    const id = await t.start({ MaxConcurrency: '100%', MaxErrors: '25%' });
    t.clock.advance(31 * MINUTE); // ramp-up: one child, then two at a time
    expect(await t.status(id)).toBe('InProgress');
    t.clock.advance(30 * MINUTE);
    expect(await t.status(id)).toBe('Success');
    const unmanaged = (await t.children(id)).find((c) => c.Target === instanceId(3)) as Body;
    expect(unmanaged.AutomationExecutionStatus).toBe('Failed');
    expect(unmanaged.FailureMessage).toContain(
      `Instances [[${instanceId(3)}]] not in a valid state for account ${ACCOUNT}`,
    );
    expect(unmanaged.FailureMessage).toContain('Error Code: InvalidInstanceId');
  });

  it('fails every child when the automation role cannot be assumed', async () => {
    const t = setup(fleet(2), { automationRole: false });
    const id = await t.start({ MaxConcurrency: '2', MaxErrors: '1' });
    t.clock.advance(10 * MINUTE);
    const children = await t.children(id);
    expect(children).toHaveLength(2);
    for (const child of children) expect(child.FailureMessage).toBe('The defined assume role is unable to be assumed.');
    expect(await t.status(id)).toBe('Failed');
  });

  it('changes patch states on Install and only records the operation on Scan', async () => {
    const scan = setup(fleet(2));
    const before = structuredClone(scan.home.instances.get(instanceId(1))?.patchState);
    const scanId = await scan.start({ MaxConcurrency: '2' }, 'Scan');
    scan.clock.advance(30 * MINUTE);
    expect(await scan.status(scanId)).toBe('Success');
    const scanned = scan.home.instances.get(instanceId(1))?.patchState;
    expect(scanned).toMatchObject({
      installedCount: before?.installedCount,
      missingCount: before?.missingCount,
      failedCount: 0,
      operation: 'Scan',
    });
    expect(scanned?.operationEndTime).toBeGreaterThan(before?.operationEndTime ?? 0);

    const install = setup(fleet(3, (n) => (n === 3 ? { failsPatching: true } : {})));
    const installId = await install.start({
      MaxConcurrency: '3',
      MaxErrors: '1',
      Parameters: runParameters('Install', { RebootOption: ['NoReboot'] }),
    });
    install.clock.advance(3 * 31 * MINUTE);
    expect(await install.status(installId)).toBe('Success');
    expect(install.home.instances.get(instanceId(1))?.patchState).toMatchObject({
      installedCount: 13,
      missingCount: 0,
      failedCount: 0,
      installedPendingRebootCount: 3,
      operation: 'Install',
      snapshotId: '0b9e6bde-1f3c-4c1e-9a52-6d2f8c1e0a11',
    });
    expect(install.home.instances.get(instanceId(3))?.patchState).toMatchObject({
      missingCount: 3,
      failedCount: 3,
      operation: 'Install',
    });
    const states = await install.call('DescribeInstancePatchStates', { InstanceIds: [instanceId(1), instanceId(3)] });
    expect(states.InstancePatchStates).toMatchObject([
      {
        InstanceId: instanceId(1),
        Operation: 'Install',
        MissingCount: 0,
        RebootOption: 'NoReboot',
        InstalledPendingRebootCount: 3,
      },
      { InstanceId: instanceId(3), Operation: 'Install', MissingCount: 3, FailedCount: 3 },
    ]);
    expect(typeof (states.InstancePatchStates as Body[])[0]?.LastNoRebootInstallOperationTime).toBe('number');
  });

  it('reports the child step, its inputs and the document outputs', async () => {
    const t = setup(fleet(1));
    const id = await t.start();
    t.clock.advance(31 * MINUTE);
    const [child] = await t.children(id);
    const childId = child?.AutomationExecutionId as string;
    const detail = await t.execution(childId);
    expect(detail.Parameters).toMatchObject({ [TARGET_PARAMETER_NAME]: [instanceId(1)], Operation: ['Install'] });
    expect(detail.Outputs).toMatchObject({
      [`${AUTOMATION_STEP_NAME}.Status`]: ['Success'],
      [`${AUTOMATION_STEP_NAME}.ResponseCode`]: ['0'],
    });
    const steps = (await t.call('DescribeAutomationStepExecutions', { AutomationExecutionId: childId }))
      .StepExecutions as Body[];
    // Without PrePatchSnapshot the branch goes straight to the patch step.
    expect(steps.map((s) => s.StepName)).toEqual([SNAPSHOT_STEP_NAMES.branch, AUTOMATION_STEP_NAME]);
    expect(steps[1]).toMatchObject({
      StepName: AUTOMATION_STEP_NAME,
      Action: 'aws:runCommand',
      StepStatus: 'Success',
      OnFailure: 'Abort',
    });
    expect(steps[1]?.Inputs).toMatchObject({
      DocumentName: '"AWS-RunPatchBaseline"',
      InstanceIds: JSON.stringify([instanceId(1)]),
    });
    const filtered = await t.call('DescribeAutomationStepExecutions', {
      AutomationExecutionId: childId,
      Filters: [{ Key: 'StepExecutionStatus', Values: ['Failed'] }],
    });
    expect(filtered.StepExecutions).toEqual([]);
    await awsError(
      t.call('DescribeAutomationStepExecutions', {
        AutomationExecutionId: childId,
        Filters: [{ Key: 'Bogus', Values: ['x'] }],
      }),
      'InvalidFilterKey',
    );
  });

  it('answers GetAutomationExecution with members of the model’s AutomationExecution shape only', async () => {
    const t = setup(fleet(2));
    const parentId = await t.start();
    const standaloneId = (
      await t.call('StartAutomationExecution', {
        DocumentName: AUTOMATION_DOCUMENT_NAME,
        Parameters: runParameters('Scan', { [TARGET_PARAMETER_NAME]: [instanceId(1)] }),
      })
    ).AutomationExecutionId as string;
    t.clock.advance(31 * MINUTE);
    const [child] = await t.children(parentId);
    // The SDK's own schema of the shape (from the SSM service model): its member names.
    const members = new Set(AutomationExecution$[4]);
    for (const id of [parentId, standaloneId, child?.AutomationExecutionId as string]) {
      const answered = Object.entries(await t.execution(id))
        .filter(([, value]) => value !== undefined)
        .map(([key]) => key);
      expect(answered.filter((key) => !members.has(key))).toEqual([]);
    }
  });

  it('ends an Install that runs past AWS-RunPatchBaseline’s execution timeout as Execution Timed Out', async () => {
    const t = setup(fleet(1, () => ({ patchMinutes: 180 })));
    const id = await t.start({ MaxErrors: '0' });
    t.clock.advance(1_000 + RUN_PATCH_BASELINE_EXECUTION_TIMEOUT_SECONDS * 1000 - MINUTE);
    expect(await t.status(id)).toBe('InProgress');
    t.clock.advance(2 * MINUTE);
    const [child] = await t.children(id);
    expect(child?.AutomationExecutionStatus).toBe('Failed');
    expect(child?.FailureMessage).toContain('{Status=[TimedOut], ResponseCode=[-1]');
    expect(child?.FailureMessage).toContain('Execution Timed Out');
    expect((await t.execution(child?.AutomationExecutionId as string)).Outputs).toMatchObject({
      [`${AUTOMATION_STEP_NAME}.Status`]: ['TimedOut'],
    });
    expect(await t.status(id)).toBe('Failed');
    expect(t.home.instances.get(instanceId(1))?.patchState.missingCount).toBe(3);
  });
});

describe('StopAutomationExecution', () => {
  it('cancels a parent and its running children and starts no more', async () => {
    const t = setup(fleet(6));
    const id = await t.start({ MaxConcurrency: '4', MaxErrors: '5' });
    t.clock.advance(31 * MINUTE); // child 1 done, children 2-3 running
    await t.call('StopAutomationExecution', { AutomationExecutionId: id });
    expect(await t.status(id)).toBe('Cancelled');
    const children = await t.children(id);
    expect(children.map((c) => c.AutomationExecutionStatus).sort()).toEqual(['Cancelled', 'Cancelled', 'Success']);
    t.clock.advance(120 * MINUTE);
    expect(await t.children(id)).toHaveLength(3);
    expect(t.home.instances.get(instanceId(2))?.patchState.missingCount).toBe(3);
    await awsError(
      t.call('StopAutomationExecution', { AutomationExecutionId: id }),
      'InvalidAutomationStatusUpdateException',
    );
  });

  it('completes a parent: running children finish, no new ones start', async () => {
    const t = setup(fleet(6));
    const id = await t.start({ MaxConcurrency: '4', MaxErrors: '5' });
    t.clock.advance(31 * MINUTE);
    await t.call('StopAutomationExecution', { AutomationExecutionId: id, Type: 'Complete' });
    expect(await t.status(id)).toBe('InProgress');
    t.clock.advance(31 * MINUTE);
    expect(await t.status(id)).toBe('Success');
    expect((await t.children(id)).map((c) => c.AutomationExecutionStatus)).toEqual(['Success', 'Success', 'Success']);
  });

  it('reports an unknown execution as AutomationExecutionNotFoundException', async () => {
    const t = setup(fleet(1));
    await awsError(
      t.call('StopAutomationExecution', { AutomationExecutionId: '00000000-0000-4000-8000-000000000000' }),
      'AutomationExecutionNotFoundException',
    );
  });
});

describe('concurrent automations per account', () => {
  it('runs at most 100 automations at once, children included, and queues the rest as Pending', async () => {
    const instances = fleet(150, () => ({ patchMinutes: 20 }));
    const t = setup(instances);
    const parent = await t.start({
      MaxConcurrency: '10',
      MaxErrors: '0',
      Targets: [{ Key: 'ParameterValues', Values: instances.slice(0, 10).map((i) => i.instanceId) }],
    });
    const singles: string[] = [];
    for (const i of instances) {
      singles.push(
        (
          await t.call('StartAutomationExecution', {
            DocumentName: AUTOMATION_DOCUMENT_NAME,
            Parameters: runParameters('Scan', { [TARGET_PARAMETER_NAME]: [i.instanceId] }),
          })
        ).AutomationExecutionId as string,
      );
    }
    const running = async () => {
      let count = 0;
      let pending = 0;
      let token: string | undefined;
      do {
        const page = await t.call('DescribeAutomationExecutions', {
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        });
        for (const e of page.AutomationExecutionMetadataList as Body[]) {
          if (e.AutomationExecutionStatus === 'InProgress') count++;
          if (e.AutomationExecutionStatus === 'Pending') pending++;
        }
        token = page.NextToken as string | undefined;
      } while (token);
      return { count, pending };
    };
    t.clock.advance(1_000);
    // The parent and its first child, plus 98 single executions.
    expect(await running()).toEqual({ count: 100, pending: 52 });
    let peak = 0;
    while ((await t.status(singles.at(-1) as string)) !== 'Success') {
      peak = Math.max(peak, (await running()).count);
      t.clock.advance(MINUTE);
    }
    expect(peak).toBe(100);
    t.clock.advance(4 * 20 * MINUTE);
    expect(await t.status(parent)).toBe('Success');
    expect(await t.children(parent)).toHaveLength(10);
  });

  it('runs at most 25 rate control automations at once and queues at most 1,000 more, Pending', async () => {
    const t = setup(fleet(1, () => ({ patchMinutes: 60 })));
    const parents: string[] = [];
    for (let n = 0; n < 25 + 1_000; n++) parents.push(await t.start({ MaxConcurrency: '1' }));
    await awsError(t.start(), 'AutomationExecutionLimitExceededException');
    const standalone = (
      await t.call('StartAutomationExecution', {
        DocumentName: AUTOMATION_DOCUMENT_NAME,
        Parameters: runParameters('Scan', { [TARGET_PARAMETER_NAME]: [instanceId(1)] }),
      })
    ).AutomationExecutionId as string;
    t.clock.advance(1_000);
    const statuses = await Promise.all(parents.map((id) => t.status(id)));
    expect(statuses.filter((s) => s === 'InProgress')).toHaveLength(25);
    expect(statuses.filter((s) => s === 'Pending')).toHaveLength(1_000);
    expect(statuses.slice(0, 25).every((s) => s === 'InProgress')).toBe(true);
    // Queued parents hold up no standalone run started after them.
    expect(await t.status(standalone)).toBe('InProgress');
    // When a parent ends, the first one queued takes its place.
    t.clock.advance(61 * MINUTE);
    expect(await t.status(parents[0] as string)).toBe('Success');
    expect(await t.status(parents[25] as string)).toBe('InProgress');
    expect(await t.status(parents[50] as string)).toBe('Pending');
  });

  it('queues at most 5,000 automations that are not rate controlled, and takes more once they drain', async () => {
    const t = setup(fleet(1), { limit: 2 });
    const start = () =>
      t.call('StartAutomationExecution', {
        DocumentName: AUTOMATION_DOCUMENT_NAME,
        Parameters: runParameters('Scan', { [TARGET_PARAMETER_NAME]: [instanceId(1)] }),
      });
    for (let n = 0; n < 2 + 5_000; n++) await start();
    await awsError(start(), 'AutomationExecutionLimitExceededException');
    t.clock.advance(3 * MINUTE);
    expect((await start()).AutomationExecutionId).toBeDefined();
  });
});
