import { AUTOMATION_DOCUMENT_NAME, TARGET_PARAMETER_NAME } from '@orgpatch/core';
import {
  AUTOMATION_STEP_NAME,
  AUTOMATION_STEP_TIMEOUT_SECONDS,
  COMMAND_DELIVERY_TIMEOUT_SECONDS,
  orgPatchRunbookContent,
  RUN_PATCH_BASELINE_EXECUTION_TIMEOUT_SECONDS,
} from '@orgpatch/member-stack/definitions';
import { describe, expect, it } from 'vitest';
import type { Body } from './ssmHarness.js';
import { harness } from './ssmHarness.js';
import { ACCOUNT, account, instance, instanceId, REGION, region, runParameters, world } from './ssmWorld.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DISPATCH = SECOND;

/**
 * One managed node, instanceId(1), whose SSM Agent takes Run Command deliveries `delayMs` after
 * they are sent (`Infinity`: never), and the SSM service over it.
 */
function setup(delayMs: number, patchMinutes = 30) {
  const node = instance(instanceId(1), { patchMinutes });
  const home = region(REGION, [node], { fleet: [node.instanceId] });
  const h = harness(world([account(ACCOUNT, [home])]), {
    delivery: { deliveryDelayMs: (_account, _region, id) => (id === node.instanceId ? delayMs : 0) },
  });
  /** Runs `document` on the node as a standalone automation (no rate control). */
  const run = async (document = AUTOMATION_DOCUMENT_NAME) =>
    (
      await h.call('StartAutomationExecution', {
        DocumentName: document,
        Parameters: runParameters('Install', { [TARGET_PARAMETER_NAME]: [node.instanceId] }),
      })
    ).AutomationExecutionId as string;
  const step = async (id: string) =>
    ((await h.call('DescribeAutomationStepExecutions', { AutomationExecutionId: id })).StepExecutions as Body[]).find(
      (s) => s.StepName === AUTOMATION_STEP_NAME,
    );
  /** Installs a copy of the member document whose step and delivery timeouts are the given ones. */
  const variant = async (name: string, stepTimeoutSeconds: number, deliveryTimeoutSeconds: number) => {
    const content = {
      ...orgPatchRunbookContent,
      mainSteps: orgPatchRunbookContent.mainSteps.map((original) =>
        original.name === AUTOMATION_STEP_NAME
          ? {
              ...original,
              timeoutSeconds: stepTimeoutSeconds,
              inputs: { ...original.inputs, TimeoutSeconds: deliveryTimeoutSeconds },
            }
          : original,
      ),
    };
    await h.call('CreateDocument', { Name: name, Content: JSON.stringify(content), DocumentType: 'Automation' });
    return name;
  };
  return { ...h, node, run, step, variant };
}

describe('aws:runCommand of AWS-RunPatchBaseline: delivery and timeouts', () => {
  it('never runs a command the node does not take within the delivery timeout, and fails the step Delivery Timed Out', async () => {
    const t = setup(Number.POSITIVE_INFINITY);
    const id = await t.run();
    // Run Command's total timeout: the delivery timeout plus the document's execution timeout.
    const expiresMs = (COMMAND_DELIVERY_TIMEOUT_SECONDS + RUN_PATCH_BASELINE_EXECUTION_TIMEOUT_SECONDS) * SECOND;
    t.clock.advance(DISPATCH + expiresMs - SECOND);
    expect((await t.execution(id)).AutomationExecutionStatus).toBe('InProgress');
    t.clock.advance(2 * SECOND);
    const execution = await t.execution(id);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    expect(execution.FailureMessage).toContain('{Status=[TimedOut], ResponseCode=[-1]');
    expect(execution.FailureMessage).toContain(`${t.node.instanceId}: Delivery Timed Out`);
    expect(execution.Outputs).toMatchObject({ [`${AUTOMATION_STEP_NAME}.Status`]: ['TimedOut'] });
    expect(await t.step(id)).toMatchObject({ StepStatus: 'Failed', Outputs: { Status: ['TimedOut'] } });
    expect(t.node.patchState.missingCount).toBe(3);
    // Not even later: the command never ran.
    t.clock.advance(24 * 60 * MINUTE);
    expect(t.node.patchState.missingCount).toBe(3);
  });

  it('gives an Install delivered late its full two hours before the step times out', async () => {
    const delayMs = (COMMAND_DELIVERY_TIMEOUT_SECONDS - 10) * SECOND;
    // Ends after 7,200 s from the step's start (the old step timeout), inside the document's execution timeout.
    const t = setup(delayMs, 115);
    const id = await t.run();
    t.clock.advance(DISPATCH + delayMs + 115 * MINUTE + SECOND);
    expect(delayMs + 115 * MINUTE).toBeGreaterThan(7_200 * SECOND);
    expect((await t.execution(id)).AutomationExecutionStatus).toBe('Success');
    expect(t.node.patchState.missingCount).toBe(0);
    expect(AUTOMATION_STEP_TIMEOUT_SECONDS).toBeGreaterThan(
      COMMAND_DELIVERY_TIMEOUT_SECONDS + RUN_PATCH_BASELINE_EXECUTION_TIMEOUT_SECONDS,
    );
  });

  it('times the step out after its timeoutSeconds, delivery included, while the command runs on to its end', async () => {
    const t = setup(5 * MINUTE, 60);
    const id = await t.run(await t.variant('Short-Step', 3_600, COMMAND_DELIVERY_TIMEOUT_SECONDS));
    t.clock.advance(DISPATCH + 3_600 * SECOND + SECOND);
    const execution = await t.execution(id);
    expect(execution.AutomationExecutionStatus).toBe('TimedOut');
    expect(await t.step(id)).toMatchObject({
      StepStatus: 'TimedOut',
      FailureDetails: { FailureType: 'Verification' },
    });
    expect(t.node.patchState.missingCount).toBe(3);
    // The command was delivered after 5 minutes and takes 60: its patches land then.
    t.clock.advance(5 * MINUTE);
    expect(t.node.patchState.missingCount).toBe(0);
  });

  it('refuses a delivery timeout outside SendCommand’s bounds as SendCommand does', async () => {
    const t = setup(0);
    const id = await t.run(await t.variant('Bad-Delivery-Timeout', 3_600, 10));
    t.clock.advance(DISPATCH + 5 * SECOND);
    const execution = await t.execution(id);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    expect(execution.FailureMessage).toContain(
      "Value '10' at 'timeoutSeconds' failed to satisfy constraint: Member must have value greater than or equal to 30",
    );
    expect(execution.FailureMessage).toContain('Error Code: ValidationException');
  });
});
