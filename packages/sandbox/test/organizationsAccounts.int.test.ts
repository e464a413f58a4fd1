import {
  AccessDeniedException,
  AccountNotFoundException,
  AWSOrganizationsNotInUseException,
  ChildNotFoundException,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox, type WorldFile } from '../src/index.js';
import { memberCredentials } from './helpers.js';

const MGMT = '100000000001';
const ACTIVE = '200000000002';
const PENDING_ACTIVATION = '300000000003';
const SUSPENDED = '400000000004';
const PENDING_CLOSURE = '500000000005';
const CLOSED = '600000000006';
const CLOSED_LONG_AGO = '700000000007';
const STACKSETS_ADMIN = '800000000008';
const POLICY_READER = '900000000009';
const ROOT = 'r-acct';
const OU = 'ou-acct-11111111';
const DAY = 24 * 60 * 60 * 1000;

/** One account per State; a registered delegated administrator; a member the delegation policy lets list accounts. */
function world(startTime: string): WorldFile {
  const start = Date.parse(startTime);
  const account = (id: string, name: string, rest: Record<string, unknown> = {}) => ({
    id,
    name,
    email: `${name}@example.com`,
    parentId: OU,
    ...rest,
  });
  return {
    organization: { id: 'o-accounts001', rootId: ROOT, managementAccountId: MGMT },
    startTime,
    regions: ['us-east-1'],
    ous: [{ id: OU, name: 'workloads', parentId: ROOT }],
    accounts: [
      { ...account(MGMT, 'management'), parentId: ROOT },
      account(ACTIVE, 'active', { state: 'ACTIVE' }),
      account(PENDING_ACTIVATION, 'pending-activation', { state: 'PENDING_ACTIVATION' }),
      account(SUSPENDED, 'suspended', { state: 'SUSPENDED' }),
      account(PENDING_CLOSURE, 'pending-closure', { state: 'PENDING_CLOSURE' }),
      // Closed 89 days before the start: listed for one more day.
      account(CLOSED, 'closed', { state: 'CLOSED', closedTimestamp: new Date(start - 89 * DAY).toISOString() }),
      // Closed 91 days before the start: it has left the Organization.
      account(CLOSED_LONG_AGO, 'closed-long-ago', {
        state: 'CLOSED',
        closedTimestamp: new Date(start - 91 * DAY).toISOString(),
      }),
      account(STACKSETS_ADMIN, 'stacksets-admin'),
      account(POLICY_READER, 'policy-reader'),
    ],
    delegatedAdministrators: [
      { accountId: STACKSETS_ADMIN, servicePrincipal: 'member.org.stacksets.cloudformation.amazonaws.com' },
    ],
    delegationPolicy: [
      { accountId: POLICY_READER, actions: ['organizations:ListAccounts', 'organizations:Describe*'] },
    ],
  } as WorldFile;
}

let sandbox: Sandbox | undefined;
const clients: { destroy(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await sandbox?.stop();
  sandbox = undefined;
});

async function start(startTime: string): Promise<Sandbox> {
  sandbox = await startSandbox({ world: world(startTime), timeScale: 0, emptyPageRate: 0 });
  return sandbox;
}

function organizations(s: Sandbox, credentials?: Awaited<ReturnType<typeof memberCredentials>>) {
  const client = new OrganizationsClient({ ...s.clientConfig('us-east-1'), ...(credentials ? { credentials } : {}) });
  clients.push(client);
  return client;
}

const ids = (accounts: { Id?: string }[] | undefined) => (accounts ?? []).map((a) => a.Id);

/** A response without its request metadata (request id, attempts), which differs call to call. */
function withoutMetadata(output: object): object {
  const { $metadata: _, ...rest } = output as { $metadata?: unknown };
  return rest;
}

