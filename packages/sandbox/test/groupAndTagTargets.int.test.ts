import {
  BadRequestException,
  ListGroupResourcesCommand,
  ListGroupsCommand,
  ResourceGroupsClient,
} from '@aws-sdk/client-resource-groups';
import {
  type AutomationExecutionMetadata,
  CreateDocumentCommand,
  DescribeDocumentCommand,
  DescribeInstanceInformationCommand,
  GetAutomationExecutionCommand,
  InvalidAutomationExecutionParametersException,
  InvalidFilterKey,
  paginateDescribeAutomationExecutions,
  paginateDescribeInstanceInformation,
  SSMClient,
  StartAutomationExecutionCommand,
  type StartAutomationExecutionCommandInput,
} from '@aws-sdk/client-ssm';
import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, TARGET_PARAMETER_NAME } from '@orgpatch/core';
import { orgPatchRunbookContent } from '@orgpatch/member-stack/definitions';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox, type WorldFile } from '../src/index.js';
import { memberCredentials } from './helpers.js';

const MEMBER = '222222222222';
const REGION = 'us-east-1';
const MINUTE = 60_000;
const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
const HYBRID = 'mi-0000000000000000a';
const VOLUME = 'vol-0000000000000000b';
const SECURITY_GROUP = 'sg-0000000000000000c';
const INTERFACE = 'eni-0000000000000000d';
const PATCH = { Patch: 'true' };

/**
 * One member location: a tag-based group "web" that matched two instances, a volume, a security
 * group and a network interface (no ResourceTypeFilters); "instances-only" holds the instances.
 * Tagged Patch=true: the two instances, a hybrid node, an unmanaged-free set of six more instances
 * (for paging) and the volume. One instance carries no tag.
 */
const WORLD: WorldFile = {
  organization: { id: 'o-targets0001', rootId: 'r-tg01', managementAccountId: '111111111111' },
  startTime: '2026-03-01T00:00:00Z',
  regions: [REGION],
  ous: [],
  accounts: [
    { id: '111111111111', name: 'management', email: 'mgmt@example.com', parentId: 'r-tg01', memberStacks: false },
    {
      id: MEMBER,
      name: 'member',
      email: 'member@example.com',
      parentId: 'r-tg01',
      locations: {
        [REGION]: {
          instances: [
            { instanceId: id(1), missingPatches: 2, tags: PATCH, groups: ['web', 'instances-only'] },
            { instanceId: id(2), missingPatches: 2, tags: PATCH, groups: ['web', 'instances-only'] },
            { instanceId: id(3), missingPatches: 2, tags: { Patch: 'false' } },
            { instanceId: HYBRID, tags: PATCH },
            { count: 6, tags: { ...PATCH, Team: 'blue' } },
          ],
          resources: [
            { type: 'AWS::EC2::Volume', id: VOLUME, tags: PATCH, groups: ['web'] },
            { type: 'AWS::EC2::SecurityGroup', id: SECURITY_GROUP, groups: ['web'] },
            { type: 'AWS::EC2::NetworkInterface', id: INTERFACE, groups: ['web'] },
          ],
        },
      },
    },
  ],
};

const start = (extra: Partial<StartAutomationExecutionCommandInput>): StartAutomationExecutionCommandInput => ({
  DocumentName: AUTOMATION_DOCUMENT_NAME,
  Parameters: {
    AutomationAssumeRole: [`arn:aws:iam::${MEMBER}:role/${AUTOMATION_ROLE_NAME}`],
    Operation: ['Install'],
  },
  TargetParameterName: TARGET_PARAMETER_NAME,
  MaxConcurrency: '10',
  MaxErrors: '10',
  ...extra,
});

