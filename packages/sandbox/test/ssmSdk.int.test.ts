import {
  AutomationDefinitionNotFoundException,
  AutomationExecutionNotFoundException,
  DescribeAutomationExecutionsCommand,
  DescribeAutomationStepExecutionsCommand,
  DescribeInstancePatchStatesCommand,
  GetAutomationExecutionCommand,
  IdempotentParameterMismatch,
  InvalidAutomationExecutionParametersException,
  InvalidFilterKey,
  InvalidTarget,
  paginateDescribeAutomationExecutions,
  paginateDescribeInstanceInformation,
  SSMClient,
  StartAutomationExecutionCommand,
  type StartAutomationExecutionCommandInput,
  StopAutomationExecutionCommand,
  ValidationException,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  AUTOMATION_DOCUMENT_NAME,
  AUTOMATION_ROLE_NAME,
  EXECUTION_ROLE_NAME,
  TARGET_PARAMETER_NAME,
} from '@orgpatch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.js';

// The SDK's documented switch for its Node 20 support warning.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const MEMBER = '222222222222';
const REGION = 'us-east-1';
const MINUTE = 60_000;
const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

/** One member account: a "web" group of five instances (the second fails patching, the third is unmanaged) and a spare group. */
const WORLD = {
  organization: { id: 'o-ssmsdktest1', rootId: 'r-ssm1', managementAccountId: '111111111111' },
  startTime: '2025-06-01T00:00:00Z',
  regions: [REGION],
  ous: [],
  accounts: [
    { id: '111111111111', name: 'management', email: 'mgmt@example.com', parentId: 'r-ssm1', memberStacks: false },
    {
      id: MEMBER,
      name: 'member',
      email: 'member@example.com',
      parentId: 'r-ssm1',
      locations: {
        [REGION]: {
          instances: [
            { instanceId: id(1), missingPatches: 4, patchMinutes: 10, groups: ['web'] },
            { instanceId: id(2), missingPatches: 2, patchMinutes: 10, failsPatching: true, groups: ['web'] },
            { instanceId: id(3), managed: false, groups: ['web'] },
            { instanceId: id(4), missingPatches: 1, patchMinutes: 10, groups: ['web'] },
            { instanceId: id(5), missingPatches: 1, patchMinutes: 10, groups: ['web'] },
            { count: 7, missingPatches: 1, patchMinutes: 5, groups: ['spare'] },
          ],
        },
      },
    },
  ],
};

const run = (extra: Partial<StartAutomationExecutionCommandInput> = {}): StartAutomationExecutionCommandInput => ({
  DocumentName: AUTOMATION_DOCUMENT_NAME,
  Parameters: {
    AutomationAssumeRole: [`arn:aws:iam::${MEMBER}:role/${AUTOMATION_ROLE_NAME}`],
    Operation: ['Install'],
    RebootOption: ['NoReboot'],
    SnapshotId: ['6f1c3c2e-4a7b-4a55-9d0e-1c2b3a4d5e6f'],
  },
  TargetParameterName: TARGET_PARAMETER_NAME,
  Targets: [{ Key: 'ResourceGroup', Values: ['web'] }],
  MaxConcurrency: '2',
  MaxErrors: '1',
  ...extra,
});

