import {
  type AutomationExecutionMetadata,
  DescribeAutomationExecutionsCommand,
  GetAutomationExecutionCommand,
  paginateDescribeAutomationExecutions,
  SSMClient,
  StartAutomationExecutionCommand,
  type StartAutomationExecutionCommandInput,
  ThrottlingException,
} from '@aws-sdk/client-ssm';
import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, TARGET_PARAMETER_NAME } from '@orgpatch/core';
import { COMMAND_DELIVERY_TIMEOUT_SECONDS } from '@orgpatch/member-stack/definitions';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '../src/index.js';
import { memberCredentials } from './helpers.js';
import { instanceId as id } from './ssmWorld.js';

const MEMBER = '222222222222';
const REGION = 'us-east-1';
const OTHER_REGION = 'eu-west-1';
const MINUTE = 60_000;

/** One member account with 40 managed nodes in us-east-1 (the first two in group "web") and 1 in eu-west-1. */
const WORLD = {
  organization: { id: 'o-ssmquotas01', rootId: 'r-quo1', managementAccountId: '111111111111' },
  startTime: '2025-06-01T00:00:00Z',
  regions: [REGION, OTHER_REGION],
  ous: [],
  accounts: [
    { id: '111111111111', name: 'management', email: 'mgmt@example.com', parentId: 'r-quo1', memberStacks: false },
    {
      id: MEMBER,
      name: 'member',
      email: 'member@example.com',
      parentId: 'r-quo1',
      locations: {
        [REGION]: {
          instances: Array.from({ length: 40 }, (_, n) => ({
            instanceId: id(n + 1),
            missingPatches: 2,
            patchMinutes: 30,
            ...(n < 2 ? { groups: ['web'] } : {}),
          })),
        },
        [OTHER_REGION]: { instances: [{ instanceId: id(100), missingPatches: 1, patchMinutes: 30 }] },
      },
    },
  ],
};

const parameters = (extra: Record<string, string[]> = {}) => ({
  AutomationAssumeRole: [`arn:aws:iam::${MEMBER}:role/${AUTOMATION_ROLE_NAME}`],
  Operation: ['Install'],
  ...extra,
});
/** A standalone run of the member document on one node. */
const single = (n: number): StartAutomationExecutionCommandInput => ({
  DocumentName: AUTOMATION_DOCUMENT_NAME,
  Parameters: parameters({ [TARGET_PARAMETER_NAME]: [id(n)] }),
});
/** A rate control run of the member document over the given nodes. */
const rateControlled = (nodes: readonly number[]): StartAutomationExecutionCommandInput => ({
  DocumentName: AUTOMATION_DOCUMENT_NAME,
  Parameters: parameters(),
  TargetParameterName: TARGET_PARAMETER_NAME,
  Targets: [{ Key: 'ParameterValues', Values: nodes.map(id) }],
  MaxConcurrency: '1',
  MaxErrors: '0',
});

let sandbox: Sandbox | undefined;
const clients: SSMClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await sandbox?.stop();
  sandbox = undefined;
});

/** A sandbox over WORLD with a frozen clock, and SSM clients acting in the member account (a fresh session each). */
async function setup(options: Pick<SandboxOptions, 'faults'> = {}) {
  const started = await startSandbox({ world: structuredClone(WORLD) as never, timeScale: 0, ...options });
  sandbox = started;
  const ssm = async (r = REGION) => {
    const client = new SSMClient({
      ...started.clientConfig(r),
      credentials: await memberCredentials(started, MEMBER),
      // One attempt: the test sees each throttle instead of the SDK retrying it away.
      maxAttempts: 1,
    });
    clients.push(client);
    return client;
  };
  return { sandbox: started, ssm };
}

async function all(ssm: SSMClient): Promise<AutomationExecutionMetadata[]> {
  const list: AutomationExecutionMetadata[] = [];
  for await (const page of paginateDescribeAutomationExecutions({ client: ssm, pageSize: 50 }, {})) {
    list.push(...(page.AutomationExecutionMetadataList ?? []));
  }
  return list;
}