describe('Organizations account states', () => {
  it('answers each of the five States, and the retired Status as AWS derived it before 2026-09-09', async () => {
    const s = await start('2026-06-01T00:00:00Z');
    const out = await organizations(s).send(new ListAccountsForParentCommand({ ParentId: OU }));
    const byId = new Map((out.Accounts ?? []).map((a) => [a.Id, { State: a.State, Status: a.Status }]));
    expect(Object.fromEntries(byId)).toEqual({
      [ACTIVE]: { State: 'ACTIVE', Status: 'ACTIVE' },
      [PENDING_ACTIVATION]: { State: 'PENDING_ACTIVATION', Status: undefined },
      [SUSPENDED]: { State: 'SUSPENDED', Status: 'SUSPENDED' },
      [PENDING_CLOSURE]: { State: 'PENDING_CLOSURE', Status: 'PENDING_CLOSURE' },
      [CLOSED]: { State: 'CLOSED', Status: 'SUSPENDED' },
      [STACKSETS_ADMIN]: { State: 'ACTIVE', Status: 'ACTIVE' },
      [POLICY_READER]: { State: 'ACTIVE', Status: 'ACTIVE' },
    });
  });

  it('stops answering Status on 2026-09-09, when Organizations retires it', async () => {
    const s = await start('2026-09-08T12:00:00Z');
    const org = organizations(s);
    const before = await org.send(new DescribeAccountCommand({ AccountId: CLOSED }));
    expect(before.Account).toMatchObject({ State: 'CLOSED', Status: 'SUSPENDED' });
    s.advance(DAY / 2);
    const after = await org.send(new DescribeAccountCommand({ AccountId: CLOSED }));
    expect(after.Account?.State).toBe('CLOSED');
    expect(after.Account).not.toHaveProperty('Status');
  });

  it('lists a CLOSED account for 90 days after its closure, then it has left the Organization', async () => {
    const s = await start('2026-06-01T00:00:00Z');
    const org = organizations(s);
    const listed = async () => ids((await org.send(new ListAccountsCommand({}))).Accounts);
    expect(await listed()).toContain(CLOSED);
    expect(await listed()).not.toContain(CLOSED_LONG_AGO);
    await expect(org.send(new DescribeAccountCommand({ AccountId: CLOSED_LONG_AGO }))).rejects.toBeInstanceOf(
      AccountNotFoundException,
    );
    await expect(org.send(new ListParentsCommand({ ChildId: CLOSED_LONG_AGO }))).rejects.toBeInstanceOf(
      ChildNotFoundException,
    );
    expect((await org.send(new ListParentsCommand({ ChildId: CLOSED }))).Parents).toEqual([
      { Id: OU, Type: 'ORGANIZATIONAL_UNIT' },
    ]);

    s.advance(DAY);
    expect(await listed()).not.toContain(CLOSED);
    const children = await org.send(new ListChildrenCommand({ ParentId: OU, ChildType: 'ACCOUNT' }));
    expect(ids(children.Children)).not.toContain(CLOSED);
    await expect(org.send(new DescribeAccountCommand({ AccountId: CLOSED }))).rejects.toBeInstanceOf(
      AccountNotFoundException,
    );
  });

  it('refuses AssumeRole into a CLOSED, SUSPENDED or PENDING_ACTIVATION account, not into PENDING_CLOSURE', async () => {
    const s = await start('2026-06-01T00:00:00Z');
    const sts = new STSClient(s.clientConfig('us-east-1'));
    clients.push(sts);
    const assume = (accountId: string) =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${accountId}:role/OrgPatchExecutionRole`,
          RoleSessionName: 'orgpatch',
        }),
      );
    for (const id of [CLOSED, SUSPENDED, PENDING_ACTIVATION]) {
      await expect(assume(id)).rejects.toMatchObject({ name: 'AccessDenied' });
    }
    expect((await assume(PENDING_CLOSURE)).Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });
});

describe('Organizations delegated administrators', () => {
  /** The read-only operations served, each as a call on a client. */
  const readOnly: ((client: OrganizationsClient) => Promise<object>)[] = [
    (c) => c.send(new ListRootsCommand({})),
    (c) => c.send(new ListOrganizationalUnitsForParentCommand({ ParentId: ROOT })),
    (c) => c.send(new ListChildrenCommand({ ParentId: OU, ChildType: 'ACCOUNT' })),
    (c) => c.send(new ListParentsCommand({ ChildId: ACTIVE })),
    (c) => c.send(new ListAccountsCommand({})),
    (c) => c.send(new ListAccountsForParentCommand({ ParentId: OU })),
    (c) => c.send(new DescribeAccountCommand({ AccountId: MGMT })),
  ];

  it('answers a registered delegated administrator every read-only operation as it answers the management account', async () => {
    const s = await start('2026-06-01T00:00:00Z');
    const management = organizations(s);
    const admin = organizations(s, await memberCredentials(s, STACKSETS_ADMIN));
    for (const call of readOnly) {
      const [fromAdmin, fromManagement] = await Promise.all([call(admin), call(management)]);
      expect(withoutMetadata(fromAdmin)).toEqual(withoutMetadata(fromManagement));
    }
  });

  it('lets the delegation policy grant the actions it names and no others', async () => {
    const s = await start('2026-06-01T00:00:00Z');
    const reader = organizations(s, await memberCredentials(s, POLICY_READER));
    expect(ids((await reader.send(new ListAccountsCommand({}))).Accounts)).toContain(MGMT);
    expect((await reader.send(new DescribeAccountCommand({ AccountId: ACTIVE }))).Account?.Id).toBe(ACTIVE);
    const denied = reader.send(new ListRootsCommand({}));
    await expect(denied).rejects.toBeInstanceOf(AccessDeniedException);
    await expect(denied).rejects.toMatchObject({
      message: "You don't have permissions to access this resource.",
      $metadata: { httpStatusCode: 403 },
    });
    await expect(reader.send(new ListAccountsForParentCommand({ ParentId: OU }))).rejects.toBeInstanceOf(
      AccessDeniedException,
    );
  });

  it('denies every read-only operation to another member but lets it describe the organization', async () => {
    const s = await start('2026-06-01T00:00:00Z');
    const member = organizations(s, await memberCredentials(s, ACTIVE));
    for (const call of readOnly) {
      await expect(call(member)).rejects.toBeInstanceOf(AccessDeniedException);
    }
    expect((await member.send(new DescribeOrganizationCommand({}))).Organization?.MasterAccountId).toBe(MGMT);
  });

  it('answers AWSOrganizationsNotInUseException to an account that has left the Organization', async () => {
    const s = await start('2026-06-01T00:00:00Z');
    // Its keys were issued while it could still be entered; it left 91 days after its closure.
    const departed = s.world.accounts.get(CLOSED_LONG_AGO)!;
    departed.status = 'ACTIVE';
    const credentials = await memberCredentials(s, CLOSED_LONG_AGO);
    departed.status = 'CLOSED';
    const gone = organizations(s, credentials);
    await expect(gone.send(new ListAccountsCommand({}))).rejects.toBeInstanceOf(AWSOrganizationsNotInUseException);
    await expect(gone.send(new DescribeOrganizationCommand({}))).rejects.toBeInstanceOf(
      AWSOrganizationsNotInUseException,
    );
  });
});
