import {
  AccessDeniedException,
  AccountNotFoundException,
  ChildNotFoundException,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  InvalidInputException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
  ParentNotFoundException,
  paginateListAccounts,
  paginateListAccountsForParent,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { startTestSandbox } from './helpers.js';

describe('Organizations', () => {
  let sandbox: Sandbox;
  let org: OrganizationsClient;
  beforeAll(async () => {
    // Before 2026-09-09, while Organizations still answers the retired Status next to State.
    sandbox = await startTestSandbox({ start: Date.parse('2026-06-01T00:00:00Z') });
    org = new OrganizationsClient(sandbox.clientConfig('us-east-1'));
  });
  afterAll(async () => {
    org.destroy();
    await sandbox.stop();
  });

  it('describes the organization from the management account', async () => {
    const out = await org.send(new DescribeOrganizationCommand({}));
    expect(out.Organization).toMatchObject({
      Id: 'o-testorg123',
      MasterAccountId: '111111111111',
      MasterAccountEmail: 'mgmt@example.com',
      FeatureSet: 'ALL',
      Arn: 'arn:aws:organizations::111111111111:organization/o-testorg123',
    });
  });

  it('lists the root and the OUs under each parent', async () => {
    const roots = await org.send(new ListRootsCommand({}));
    expect(roots.Roots?.map((r) => r.Id)).toEqual(['r-t3st']);
    const top = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: 'r-t3st' }));
    expect(top.OrganizationalUnits?.map((o) => o.Name)).toEqual(['dev', 'prod']);
    const nested = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: 'ou-t3st-bbbbbbbb' }));
    expect(nested.OrganizationalUnits).toEqual([
      {
        Id: 'ou-t3st-cccccccc',
        Name: 'prod-eu',
        Arn: 'arn:aws:organizations::111111111111:ou/o-testorg123/ou-t3st-cccccccc',
        Path: 'o-testorg123/r-t3st/ou-t3st-bbbbbbbb/ou-t3st-cccccccc/',
      },
    ]);
  });

  it('lists children by type and parents of a child', async () => {
    const accounts = await org.send(new ListChildrenCommand({ ParentId: 'ou-t3st-bbbbbbbb', ChildType: 'ACCOUNT' }));
    expect(accounts.Children).toEqual([
      { Id: '444444444444', Type: 'ACCOUNT' },
      { Id: '666666666666', Type: 'ACCOUNT' },
    ]);
    const ous = await org.send(
      new ListChildrenCommand({ ParentId: 'ou-t3st-bbbbbbbb', ChildType: 'ORGANIZATIONAL_UNIT' }),
    );
    expect(ous.Children).toEqual([{ Id: 'ou-t3st-cccccccc', Type: 'ORGANIZATIONAL_UNIT' }]);
    const parents = await org.send(new ListParentsCommand({ ChildId: '555555555555' }));
    expect(parents.Parents).toEqual([{ Id: 'ou-t3st-cccccccc', Type: 'ORGANIZATIONAL_UNIT' }]);
  });

  it('reports accounts with Status, State, JoinedTimestamp as a Date and their path', async () => {
    const out = await org.send(new DescribeAccountCommand({ AccountId: '666666666666' }));
    expect(out.Account).toMatchObject({
      Id: '666666666666',
      Name: 'suspended',
      Status: 'SUSPENDED',
      State: 'SUSPENDED',
      JoinedMethod: 'CREATED',
      Arn: 'arn:aws:organizations::111111111111:account/o-testorg123/666666666666',
      Paths: ['o-testorg123/r-t3st/ou-t3st-bbbbbbbb/666666666666/'],
    });
    expect(out.Account?.JoinedTimestamp).toBeInstanceOf(Date);
  });

  it('does not recurse in ListAccountsForParent', async () => {
    const ids: string[] = [];
    for await (const page of paginateListAccountsForParent({ client: org }, { ParentId: 'ou-t3st-bbbbbbbb' })) {
      ids.push(...(page.Accounts ?? []).map((a) => a.Id ?? ''));
    }
    expect(ids).toEqual(['444444444444', '666666666666']);
  });

  it('pages ListAccounts with MaxResults and a NextToken', async () => {
    const first = await org.send(new ListAccountsCommand({ MaxResults: 4 }));
    expect(first.Accounts).toHaveLength(4);
    expect(first.NextToken).toBeTypeOf('string');
    const second = await org.send(new ListAccountsCommand({ MaxResults: 4, NextToken: first.NextToken }));
    expect(second.Accounts?.map((a) => a.Id)).toEqual(['555555555555', '666666666666']);
    expect(second.NextToken).toBeUndefined();
  });

  it('rejects MaxResults outside 1..20 and foreign tokens with InvalidInputException', async () => {
    const tooMany = org.send(new ListAccountsCommand({ MaxResults: 21 }));
    await expect(tooMany).rejects.toBeInstanceOf(InvalidInputException);
    await expect(tooMany).rejects.toMatchObject({ Reason: 'MAX_VALUE_EXCEEDED' });
    await expect(org.send(new ListAccountsCommand({ MaxResults: 0 }))).rejects.toMatchObject({
      Reason: 'MIN_VALUE_EXCEEDED',
    });
    const page = await org.send(new ListAccountsForParentCommand({ ParentId: 'ou-t3st-aaaaaaaa', MaxResults: 1 }));
    expect(page.NextToken).toBeTypeOf('string');
    const reused = org.send(new ListAccountsCommand({ NextToken: page.NextToken }));
    await expect(reused).rejects.toBeInstanceOf(InvalidInputException);
    await expect(reused).rejects.toMatchObject({ Reason: 'INVALID_PAGINATION_TOKEN' });
    await expect(org.send(new ListAccountsCommand({ NextToken: 'garbage' }))).rejects.toBeInstanceOf(
      InvalidInputException,
    );
  });

  it('raises ParentNotFoundException, ChildNotFoundException and AccountNotFoundException', async () => {
    await expect(
      org.send(new ListChildrenCommand({ ParentId: 'ou-t3st-zzzzzzzz', ChildType: 'ACCOUNT' })),
    ).rejects.toBeInstanceOf(ParentNotFoundException);
    await expect(org.send(new ListParentsCommand({ ChildId: '999999999999' }))).rejects.toBeInstanceOf(
      ChildNotFoundException,
    );
    await expect(org.send(new DescribeAccountCommand({ AccountId: '999999999999' }))).rejects.toBeInstanceOf(
      AccountNotFoundException,
    );
  });

  it('denies listing to a member account but lets it describe the organization', async () => {
    const sts = new STSClient(sandbox.clientConfig('us-east-1'));
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::222222222222:role/OrgPatchExecutionRole',
        RoleSessionName: 'test',
      }),
    );
    const member = new OrganizationsClient({
      ...sandbox.clientConfig('us-east-1'),
      credentials: {
        accessKeyId: assumed.Credentials!.AccessKeyId!,
        secretAccessKey: assumed.Credentials!.SecretAccessKey!,
        sessionToken: assumed.Credentials!.SessionToken!,
      },
    });
    await expect(member.send(new ListAccountsCommand({}))).rejects.toBeInstanceOf(AccessDeniedException);
    const described = await member.send(new DescribeOrganizationCommand({}));
    expect(described.Organization?.Id).toBe('o-testorg123');
    member.destroy();
    sts.destroy();
  });

  it('walks every account exactly once with paginateListAccounts through empty pages', async () => {
    const big = await startTestSandbox({
      world: { generate: { seed: 3, accounts: 400, regions: 2 } },
      emptyPageRate: 0.3,
    });
    const client = new OrganizationsClient(big.clientConfig('us-east-1'));
    const seen = new Map<string, number>();
    let emptyPagesWithToken = 0;
    for await (const page of paginateListAccounts({ client }, {})) {
      if ((page.Accounts ?? []).length === 0 && page.NextToken) emptyPagesWithToken++;
      for (const a of page.Accounts ?? []) seen.set(a.Id ?? '', (seen.get(a.Id ?? '') ?? 0) + 1);
    }
    expect(seen.size).toBe(400);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(emptyPagesWithToken).toBeGreaterThan(0);
    client.destroy();
    await big.stop();
  });
});