describe('SSM Automation quotas, through the real SDK client', () => {
  it('throttles by default at the published rates: 1 start a second, 3 reads, per account, Region and API', async () => {
    const t = await setup();
    const ssm = await t.ssm();
    const { AutomationExecutionId } = await ssm.send(new StartAutomationExecutionCommand(single(1)));
    await expect(ssm.send(new StartAutomationExecutionCommand(single(2)))).rejects.toBeInstanceOf(ThrottlingException);
    await expect(ssm.send(new StartAutomationExecutionCommand(single(2)))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
    // Another Region of the same account has a bucket of its own.
    await expect(
      (await t.ssm(OTHER_REGION)).send(new StartAutomationExecutionCommand(single(100))),
    ).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200 },
    });
    const get = () => ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId }));
    const list = () => ssm.send(new DescribeAutomationExecutionsCommand({}));
    for (let n = 0; n < 3; n++) await get();
    await expect(get()).rejects.toBeInstanceOf(ThrottlingException);
    for (let n = 0; n < 3; n++) await list();
    await expect(list()).rejects.toBeInstanceOf(ThrottlingException);
    expect(t.sandbox.calls.count({ operation: 'StartAutomationExecution', outcome: 'ThrottlingException' })).toBe(2);
    // A simulated second later the buckets hold a second's worth again.
    t.sandbox.advance(1_000);
    await expect(ssm.send(new StartAutomationExecutionCommand(single(2)))).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200 },
    });
    for (let n = 0; n < 3; n++) await get();
  });

  it('throttles nothing when the sandbox starts with throttle: [], and returns to the published rates on reset', async () => {
    const t = await setup({ faults: { throttle: [] } });
    const ssm = await t.ssm();
    for (let n = 1; n <= 5; n++) await ssm.send(new StartAutomationExecutionCommand(single(n)));
    expect(t.sandbox.calls.count({ outcome: 'ThrottlingException' })).toBe(0);
    t.sandbox.faults.reset();
    await ssm.send(new StartAutomationExecutionCommand(single(6)));
    await expect(ssm.send(new StartAutomationExecutionCommand(single(7)))).rejects.toBeInstanceOf(ThrottlingException);
  });

  it('runs at most 25 rate control automations and 100 automations, children included; the rest wait Pending', async () => {
    const t = await setup({ faults: { throttle: [] } });
    const ssm = await t.ssm();
    const start = async (input: StartAutomationExecutionCommandInput) =>
      (await ssm.send(new StartAutomationExecutionCommand(input))).AutomationExecutionId ?? '';
    const parents: string[] = [];
    for (let n = 1; n <= 30; n++) parents.push(await start(rateControlled([n])));
    const singles: string[] = [];
    for (let n = 1; n <= 60; n++) singles.push(await start(single(n % 40 || 40)));
    t.sandbox.advance(1_000);

    const executions = await all(ssm);
    const status = new Map(executions.map((e) => [e.AutomationExecutionId, e.AutomationExecutionStatus]));
    const count = (ids: readonly string[], s: string) => ids.filter((i) => status.get(i) === s).length;
    const children = executions.filter((e) => e.ParentAutomationExecutionId !== undefined);
    expect(count(parents, 'InProgress')).toBe(25);
    expect(count(parents, 'Pending')).toBe(5);
    expect(children.filter((c) => c.AutomationExecutionStatus === 'InProgress')).toHaveLength(25);
    // 25 parents + 25 children + 50 standalone runs fill the 100; 10 standalone runs wait.
    expect(count(singles, 'InProgress')).toBe(50);
    expect(count(singles, 'Pending')).toBe(10);
    expect(executions.filter((e) => e.AutomationExecutionStatus === 'InProgress')).toHaveLength(100);

    // The first rate control automations finish; the queued ones take their places in order.
    t.sandbox.advance(31 * MINUTE);
    const later = new Map((await all(ssm)).map((e) => [e.AutomationExecutionId, e.AutomationExecutionStatus]));
    expect(parents.slice(0, 25).every((p) => later.get(p) === 'Success')).toBe(true);
    expect(parents.slice(25).every((p) => later.get(p) === 'InProgress')).toBe(true);
  });

  it('fails a child whose node does not take the command within the delivery timeout, as Delivery Timed Out', async () => {
    const t = await setup({
      faults: { throttle: [], commandDelivery: [{ instanceId: id(2), accountId: MEMBER, region: REGION }] },
    });
    const ssm = await t.ssm();
    const { AutomationExecutionId: parentId } = await ssm.send(
      new StartAutomationExecutionCommand({
        ...rateControlled([]),
        Targets: [{ Key: 'ResourceGroup', Values: ['web'] }],
        MaxConcurrency: '2',
        MaxErrors: '1',
      }),
    );
    // Node 1 first (ramp-up), then node 2: it expires after the delivery timeout plus the two-hour execution timeout.
    t.sandbox.advance(1_000 + 31 * MINUTE + COMMAND_DELIVERY_TIMEOUT_SECONDS * 1000 + 120 * MINUTE + MINUTE);
    const later = await t.ssm();
    const kids = new Map<string | undefined, AutomationExecutionMetadata>();
    for await (const page of paginateDescribeAutomationExecutions(
      { client: later },
      { Filters: [{ Key: 'ParentExecutionId', Values: [parentId ?? ''] }] },
    )) {
      for (const kid of page.AutomationExecutionMetadataList ?? []) kids.set(kid.Target, kid);
    }
    expect(kids.get(id(1))?.AutomationExecutionStatus).toBe('Success');
    expect(kids.get(id(2))).toMatchObject({
      AutomationExecutionStatus: 'Failed',
      FailureMessage: expect.stringContaining(`${id(2)}: Delivery Timed Out`),
    });
    const parent = await later.send(new GetAutomationExecutionCommand({ AutomationExecutionId: parentId }));
    expect(parent.AutomationExecution?.AutomationExecutionStatus).toBe('Success');
  });
});