describe('SSM automation through the real SDK client', () => {
  let sandbox: Sandbox;

  /** An SSM client acting in the member account through its execution role (fresh session each time). */
  async function memberSsm(): Promise<SSMClient> {
    const sts = new STSClient(sandbox.clientConfig(REGION));
    try {
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${MEMBER}:role/${EXECUTION_ROLE_NAME}`,
          RoleSessionName: 'ssm-sdk-test',
        }),
      );
      return new SSMClient({
        ...sandbox.clientConfig(REGION),
        credentials: {
          accessKeyId: Credentials?.AccessKeyId ?? '',
          secretAccessKey: Credentials?.SecretAccessKey ?? '',
          sessionToken: Credentials?.SessionToken ?? '',
        },
      });
    } finally {
      sts.destroy();
    }
  }

  async function children(ssm: SSMClient, parentId: string) {
    const all = [];
    for await (const page of paginateDescribeAutomationExecutions(
      { client: ssm, pageSize: 2 },
      { Filters: [{ Key: 'ParentExecutionId', Values: [parentId] }] },
    )) {
      all.push(...(page.AutomationExecutionMetadataList ?? []));
    }
    return all;
  }

  beforeAll(async () => {
    // These tests are about other behaviour than SSM's API rates (see ssmQuotas.int.test.ts): no throttling.
    sandbox = await startSandbox({
      world: structuredClone(WORLD) as never,
      timeScale: 0,
      emptyPageRate: 0,
      faults: { throttle: [] },
    });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('runs the member document Pending -> InProgress -> Failed under MaxConcurrency and MaxErrors, and installs patches', async () => {
    const ssm = await memberSsm();
    try {
      const started = await ssm.send(new StartAutomationExecutionCommand(run()));
      const parentId = started.AutomationExecutionId ?? '';
      const status = async () =>
        (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: parentId }))).AutomationExecution;
      expect((await status())?.AutomationExecutionStatus).toBe('Pending');
      sandbox.advance(1_000);
      expect((await status())?.AutomationExecutionStatus).toBe('InProgress');

      let peak = 0;
      while ((await status())?.AutomationExecutionStatus === 'InProgress') {
        const running = (await children(ssm, parentId)).filter((c) => c.AutomationExecutionStatus === 'InProgress');
        peak = Math.max(peak, running.length);
        sandbox.advance(MINUTE);
      }
      const parent = await status();
      expect(parent).toMatchObject({
        AutomationExecutionStatus: 'Failed',
        TargetParameterName: TARGET_PARAMETER_NAME,
        MaxConcurrency: '2',
        MaxErrors: '1',
        ResolvedTargets: { ParameterValues: [1, 2, 3, 4, 5].map(id), Truncated: false },
      });
      expect(parent?.ExecutionEndTime).toBeInstanceOf(Date);
      expect(peak).toBe(2);

      const kids = await children(ssm, parentId);
      const byTarget = Object.fromEntries(kids.map((k) => [k.Target, k.AutomationExecutionStatus]));
      // The 2nd fails patching and the 3rd is not managed: two errors cross MaxErrors 1, so the 5th never starts.
      expect(byTarget).toEqual({ [id(1)]: 'Success', [id(2)]: 'Failed', [id(3)]: 'Failed', [id(4)]: 'Success' });
      expect(
        kids.every((k) => k.ParentAutomationExecutionId === parentId && k.ExecutionStartTime instanceof Date),
      ).toBe(true);

      const child = kids.find((k) => k.Target === id(1));
      const steps = await ssm.send(
        new DescribeAutomationStepExecutionsCommand({ AutomationExecutionId: child?.AutomationExecutionId }),
      );
      expect(steps.StepExecutions?.at(-1)).toMatchObject({ Action: 'aws:runCommand', StepStatus: 'Success' });

      const states = await ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: [1, 2, 5].map(id) }));
      expect(
        states.InstancePatchStates?.map((s) => [
          s.InstanceId,
          s.Operation,
          s.MissingCount,
          s.InstalledPendingRebootCount,
        ]),
      ).toEqual([
        [id(1), 'Install', 0, 4],
        [id(2), 'Install', 2, 0],
      ]);
      expect(states.InstancePatchStates?.[0]?.OperationEndTime).toBeInstanceOf(Date);
    } finally {
      ssm.destroy();
    }
  });

  it('surfaces each SSM error as the SDK exception class', async () => {
    const ssm = await memberSsm();
    try {
      await expect(
        ssm.send(new StartAutomationExecutionCommand(run({ DocumentName: 'No-Such-Runbook' }))),
      ).rejects.toBeInstanceOf(AutomationDefinitionNotFoundException);
      await expect(
        ssm.send(new StartAutomationExecutionCommand(run({ Parameters: { Operation: ['Install'] } }))),
      ).rejects.toBeInstanceOf(InvalidAutomationExecutionParametersException);
      await expect(
        ssm.send(new StartAutomationExecutionCommand(run({ Targets: [{ Key: 'ResourceGroup', Values: ['nope'] }] }))),
      ).rejects.toBeInstanceOf(InvalidTarget);
      await expect(ssm.send(new StartAutomationExecutionCommand(run({ MaxConcurrency: '0%' })))).rejects.toBeInstanceOf(
        ValidationException,
      );
      // AutomationParameterMap has at least one entry in the SSM model (min 1).
      await expect(ssm.send(new StartAutomationExecutionCommand(run({ Parameters: {} })))).rejects.toMatchObject({
        name: 'ValidationException',
        message:
          "1 validation error detected: Value '{}' at 'parameters' failed to satisfy constraint: Member must have length greater than or equal to 1",
      });
      await expect(
        ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: '00000000-0000-4000-8000-000000000000' })),
      ).rejects.toBeInstanceOf(AutomationExecutionNotFoundException);
      await expect(
        ssm.send(new DescribeAutomationExecutionsCommand({ Filters: [{ Key: 'Bogus' as never, Values: ['x'] }] })),
      ).rejects.toBeInstanceOf(InvalidFilterKey);
    } finally {
      ssm.destroy();
    }
  });

  it('honours ClientToken: same request, same execution; different request, IdempotentParameterMismatch', async () => {
    const ssm = await memberSsm();
    try {
      const token = 'c6a1f0de-3b7e-4f2a-9b8c-0d1e2f3a4b5c';
      const spare = run({
        Targets: [{ Key: 'ResourceGroup', Values: ['spare'] }],
        MaxConcurrency: '100%',
        ClientToken: token,
      });
      const first = await ssm.send(new StartAutomationExecutionCommand(spare));
      const again = await ssm.send(new StartAutomationExecutionCommand(spare));
      expect(again.AutomationExecutionId).toBe(first.AutomationExecutionId);
      await expect(ssm.send(new StartAutomationExecutionCommand({ ...spare, MaxErrors: '3' }))).rejects.toBeInstanceOf(
        IdempotentParameterMismatch,
      );
      sandbox.advance(1_000);
      await ssm.send(
        new StopAutomationExecutionCommand({ AutomationExecutionId: first.AutomationExecutionId, Type: 'Cancel' }),
      );
      const stopped = await ssm.send(
        new GetAutomationExecutionCommand({ AutomationExecutionId: first.AutomationExecutionId }),
      );
      expect(stopped.AutomationExecution?.AutomationExecutionStatus).toBe('Cancelled');
    } finally {
      ssm.destroy();
    }
  });

  it('pages DescribeInstanceInformation with the SDK paginator', async () => {
    const ssm = await memberSsm();
    try {
      const ids: string[] = [];
      let pages = 0;
      for await (const page of paginateDescribeInstanceInformation({ client: ssm, pageSize: 5 }, {})) {
        pages++;
        ids.push(...(page.InstanceInformationList ?? []).map((i) => i.InstanceId ?? ''));
      }
      expect(ids).toHaveLength(11);
      expect(ids).not.toContain(id(3));
      expect(pages).toBe(3);
    } finally {
      ssm.destroy();
    }
  });
});