describe('resource groups with other members, and tag targets, through the real SDK', () => {
  let sandbox: Sandbox;
  let ssm: SSMClient;
  let rg: ResourceGroupsClient;

  /** Runs the automation to its end on the simulated clock; returns the parent and its children. */
  async function runToEnd(input: StartAutomationExecutionCommandInput) {
    const { AutomationExecutionId } = await ssm.send(new StartAutomationExecutionCommand(input));
    const parent = async () =>
      (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId }))).AutomationExecution;
    sandbox.advance(1_000);
    for (let i = 0; i < 120 && (await parent())?.AutomationExecutionStatus === 'InProgress'; i++) {
      sandbox.advance(MINUTE);
    }
    const children: AutomationExecutionMetadata[] = [];
    for await (const page of paginateDescribeAutomationExecutions(
      { client: ssm },
      { Filters: [{ Key: 'ParentExecutionId', Values: [AutomationExecutionId ?? ''] }] },
    )) {
      children.push(...(page.AutomationExecutionMetadataList ?? []));
    }
    return { parent: await parent(), children };
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ world: structuredClone(WORLD), timeScale: 0, emptyPageRate: 0 });
  });
  // Each test runs on fresh session credentials: a run moves the simulated clock past their hour.
  beforeEach(async () => {
    const credentials = await memberCredentials(sandbox, MEMBER);
    ssm = new SSMClient({ ...sandbox.clientConfig(REGION), credentials });
    rg = new ResourceGroupsClient({ ...sandbox.clientConfig(REGION), credentials });
  });
  afterEach(() => {
    ssm.destroy();
    rg.destroy();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('lists every member of a group with its own ResourceType and ARN, and filters them by type', async () => {
    const all = await rg.send(new ListGroupResourcesCommand({ Group: 'web' }));
    expect(all.ResourceIdentifiers).toEqual([
      { ResourceType: 'AWS::EC2::Instance', ResourceArn: `arn:aws:ec2:${REGION}:${MEMBER}:instance/${id(1)}` },
      { ResourceType: 'AWS::EC2::Instance', ResourceArn: `arn:aws:ec2:${REGION}:${MEMBER}:instance/${id(2)}` },
      { ResourceType: 'AWS::EC2::Volume', ResourceArn: `arn:aws:ec2:${REGION}:${MEMBER}:volume/${VOLUME}` },
      {
        ResourceType: 'AWS::EC2::SecurityGroup',
        ResourceArn: `arn:aws:ec2:${REGION}:${MEMBER}:security-group/${SECURITY_GROUP}`,
      },
      {
        ResourceType: 'AWS::EC2::NetworkInterface',
        ResourceArn: `arn:aws:ec2:${REGION}:${MEMBER}:network-interface/${INTERFACE}`,
      },
    ]);
    expect(all.Resources?.map((r) => r.Identifier)).toEqual(all.ResourceIdentifiers);
    const volumes = await rg.send(
      new ListGroupResourcesCommand({
        Group: 'web',
        Filters: [{ Name: 'resource-type', Values: ['AWS::EC2::Volume'] }],
      }),
    );
    expect(volumes.ResourceIdentifiers?.map((r) => r.ResourceType)).toEqual(['AWS::EC2::Volume']);
    const byType = await rg.send(
      new ListGroupsCommand({ Filters: [{ Name: 'resource-type', Values: ['AWS::EC2::SecurityGroup'] }] }),
    );
    expect(byType.GroupIdentifiers?.map((g) => g.GroupName)).toEqual(['web']);
    await expect(
      rg.send(new ListGroupResourcesCommand({ Group: 'web', Filters: [{ Name: 'resource-type', Values: [] }] })),
    ).rejects.toBeInstanceOf(BadRequestException);
  });

  it('starts a child for every member of a ResourceGroup target; those of other resources fail in SendCommand', async () => {
    const { parent, children } = await runToEnd(start({ Targets: [{ Key: 'ResourceGroup', Values: ['web'] }] }));
    expect(parent?.ResolvedTargets?.ParameterValues).toEqual([id(1), id(2), VOLUME, SECURITY_GROUP, INTERFACE]);
    expect(children).toHaveLength(5);
    const byTarget = new Map(children.map((c) => [c.Target, c]));
    expect(byTarget.get(id(1))?.AutomationExecutionStatus).toBe('Success');
    expect(byTarget.get(id(2))?.AutomationExecutionStatus).toBe('Success');
    for (const other of [VOLUME, SECURITY_GROUP, INTERFACE]) {
      const child = byTarget.get(other);
      expect(child?.AutomationExecutionStatus).toBe('Failed');
      expect(child?.FailureMessage).toContain('Exception Message from SendCommand API: [1 validation error detected:');
      expect(child?.FailureMessage).toContain(`Value '[${other}]' at 'instanceIds' failed to satisfy constraint`);
      expect(child?.FailureMessage).toContain('Error Code: ValidationException');
    }
  });

  it('with MaxErrors 0 the first failing member stops the automation: the run fails', async () => {
    const { parent, children } = await runToEnd(
      start({ Targets: [{ Key: 'ResourceGroup', Values: ['web'] }], MaxErrors: '0' }),
    );
    expect(parent?.AutomationExecutionStatus).toBe('Failed');
    expect(children.some((c) => c.AutomationExecutionStatus === 'Failed')).toBe(true);
  });

  it('finds managed nodes by tag:<key> and tag-key, page by page, EC2 and hybrid told apart', async () => {
    const found: { id: string; type: string }[] = [];
    let pages = 0;
    for await (const page of paginateDescribeInstanceInformation(
      { client: ssm, pageSize: 5 },
      { Filters: [{ Key: 'tag:Patch', Values: ['true'] }] },
    )) {
      pages++;
      found.push(
        ...(page.InstanceInformationList ?? []).map((i) => ({ id: i.InstanceId ?? '', type: i.ResourceType ?? '' })),
      );
    }
    expect(found).toHaveLength(9);
    expect(pages).toBe(2);
    expect(found.map((f) => f.id)).not.toContain(id(3));
    expect(found.find((f) => f.id === HYBRID)?.type).toBe('ManagedInstance');
    expect(found.filter((f) => f.type === 'EC2Instance')).toHaveLength(8);
    const byKey = await ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: 'tag-key', Values: ['Team'] }], MaxResults: 50 }),
    );
    expect(byKey.InstanceInformationList).toHaveLength(6);
  });

  it('refuses a tag filter mixed with other filter types, and a tag filter without a key', async () => {
    await expect(
      ssm.send(
        new DescribeInstanceInformationCommand({
          Filters: [
            { Key: 'tag:Patch', Values: ['true'] },
            { Key: 'PingStatus', Values: ['Online'] },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidFilterKey);
    await expect(
      ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'tag:', Values: ['true'] }] })),
    ).rejects.toBeInstanceOf(InvalidFilterKey);
  });

  it('resolves a tag target to tagged EC2 instances only under the member document TargetType', async () => {
    const described = await ssm.send(new DescribeDocumentCommand({ Name: AUTOMATION_DOCUMENT_NAME }));
    expect(described.Document?.TargetType).toBe('/AWS::EC2::Instance');
    const { parent, children } = await runToEnd(start({ Targets: [{ Key: 'tag:Patch', Values: ['true'] }] }));
    const targets = parent?.ResolvedTargets?.ParameterValues ?? [];
    expect(targets).toHaveLength(8);
    expect(targets).toEqual(expect.arrayContaining([id(1), id(2)]));
    expect(targets).not.toContain(VOLUME);
    expect(targets).not.toContain(HYBRID);
    expect(parent?.AutomationExecutionStatus).toBe('Success');
    expect(children.every((c) => c.AutomationExecutionStatus === 'Success')).toBe(true);
  });

  it('resolves a tag target to every tagged resource when the document has no TargetType', async () => {
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'NoTargetType-RunPatchBaseline',
        DocumentType: 'Automation',
        DocumentFormat: 'JSON',
        Content: JSON.stringify(orgPatchRunbookContent),
      }),
    );
    const { parent, children } = await runToEnd(
      start({ DocumentName: 'NoTargetType-RunPatchBaseline', Targets: [{ Key: 'tag:Patch', Values: ['true'] }] }),
    );
    const targets = parent?.ResolvedTargets?.ParameterValues ?? [];
    expect(targets).toHaveLength(10);
    expect(targets).toEqual(expect.arrayContaining([HYBRID, VOLUME]));
    expect(children.find((c) => c.Target === VOLUME)?.AutomationExecutionStatus).toBe('Failed');
  });

  it('refuses more than one target as SSM does', async () => {
    const two = start({
      Targets: [
        { Key: 'tag:Patch', Values: ['true'] },
        { Key: 'ResourceGroup', Values: ['instances-only'] },
      ],
    });
    const refusal = ssm.send(new StartAutomationExecutionCommand(two));
    await expect(refusal).rejects.toBeInstanceOf(InvalidAutomationExecutionParametersException);
    await expect(refusal).rejects.toThrow('Only one resource group or tag can be specified at a time');
  });
});
