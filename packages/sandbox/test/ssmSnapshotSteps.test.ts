import { TARGET_PARAMETER_NAME } from '@orgpatch/core';
import {
  AUTOMATION_STEP_NAME,
  SNAPSHOT_STEP_NAMES,
  SNAPSHOT_TAG_KEYS,
  SNAPSHOT_WAIT_TIMEOUT_SECONDS,
} from '@orgpatch/member-stack/definitions';
import { describe, expect, it } from 'vitest';
import { Ec2Snapshots, ec2Call, SNAPSHOT_COMPLETION_MS } from '../src/ec2/snapshots.js';
import { branchTarget, select } from '../src/ssm/apiSteps.js';
import { type Body, harness } from './ssmHarness.js';
import { ACCOUNT, account, instance, instanceId, REGION, region, runParameters, world } from './ssmWorld.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** One node, the member document, EC2 over the same world; `failure` is the snapshot fault of the node. */
function setup(failure?: 'refused' | 'error') {
  const node = instance(instanceId(1), { patchMinutes: 10 });
  const w = world([account(ACCOUNT, [region(REGION, [node], { fleet: [node.instanceId] })])]);
  let ec2: Ec2Snapshots | undefined;
  const h = harness(w, {
    awsApi: (clock) => {
      ec2 = new Ec2Snapshots({ world: w, clock, snapshotFailure: () => failure });
      const models = ec2;
      return (service, api, input, at) => ec2Call(models, service, api, input, at);
    },
  });
  const run = async (snapshot: boolean) =>
    (
      await h.call('StartAutomationExecution', {
        DocumentName: 'OrgPatch-RunPatchBaseline',
        Parameters: runParameters('Install', {
          [TARGET_PARAMETER_NAME]: [node.instanceId],
          ...(snapshot ? { PrePatchSnapshot: ['true'], RunId: ['mw-run-1'] } : {}),
        }),
      })
    ).AutomationExecutionId as string;
  const steps = async (id: string) =>
    (await h.call('DescribeAutomationStepExecutions', { AutomationExecutionId: id })).StepExecutions as Body[];
  const snapshots = () =>
    (ec2?.DescribeSnapshots({ accountId: ACCOUNT, region: REGION }, {}) as { Snapshots: Body[] } | undefined)
      ?.Snapshots ?? [];
  return { ...h, node, run, steps, snapshots };
}

describe('the member document with PrePatchSnapshot', () => {
  it('snapshots the instance volumes, tagged with the run and the instance, waits for completed, then patches', async () => {
    const t = setup();
    const id = await t.run(true);
    t.clock.advance(SNAPSHOT_COMPLETION_MS + 30 * SECOND);
    // Snapshots completed; the patch step is running now.
    expect((await t.steps(id)).map((s) => [s.StepName, s.StepStatus])).toEqual([
      [SNAPSHOT_STEP_NAMES.branch, 'Success'],
      [SNAPSHOT_STEP_NAMES.resolveInstance, 'Success'],
      [SNAPSHOT_STEP_NAMES.create, 'Success'],
      [SNAPSHOT_STEP_NAMES.wait, 'Success'],
      [AUTOMATION_STEP_NAME, 'InProgress'],
    ]);
    const [snapshot] = t.snapshots();
    expect(snapshot).toMatchObject({ State: 'completed', Description: 'orgpatch pre-patch snapshot, run mw-run-1' });
    expect(snapshot?.Tags).toEqual([
      { Key: SNAPSHOT_TAG_KEYS.RUN_ID, Value: 'mw-run-1' },
      { Key: SNAPSHOT_TAG_KEYS.INSTANCE_ID, Value: t.node.instanceId },
    ]);
    t.clock.advance(15 * MINUTE);
    expect((await t.execution(id)).AutomationExecutionStatus).toBe('Success');
    expect(t.node.patchState.missingCount).toBe(0);
  });

  it('takes no snapshot without PrePatchSnapshot', async () => {
    const t = setup();
    const id = await t.run(false);
    t.clock.advance(15 * MINUTE);
    expect((await t.execution(id)).AutomationExecutionStatus).toBe('Success');
    expect(t.snapshots()).toEqual([]);
  });

  it('fails the instance and patches nothing when CreateSnapshots is refused', async () => {
    const t = setup('refused');
    const missing = t.node.patchState.missingCount;
    const id = await t.run(true);
    t.clock.advance(15 * MINUTE);
    const execution = await t.execution(id);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    expect(execution.FailureMessage).toContain('An error occurred (SnapshotCreationPerVolumeRateExceeded)');
    expect((await t.steps(id)).map((s) => s.StepName)).not.toContain(AUTOMATION_STEP_NAME);
    expect(t.node.patchState.missingCount).toBe(missing);
  });

  it('times the wait out and patches nothing when a snapshot ends in error', async () => {
    const t = setup('error');
    const missing = t.node.patchState.missingCount;
    const id = await t.run(true);
    t.clock.advance(SNAPSHOT_WAIT_TIMEOUT_SECONDS * SECOND + MINUTE);
    expect((await t.execution(id)).AutomationExecutionStatus).toBe('TimedOut');
    const wait = (await t.steps(id)).find((s) => s.StepName === SNAPSHOT_STEP_NAMES.wait);
    expect(wait?.StepStatus).toBe('TimedOut');
    expect(t.snapshots()[0]).toMatchObject({ State: 'error' });
    expect(t.node.patchState.missingCount).toBe(missing);
  });
});

describe('aws:branch and JSONPath selectors', () => {
  it('branches on StringEquals, else Default', () => {
    const inputs = { Choices: [{ NextStep: 'a', Variable: 'true', StringEquals: 'true' }], Default: 'b' };
    expect(branchTarget(inputs)).toBe('a');
    expect(branchTarget({ ...inputs, Choices: [{ NextStep: 'a', Variable: 'false', StringEquals: 'true' }] })).toBe(
      'b',
    );
  });

  it('selects $.A[0].B, $.A[*].B and $.A..B', () => {
    const value = { A: [{ B: 1, C: { B: 3 } }, { B: 2 }] };
    expect(select(value, '$.A[0].B')).toEqual([1]);
    expect(select(value, '$.A[*].B')).toEqual([1, 2]);
    expect(select(value, '$.A..B')).toEqual([1, 3, 2]);
  });
});

describe('the EC2 model', () => {
  it('answers EC2 error codes for unknown and malformed ids', () => {
    const t = setup();
    const ec2 = new Ec2Snapshots({ world: world([]), clock: t.clock, snapshotFailure: () => undefined });
    const at = { accountId: ACCOUNT, region: REGION };
    expect(() => ec2.CreateSnapshots(at, { InstanceSpecification: { InstanceId: 'mi-0123456789abcdef0' } })).toThrow(
      expect.objectContaining({ code: 'InvalidInstanceID.Malformed' }),
    );
    expect(() => ec2.CreateSnapshots(at, { InstanceSpecification: { InstanceId: 'i-0123456789abcdef0' } })).toThrow(
      expect.objectContaining({ code: 'InvalidInstanceID.NotFound' }),
    );
    expect(() => ec2.DeleteSnapshot(at, { SnapshotId: 'snap-0123456789abcdef0' })).toThrow(
      expect.objectContaining({ code: 'InvalidSnapshot.NotFound' }),
    );
    expect(() => ec2.CreateSnapshots(at, {})).toThrow(expect.objectContaining({ code: 'MissingParameter' }));
  });
});
