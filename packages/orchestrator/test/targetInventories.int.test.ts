import { GetAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { AUTOMATION_DOCUMENT_NAME, parsePayload, TARGET_PARAMETER_NAME } from '@orgpatch/core';
import { type Sandbox, startSandbox, type WorldFile } from '@orgpatch/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAccountCredentials } from '../src/aws/accountCall.js';
import { type AwsClientFactory, createAwsClientFactory } from '../src/aws/clients.js';
import { SsmTagInventory } from '../src/aws/ssmTagInventory.js';
import { type AwsRunDeps, createAwsRunDeps } from '../src/awsRunDeps.js';
import { MemoryRunStore } from '../src/testing.js';

// The SDK's documented switch for its Node 20 support warning.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const NO_STACKS = '333333333333';
const REGION = 'us-east-1';
const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

/**
 * A member whose group "web" holds four instances, two volumes and a security group; eleven managed
 * EC2 instances and a hybrid node carry Patch=true (with a volume), one unmanaged instance too.
 */
const WORLD: WorldFile = {
  organization: { id: 'o-inventory01', rootId: 'r-inv1', managementAccountId: MANAGEMENT },
  startTime: '2026-03-01T00:00:00Z',
  regions: [REGION],
  ous: [],
  accounts: [
    { id: MANAGEMENT, name: 'management', email: 'mgmt@example.com', parentId: 'r-inv1', memberStacks: false },
    {
      id: MEMBER,
      name: 'member',
      email: 'member@example.com',
      parentId: 'r-inv1',
      locations: {
        [REGION]: {
          instances: [
            { instanceId: id(1), groups: ['web'], tags: { Patch: 'true' }, missingPatches: 3 },
            { count: 3, groups: ['web'] },
            { count: 10, tags: { Patch: 'true' }, missingPatches: 1 },
            { instanceId: id(2), managed: false, tags: { Patch: 'true' } },
            { instanceId: 'mi-0000000000000000a', tags: { Patch: 'true' } },
          ],
          resources: [
            { type: 'AWS::EC2::Volume', count: 2, groups: ['web'], tags: { Patch: 'true' } },
            { type: 'AWS::EC2::SecurityGroup', groups: ['web'] },
          ],
        },
      },
    },
    { id: NO_STACKS, name: 'no-stacks', email: 'nostacks@example.com', parentId: 'r-inv1', memberStacks: false },
  ],
};

describe('target inventories and starts against the sandbox', () => {
  let sandbox: Sandbox;
  let clients: AwsClientFactory;
  let deps: AwsRunDeps;
  const where = { accountId: MEMBER, region: REGION };
  const tagRequest = parsePayload({
    Targets: [{ Key: 'tag:Patch', Values: ['true'] }],
    Regions: [REGION],
    Organization: { Accounts: [MEMBER, NO_STACKS] },
  });

  beforeAll(async () => {
    sandbox = await startSandbox({ world: structuredClone(WORLD), timeScale: 0, emptyPageRate: 0.3 });
    clients = createAwsClientFactory({ ...sandbox.clientConfig(REGION), homeRegion: REGION });
    deps = createAwsRunDeps(tagRequest, {
      clients,
      store: new MemoryRunStore(),
      credentialClock: () => sandbox.clock.now(),
    });
  });
  afterAll(async () => {
    clients.destroy();
    await sandbox.stop();
  });

  it('ResourceGroupsInventory records a group member by type: instances by id, the others counted', async () => {
    const observed = await deps.inventory.observe(where, ['web', 'missing']);
    expect(observed.kind).toBe('groups');
    if (observed.kind !== 'groups') return;
    const [web, missing] = observed.groups;
    expect(web?.instanceIds).toHaveLength(4);
    expect(web?.instanceIds).toContain(id(1));
    expect(web?.otherMembers).toEqual({ 'AWS::EC2::Volume': 2, 'AWS::EC2::SecurityGroup': 1 });
    expect(missing).toEqual({ name: 'missing', exists: false, instanceIds: [] });
  });

  it('SsmTagInventory lists the managed EC2 instances with the tag, page by page, hybrid nodes apart', async () => {
    const before = sandbox.calls.count({ operation: 'DescribeInstanceInformation', ok: true });
    const inventory = new SsmTagInventory({ clients, credentials: deps.credentials, pageSize: 5 });
    const observed = await inventory.observeTag(where, { key: 'Patch', value: 'true' });
    expect(observed?.kind).toBe('groups');
    if (observed?.kind !== 'groups') return;
    const [tagged] = observed.groups;
    expect(tagged?.name).toBe('tag:Patch=true');
    expect(tagged?.instanceIds).toHaveLength(11);
    expect(tagged?.instanceIds).toContain(id(1));
    expect(tagged?.instanceIds).not.toContain(id(2));
    expect(tagged?.hybridNodeIds).toEqual(['mi-0000000000000000a']);
    expect(sandbox.calls.count({ operation: 'DescribeInstanceInformation', ok: true }) - before).toBe(3);
  });

  it('SsmTagInventory observes an account it cannot enter as an error, not as an empty Region', async () => {
    const observed = await deps.tagInventory?.observeTag(
      { accountId: NO_STACKS, region: REGION },
      { key: 'Patch', value: 'true' },
    );
    expect(observed).toMatchObject({ kind: 'error', error: 'member-stack-missing' });
  });

  it('SsmAutomationRunner starts with the tag target, and SSM resolves it to the tagged EC2 instances', async () => {
    const { executionId } = await deps.automation.start({
      location: where,
      documentName: AUTOMATION_DOCUMENT_NAME,
      parameters: {
        AutomationAssumeRole: [`arn:aws:iam::${MEMBER}:role/OrgPatchAutomationRole`],
        Operation: ['Scan'],
      },
      targetParameterName: TARGET_PARAMETER_NAME,
      group: 'tag:Patch=true',
      target: { key: 'tag:Patch', values: ['true'] },
      maxConcurrency: tagRequest.maxConcurrency,
      maxErrors: tagRequest.maxErrors,
      clientToken: '3b0c1a2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    });
    // Read back through the orchestrator's own session in the member account.
    const { AutomationExecution } = await withAccountCredentials(deps.credentials, where, (provider) =>
      clients.ssm(REGION, provider).send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId })),
    );
    expect(AutomationExecution?.Targets).toEqual([{ Key: 'tag:Patch', Values: ['true'] }]);
    // Every EC2 instance with the tag, the unmanaged one included; no hybrid node, no volume.
    const resolved = AutomationExecution?.ResolvedTargets?.ParameterValues ?? [];
    expect(resolved).toHaveLength(12);
    expect(resolved).toContain(id(2));
    expect(resolved.some((v) => v.startsWith('mi-') || v.startsWith('vol-'))).toBe(false);
  });
});
