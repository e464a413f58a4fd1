import { GetRoleCommand, IAMClient, IAMServiceException, NoSuchEntityException } from '@aws-sdk/client-iam';
import {
  DescribeInstanceInformationCommand,
  GetDocumentCommand,
  InvalidDocument,
  InvalidDocumentVersion,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, EXECUTION_ROLE_NAME } from '@orgpatch/core';
import { orgPatchRunbookContent } from '@orgpatch/member-stack/definitions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox, WorldFile } from '../src/index.js';
import { startTestSandbox } from './helpers.js';

const MGMT = '111111111111';
const MEMBER = '222222222222';
const NO_STACKS = '333333333333';
const OFFLINE = 'i-0aaaaaaaaaaaaaaa1';
const ONLINE = 'i-0aaaaaaaaaaaaaaa2';

const world: WorldFile = {
  organization: { id: 'o-preflight01', rootId: 'r-pf01', managementAccountId: MGMT },
  regions: ['us-east-1', 'eu-west-1'],
  ous: [],
  accounts: [
    { id: MGMT, name: 'management', email: 'm@example.com', parentId: 'r-pf01', memberStacks: false },
    {
      id: MEMBER,
      name: 'member',
      email: 'a@example.com',
      parentId: 'r-pf01',
      memberStacks: { global: true, regions: ['us-east-1'] },
      locations: {
        'us-east-1': {
          instances: [
            { instanceId: OFFLINE, pingStatus: 'ConnectionLost', groups: ['web'] },
            { instanceId: ONLINE, groups: ['web'] },
            { count: 1, managed: false, groups: ['web'] },
          ],
        },
      },
    },
    { id: NO_STACKS, name: 'bare', email: 'b@example.com', parentId: 'r-pf01', memberStacks: false },
  ],
};

/** What the member's execution role sees: the orgpatch document, its automation role, its nodes. */
describe('the reads of orgpatch doctor, through the SDK', () => {
  let sandbox: Sandbox;
  let iam: IAMClient;
  let ssm: (region: string) => SSMClient;
  const clients: { destroy(): void }[] = [];
  beforeAll(async () => {
    sandbox = await startTestSandbox({ world, faults: { throttle: [] } });
    const sts = new STSClient(sandbox.clientConfig('us-east-1'));
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${MEMBER}:role/${EXECUTION_ROLE_NAME}`,
        RoleSessionName: 'doctor',
      }),
    );
    sts.destroy();
    const credentials = {
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    };
    iam = new IAMClient({ ...sandbox.clientConfig('us-east-1'), credentials });
    clients.push(iam);
    ssm = (region) => {
      const client = new SSMClient({ ...sandbox.clientConfig(region), credentials });
      clients.push(client);
      return client;
    };
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await sandbox.stop();
  });

  it('GetRole answers the automation role the global stack created, with its URL-encoded trust', async () => {
    const out = await iam.send(new GetRoleCommand({ RoleName: AUTOMATION_ROLE_NAME }));
    expect(out.Role?.Arn).toBe(`arn:aws:iam::${MEMBER}:role/${AUTOMATION_ROLE_NAME}`);
    expect(out.Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(out.Role?.CreateDate).toBeInstanceOf(Date);
    const trust = JSON.parse(decodeURIComponent(out.Role?.AssumeRolePolicyDocument ?? ''));
    expect(trust.Statement[0].Principal).toEqual({ Service: 'ssm.amazonaws.com' });
  });

  it('GetRole raises NoSuchEntityException (404) for a role that is not there, and ValidationError for a bad name', async () => {
    sandbox.world.accounts.get(MEMBER)?.roles.delete(AUTOMATION_ROLE_NAME);
    const missing = await iam.send(new GetRoleCommand({ RoleName: AUTOMATION_ROLE_NAME })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NoSuchEntityException);
    expect((missing as NoSuchEntityException).$metadata.httpStatusCode).toBe(404);
    expect((missing as Error).message).toBe(`The role with name ${AUTOMATION_ROLE_NAME} cannot be found.`);
    const invalid = await iam.send(new GetRoleCommand({ RoleName: 'has space' })).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(IAMServiceException);
    expect((invalid as Error).name).toBe('ValidationError');
  });

  it('IAM refuses a scope outside the global Region, as a global service does', async () => {
    const outside = new IAMClient({ ...sandbox.clientConfig('eu-west-1') });
    clients.push(outside);
    const error = await outside.send(new GetRoleCommand({ RoleName: AUTOMATION_ROLE_NAME })).catch((e: unknown) => e);
    expect((error as Error).name).toBe('SignatureDoesNotMatch');
  });

  it('GetDocument returns the orgpatch runbook where the Regional stack is, InvalidDocument where not', async () => {
    const found = await ssm('us-east-1').send(new GetDocumentCommand({ Name: AUTOMATION_DOCUMENT_NAME }));
    expect(found).toMatchObject({ Name: AUTOMATION_DOCUMENT_NAME, DocumentVersion: '1', Status: 'Active' });
    expect(JSON.parse(found.Content ?? '')).toEqual(orgPatchRunbookContent);
    const missing = await ssm('eu-west-1')
      .send(new GetDocumentCommand({ Name: AUTOMATION_DOCUMENT_NAME }))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InvalidDocument);
    const version = await ssm('us-east-1')
      .send(new GetDocumentCommand({ Name: AUTOMATION_DOCUMENT_NAME, DocumentVersion: '7' }))
      .catch((e: unknown) => e);
    expect(version).toBeInstanceOf(InvalidDocumentVersion);
  });

  it('DescribeInstanceInformation reports each managed node’s PingStatus and filters on it; unmanaged ones are absent', async () => {
    const all = await ssm('us-east-1').send(new DescribeInstanceInformationCommand({ MaxResults: 50 }));
    const ping = Object.fromEntries((all.InstanceInformationList ?? []).map((n) => [n.InstanceId, n.PingStatus]));
    expect(ping).toEqual({ [OFFLINE]: 'ConnectionLost', [ONLINE]: 'Online' });
    const lost = await ssm('us-east-1').send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: 'PingStatus', Values: ['ConnectionLost'] }] }),
    );
    expect((lost.InstanceInformationList ?? []).map((n) => n.InstanceId)).toEqual([OFFLINE]);
  });
});
