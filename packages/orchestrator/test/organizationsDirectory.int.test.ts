import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AccountStatus, OrganizationSnapshot } from '@orgpatch/core';
import { type Sandbox, startSandbox, type WorldFile } from '@orgpatch/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsClientFactory, createAwsClientFactory } from '../src/aws/clients.js';
import { OrganizationsDirectory } from '../src/aws/organizationsDirectory.js';
import { OrganizationAccessError } from '../src/errors.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const MGMT = '100000000001';
const ROOT = 'r-dir1';
const OU = 'ou-dir1-11111111';
const TEAM_OU = 'ou-dir1-22222222';
const STACKSETS_ADMIN = '800000000008';
const MEMBER = '200000000002';
const STATES: Readonly<Record<string, AccountStatus>> = {
  '200000000002': 'ACTIVE',
  '300000000003': 'PENDING_ACTIVATION',
  '400000000004': 'SUSPENDED',
  '500000000005': 'PENDING_CLOSURE',
  '600000000006': 'CLOSED',
};

const world: WorldFile = {
  organization: { id: 'o-directory01', rootId: ROOT, managementAccountId: MGMT },
  // After 2026-09-09: Organizations answers State only.
  startTime: '2026-11-01T00:00:00Z',
  regions: ['us-east-1'],
  ous: [
    { id: OU, name: 'workloads', parentId: ROOT },
    { id: TEAM_OU, name: 'team', parentId: OU },
  ],
  accounts: [
    { id: MGMT, name: 'management', email: 'mgmt@example.com', parentId: ROOT },
    ...Object.entries(STATES).map(([id, state]) => ({
      id,
      name: state.toLowerCase(),
      email: `${id}@example.com`,
      parentId: TEAM_OU,
      state,
    })),
    { id: STACKSETS_ADMIN, name: 'tooling', email: 'tooling@example.com', parentId: OU },
  ],
  delegatedAdministrators: [
    { accountId: STACKSETS_ADMIN, servicePrincipal: 'member.org.stacksets.cloudformation.amazonaws.com' },
  ],
};

describe('OrganizationsDirectory against the sandbox', () => {
  let sandbox: Sandbox;
  const factories: AwsClientFactory[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ world, timeScale: 0, emptyPageRate: 0.3 });
  });
  afterAll(async () => {
    for (const f of factories) f.destroy();
    await sandbox.stop();
  });

  /** A client factory acting as the orchestrator principal, or as the member execution role of `accountId`. */
  async function clientsOf(accountId?: string): Promise<AwsClientFactory> {
    const config = sandbox.clientConfig('us-east-1');
    let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = config.credentials;
    if (accountId) {
      const sts = new STSClient(config);
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${accountId}:role/OrgPatchExecutionRole`,
          RoleSessionName: 'orgpatch',
        }),
      );
      sts.destroy();
      credentials = {
        accessKeyId: out.Credentials?.AccessKeyId ?? '',
        secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
        sessionToken: out.Credentials?.SessionToken ?? '',
      };
    }
    const factory = createAwsClientFactory({ ...config, credentials, homeRegion: 'us-east-1' });
    factories.push(factory);
    return factory;
  }

  const discover = async (clients: AwsClientFactory): Promise<OrganizationSnapshot> =>
    new OrganizationsDirectory({ clients, region: 'us-east-1' }).discover({ ouIds: [OU], accountIds: [] });

  it('reads every account State as it is, CLOSED and PENDING_ACTIVATION included', async () => {
    const snapshot = await discover(await clientsOf());
    expect(Object.fromEntries(snapshot.accounts.map((a) => [a.id, a.status]))).toEqual({
      ...STATES,
      [STACKSETS_ADMIN]: 'ACTIVE',
    });
    expect(snapshot.accounts.find((a) => a.id === '600000000006')?.ouPath).toEqual([ROOT, OU, TEAM_OU]);
  });

  it('discovers the same Organization from a delegated administrator account', async () => {
    const fromManagement = await discover(await clientsOf());
    const fromAdmin = await discover(await clientsOf(STACKSETS_ADMIN));
    expect(fromAdmin).toEqual({ ...fromManagement, callerAccountId: STACKSETS_ADMIN });
  });

  it('says how to allow a member account that is not a delegated administrator', async () => {
    const refused = discover(await clientsOf(MEMBER));
    await expect(refused).rejects.toBeInstanceOf(OrganizationAccessError);
    await expect(refused).rejects.toThrow(/register-delegated-administrator/);
  });
});
