import {
  ListGroupsCommand,
  ResourceGroupsClient,
  ResourceGroupsServiceException,
} from '@aws-sdk/client-resource-groups';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  RegionDisabledException,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { EXECUTION_ROLE_NAME } from '@orgpatch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { startTestSandbox } from './helpers.js';

const roleArn = (account: string) => `arn:aws:iam::${account}:role/${EXECUTION_ROLE_NAME}`;

describe('STS', () => {
  let sandbox: Sandbox;
  let sts: STSClient;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    sts = new STSClient(sandbox.clientConfig('us-east-1'));
  });
  afterAll(async () => {
    sts.destroy();
    await sandbox.stop();
  });

  const assume = (account: string, extra: { DurationSeconds?: number } = {}) =>
    sts.send(new AssumeRoleCommand({ RoleArn: roleArn(account), RoleSessionName: 'orgpatch-test', ...extra }));
  const asCredentials = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined) => ({
    accessKeyId: c?.AccessKeyId ?? '',
    secretAccessKey: c?.SecretAccessKey ?? '',
    sessionToken: c?.SessionToken ?? '',
  });

  it('identifies the orchestrator principal as an assumed role in the management account', async () => {
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe('111111111111');
    expect(me.Arn).toBe('arn:aws:sts::111111111111:assumed-role/OrgPatchOrchestratorRole/orgpatch');
    expect(me.UserId).toMatch(/^AROA[A-Z2-7]{17}:orgpatch$/);
  });

  it('assumes the member execution role and issues ASIA keys that act in the member account', async () => {
    const out = await assume('222222222222', { DurationSeconds: 900 });
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.Expiration?.getTime()).toBe(sandbox.clock.now() + 900_000);
    expect(out.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::222222222222:assumed-role/${EXECUTION_ROLE_NAME}/orgpatch-test`,
    );
    const member = new STSClient({ ...sandbox.clientConfig('us-east-1'), credentials: asCredentials(out.Credentials) });
    const me = await member.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe('222222222222');
    expect(me.Arn).toBe(out.AssumedRoleUser?.Arn);
    member.destroy();
  });

  it('denies a role the target account does not have, with the AWS message', async () => {
    const attempt = assume('555555555555');
    await expect(attempt).rejects.toBeInstanceOf(STSServiceException);
    await expect(attempt).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:sts::111111111111:assumed-role/OrgPatchOrchestratorRole/orgpatch is not authorized to perform: sts:AssumeRole on resource: ${roleArn('555555555555')}`,
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('denies a principal the role does not trust (a member session assuming another member role)', async () => {
    const out = await assume('222222222222');
    const member = new STSClient({ ...sandbox.clientConfig('us-east-1'), credentials: asCredentials(out.Credentials) });
    await expect(
      member.send(new AssumeRoleCommand({ RoleArn: roleArn('444444444444'), RoleSessionName: 'hop' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    member.destroy();
  });

  it('denies assuming a role in a suspended account', async () => {
    await expect(assume('666666666666')).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('bounds DurationSeconds between 900 and the role MaxSessionDuration (one hour, as chaining caps it)', async () => {
    await expect(assume('222222222222', { DurationSeconds: 899 })).rejects.toMatchObject({ name: 'ValidationError' });
    const tooLong = assume('222222222222', { DurationSeconds: 7200 });
    await expect(tooLong).rejects.toBeInstanceOf(STSServiceException);
    await expect(tooLong).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
  });

  it('rejects temporary credentials once they expire on the simulated clock', async () => {
    const out = await assume('222222222222', { DurationSeconds: 900 });
    const config = { ...sandbox.clientConfig('us-east-1'), credentials: asCredentials(out.Credentials) };
    const member = new STSClient(config);
    const rg = new ResourceGroupsClient(config);
    await expect(member.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: '222222222222' });
    sandbox.advance(900_000);
    await expect(member.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'ExpiredToken',
      message: 'The security token included in the request is expired',
    });
    const listed = rg.send(new ListGroupsCommand({}));
    await expect(listed).rejects.toBeInstanceOf(ResourceGroupsServiceException);
    await expect(listed).rejects.toMatchObject({ name: 'ExpiredTokenException' });
    member.destroy();
    rg.destroy();
  });

  it('rejects an unknown access key with InvalidClientTokenId', async () => {
    const stranger = new STSClient({
      ...sandbox.clientConfig('us-east-1'),
      credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) },
    });
    await expect(stranger.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      $metadata: { httpStatusCode: 403 },
    });
    stranger.destroy();
  });

  it('raises RegionDisabledException when the target account has not enabled the STS Region', async () => {
    const southAfrica = new STSClient(sandbox.clientConfig('af-south-1'));
    await expect(
      southAfrica.send(new AssumeRoleCommand({ RoleArn: roleArn('333333333333'), RoleSessionName: 'x1' })),
    ).rejects.toBeInstanceOf(RegionDisabledException);
    const ok = await southAfrica.send(
      new AssumeRoleCommand({ RoleArn: roleArn('222222222222'), RoleSessionName: 'x1' }),
    );
    expect(ok.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    southAfrica.destroy();
  });
});
