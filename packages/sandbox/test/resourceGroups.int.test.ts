import {
  BadRequestException,
  GetGroupCommand,
  ListGroupResourcesCommand,
  ListGroupsCommand,
  NotFoundException,
  paginateListGroupResources,
  ResourceGroupsClient,
  ResourceGroupsServiceException,
} from '@aws-sdk/client-resource-groups';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { memberCredentials, startTestSandbox } from './helpers.js';

describe('Resource Groups', () => {
  let sandbox: Sandbox;
  let rg: ResourceGroupsClient;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ emptyPageRate: 0.25 });
    rg = new ResourceGroupsClient({
      ...sandbox.clientConfig('us-east-1'),
      credentials: await memberCredentials(sandbox, '222222222222'),
    });
  });
  afterAll(async () => {
    rg.destroy();
    await sandbox.stop();
  });

  it('lists the groups of the caller account and Region', async () => {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await rg.send(new ListGroupsCommand({ NextToken: token }));
      names.push(...(page.GroupIdentifiers ?? []).map((g) => g.GroupName ?? ''));
      expect(page.Groups?.map((g) => g.Name)).toEqual(page.GroupIdentifiers?.map((g) => g.GroupName));
      token = page.NextToken;
    } while (token);
    expect(names.sort()).toEqual(['empty-group', 'orgpatch-targets', 'windows']);
  });

  it('gets a group by name and by ARN', async () => {
    const byName = await rg.send(new GetGroupCommand({ GroupName: 'orgpatch-targets' }));
    expect(byName.Group?.GroupArn).toBe('arn:aws:resource-groups:us-east-1:222222222222:group/orgpatch-targets');
    const byArn = await rg.send(new GetGroupCommand({ Group: byName.Group?.GroupArn }));
    expect(byArn.Group?.Name).toBe('orgpatch-targets');
  });

  it('walks every member with the SDK paginator, through empty pages, with both identifier shapes', async () => {
    const arns: string[] = [];
    let pages = 0;
    let emptyWithToken = 0;
    for await (const page of paginateListGroupResources({ client: rg, pageSize: 10 }, { Group: 'orgpatch-targets' })) {
      pages++;
      if ((page.Resources ?? []).length === 0 && page.NextToken) emptyWithToken++;
      expect(page.ResourceIdentifiers).toEqual(page.Resources?.map((r) => r.Identifier));
      expect(page.QueryErrors).toEqual([]);
      arns.push(...(page.Resources ?? []).map((r) => r.Identifier?.ResourceArn ?? ''));
    }
    expect(arns).toHaveLength(61);
    expect(new Set(arns).size).toBe(61);
    expect(pages).toBeGreaterThanOrEqual(7);
    expect(emptyWithToken).toBeGreaterThan(0);
    expect(arns.filter((a) => a.includes(':ec2:us-east-1:222222222222:instance/i-'))).toHaveLength(60);
    expect(arns).toContain('arn:aws:ssm:us-east-1:222222222222:managed-instance/mi-0123456789abcdef0');
  });

  it('filters members by resource type', async () => {
    const out = await rg.send(
      new ListGroupResourcesCommand({
        Group: 'windows',
        Filters: [{ Name: 'resource-type', Values: ['AWS::SSM::ManagedInstance'] }],
      }),
    );
    expect(out.Resources?.map((r) => r.Identifier?.ResourceType)).toEqual(['AWS::SSM::ManagedInstance']);
  });

  it('lists an empty group as empty, and reports QueryErrors where the group has them', async () => {
    const empty = await rg.send(new ListGroupResourcesCommand({ Group: 'empty-group' }));
    expect(empty.Resources).toEqual([]);
    expect(empty.NextToken).toBeUndefined();
    const dev2 = new ResourceGroupsClient({
      ...sandbox.clientConfig('eu-west-1'),
      credentials: await memberCredentials(sandbox, '333333333333'),
    });
    const broken = await dev2.send(new ListGroupResourcesCommand({ GroupName: 'stack-group' }));
    expect(broken.QueryErrors).toEqual([
      { ErrorCode: 'CLOUDFORMATION_STACK_NOT_EXISTING', Message: 'The stack does not exist.' },
    ]);
    dev2.destroy();
  });

  it('raises NotFoundException for a missing group and BadRequestException for MaxResults over 50', async () => {
    await expect(rg.send(new ListGroupResourcesCommand({ Group: 'nope' }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(rg.send(new GetGroupCommand({ GroupName: 'nope' }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(
      rg.send(new ListGroupResourcesCommand({ Group: 'orgpatch-targets', MaxResults: 51 })),
    ).rejects.toBeInstanceOf(BadRequestException);
    await expect(rg.send(new ListGroupsCommand({ MaxResults: 0 }))).rejects.toBeInstanceOf(BadRequestException);
    await expect(
      rg.send(new ListGroupResourcesCommand({ Group: 'orgpatch-targets', NextToken: 'bogus' })),
    ).rejects.toBeInstanceOf(BadRequestException);
  });

  it('sees only the caller account: the same group name elsewhere is another group', async () => {
    const eu = new ResourceGroupsClient({
      ...sandbox.clientConfig('eu-west-1'),
      credentials: await memberCredentials(sandbox, '222222222222'),
    });
    const out = await eu.send(new ListGroupResourcesCommand({ Group: 'orgpatch-targets' }));
    expect(out.Resources).toHaveLength(2);
    expect(out.Resources?.every((r) => r.Identifier?.ResourceArn?.includes(':eu-west-1:222222222222:'))).toBe(true);
    eu.destroy();
  });

  it('refuses a Region the account has not enabled as AWS does (UnrecognizedClientException)', async () => {
    const southAfrica = new ResourceGroupsClient({
      ...sandbox.clientConfig('af-south-1'),
      credentials: await memberCredentials(sandbox, '333333333333'),
    });
    const attempt = southAfrica.send(new ListGroupsCommand({}));
    await expect(attempt).rejects.toBeInstanceOf(ResourceGroupsServiceException);
    await expect(attempt).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    southAfrica.destroy();
  });
});
