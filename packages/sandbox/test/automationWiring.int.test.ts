import {
  DescribeAutomationExecutionsCommand,
  DescribeDocumentCommand,
  DescribeInstanceInformationCommand,
  DescribeInstancePatchStatesCommand,
  GetAutomationExecutionCommand,
  GetDocumentCommand,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, TARGET_PARAMETER_NAME } from '@orgpatch/core';
import { orgPatchRunbookContent } from '@orgpatch/member-stack/definitions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { memberCredentials, startTestSandbox } from './helpers.js';

/** The protocol layer and the SSM service together, through the real SSM client. */
describe('SSM through the sandbox endpoint', () => {
  let sandbox: Sandbox;
  let ssm: SSMClient;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    ssm = new SSMClient({
      ...sandbox.clientConfig('eu-west-1'),
      credentials: await memberCredentials(sandbox, '222222222222'),
    });
  });
  afterAll(async () => {
    ssm.destroy();
    await sandbox.stop();
  });

  it('serves the member document the Regional stack deploys, with Dates for timestamps', async () => {
    const got = await ssm.send(new GetDocumentCommand({ Name: AUTOMATION_DOCUMENT_NAME }));
    expect(JSON.parse(got.Content ?? '{}')).toEqual(orgPatchRunbookContent);
    const described = await ssm.send(new DescribeDocumentCommand({ Name: AUTOMATION_DOCUMENT_NAME }));
    expect(described.Document?.DocumentType).toBe('Automation');
    expect(described.Document?.CreatedDate).toBeInstanceOf(Date);
  });

  it('lists the managed instances of the caller location', async () => {
    const out = await ssm.send(new DescribeInstanceInformationCommand({}));
    expect(out.InstanceInformationList?.map((i) => i.InstanceId)).toHaveLength(2);
  });

  it('runs the member document over a resource group on the simulated clock and installs patches', async () => {
    const started = await ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: AUTOMATION_DOCUMENT_NAME,
        Parameters: {
          AutomationAssumeRole: [`arn:aws:iam::222222222222:role/${AUTOMATION_ROLE_NAME}`],
          Operation: ['Install'],
        },
        TargetParameterName: TARGET_PARAMETER_NAME,
        Targets: [{ Key: 'ResourceGroup', Values: ['orgpatch-targets'] }],
        MaxConcurrency: '1',
        MaxErrors: '0',
        ClientToken: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b',
      }),
    );
    const executionId = started.AutomationExecutionId ?? '';
    expect(executionId).toMatch(/^[0-9a-f-]{36}$/);
    // Two instances, one at a time, 10 simulated minutes each; the session credentials last an hour.
    sandbox.advance(50 * 60_000);
    const execution = await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId }));
    expect(execution.AutomationExecution?.AutomationExecutionStatus).toBe('Success');
    expect(execution.AutomationExecution?.ExecutionStartTime).toBeInstanceOf(Date);
    const children = await ssm.send(
      new DescribeAutomationExecutionsCommand({ Filters: [{ Key: 'ParentExecutionId', Values: [executionId] }] }),
    );
    expect(children.AutomationExecutionMetadataList).toHaveLength(2);
    const ids = (await ssm.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList?.map(
      (i) => i.InstanceId ?? '',
    );
    const states = await ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: ids }));
    expect(states.InstancePatchStates?.map((s) => s.MissingCount)).toEqual([0, 0]);
    expect(states.InstancePatchStates?.every((s) => s.Operation === 'Install')).toBe(true);
  });
});
