import {
  ListRootsCommand,
  AccessDeniedException as OrgAccessDeniedException,
  OrganizationsClient,
  TooManyRequestsException as OrgTooManyRequestsException,
  ServiceException,
} from '@aws-sdk/client-organizations';
import {
  ForbiddenException,
  ListGroupsCommand,
  ResourceGroupsClient,
  TooManyRequestsException as RgTooManyRequestsException,
} from '@aws-sdk/client-resource-groups';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeInstanceInformationCommand,
  InternalServerError,
  SSMClient,
  AccessDeniedException as SsmAccessDeniedException,
  ThrottlingException,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SandboxOptionsError } from '../src/errors.js';
import type { Sandbox } from '../src/index.js';
import { SSM_AUTOMATION_API_QUOTAS } from '../src/ssm/quotas.js';
import { memberCredentials, startTestSandbox } from './helpers.js';

describe('faults', () => {
  let sandbox: Sandbox;
  let member: Awaited<ReturnType<typeof memberCredentials>>;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    member = await memberCredentials(sandbox, '222222222222');
  });
  afterEach(() => {
    sandbox.faults.reset();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('throttles with a token bucket, and the SDK retries until a token is free', async () => {
    const org = new OrganizationsClient(sandbox.clientConfig('us-east-1'));
    sandbox.faults.set({ throttle: [{ service: 'organizations', operation: 'ListRoots', rate: 20, burst: 1 }] });
    const [a, b] = await Promise.all([org.send(new ListRootsCommand({})), org.send(new ListRootsCommand({}))]);
    expect(a.Roots).toHaveLength(1);
    expect(b.Roots).toHaveLength(1);
    expect(sandbox.calls.count({ operation: 'ListRoots', outcome: 'TooManyRequestsException' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(Math.max(a.$metadata.attempts ?? 0, b.$metadata.attempts ?? 0)).toBeGreaterThan(1);
    org.destroy();
  });

  it("surfaces each service's own throttling error once the SDK's retries are exhausted", async () => {
    sandbox.faults.set({ throttle: [{ rate: 0, burst: 0 }] });
    const org = new OrganizationsClient(sandbox.clientConfig('us-east-1'));
    const ssm = new SSMClient({ ...sandbox.clientConfig('us-east-1'), credentials: member });
    const rg = new ResourceGroupsClient({ ...sandbox.clientConfig('us-east-1'), credentials: member });
    const sts = new STSClient(sandbox.clientConfig('us-east-1'));
    const s3 = new S3Client(sandbox.clientConfig('us-east-1'));
    const [orgError, ssmError, rgError, stsError, s3Error] = await Promise.all([
      org.send(new ListRootsCommand({})).catch((e: unknown) => e),
      ssm.send(new DescribeInstanceInformationCommand({})).catch((e: unknown) => e),
      rg.send(new ListGroupsCommand({})).catch((e: unknown) => e),
      sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e),
      s3.send(new ListObjectsV2Command({ Bucket: 'orgpatch-runs' })).catch((e: unknown) => e),
    ]);
    expect(orgError).toBeInstanceOf(OrgTooManyRequestsException);
    expect(ssmError).toBeInstanceOf(ThrottlingException);
    expect(rgError).toBeInstanceOf(RgTooManyRequestsException);
    expect(stsError).toMatchObject({ name: 'Throttling' });
    expect(s3Error).toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    for (const error of [orgError, ssmError, rgError, stsError, s3Error]) {
      expect(error).toMatchObject({ $metadata: { attempts: 3 } });
    }
    for (const client of [org, ssm, rg, sts, s3]) client.destroy();
  });

  it('throttles one (account, Region) across APIs without touching other locations', async () => {
    sandbox.faults.set({
      throttle: [
        { accountId: '222222222222', region: 'us-east-1', rate: 0, burst: 2, bucketBy: ['account', 'region'] },
      ],
    });
    const rg = new ResourceGroupsClient({ ...sandbox.clientConfig('us-east-1'), credentials: member, maxAttempts: 1 });
    const ssm = new SSMClient({ ...sandbox.clientConfig('us-east-1'), credentials: member, maxAttempts: 1 });
    const rgEu = new ResourceGroupsClient({
      ...sandbox.clientConfig('eu-west-1'),
      credentials: member,
      maxAttempts: 1,
    });
    await rg.send(new ListGroupsCommand({}));
    await ssm.send(new DescribeInstanceInformationCommand({}));
    await expect(rg.send(new ListGroupsCommand({}))).rejects.toBeInstanceOf(RgTooManyRequestsException);
    await expect(ssm.send(new DescribeInstanceInformationCommand({}))).rejects.toBeInstanceOf(ThrottlingException);
    await expect(rgEu.send(new ListGroupsCommand({}))).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
    for (const client of [rg, ssm, rgEu]) client.destroy();
  });

  it('denies chosen accounts per service with the service’s access-denied error', async () => {
    sandbox.faults.set({
      accessDenied: [
        { accountId: '222222222222', service: 'ssm' },
        { accountId: '222222222222', service: 'resource-groups', operations: ['ListGroups'] },
        { accountId: '111111111111', service: 'organizations' },
      ],
    });
    const ssm = new SSMClient({ ...sandbox.clientConfig('us-east-1'), credentials: member });
    const rg = new ResourceGroupsClient({ ...sandbox.clientConfig('us-east-1'), credentials: member });
    const org = new OrganizationsClient(sandbox.clientConfig('us-east-1'));
    const denied = ssm.send(new DescribeInstanceInformationCommand({}));
    await expect(denied).rejects.toBeInstanceOf(SsmAccessDeniedException);
    await expect(denied).rejects.toMatchObject({
      message: expect.stringContaining('is not authorized to perform: ssm:DescribeInstanceInformation'),
    });
    await expect(rg.send(new ListGroupsCommand({}))).rejects.toBeInstanceOf(ForbiddenException);
    await expect(org.send(new ListRootsCommand({}))).rejects.toBeInstanceOf(OrgAccessDeniedException);
    sandbox.faults.set({ accessDenied: [{ accountId: '222222222222', service: 'sts' }] });
    await expect(memberCredentials(sandbox, '222222222222')).rejects.toMatchObject({ name: 'AccessDenied' });
    for (const client of [ssm, rg, org]) client.destroy();
  });

  it('injects server errors as each service’s internal error', async () => {
    sandbox.faults.set({ serverErrorRateByOperation: { 'ssm:DescribeInstanceInformation': 1, ListRoots: 1 } });
    const ssm = new SSMClient({ ...sandbox.clientConfig('us-east-1'), credentials: member, maxAttempts: 1 });
    const org = new OrganizationsClient({ ...sandbox.clientConfig('us-east-1'), maxAttempts: 1 });
    await expect(ssm.send(new DescribeInstanceInformationCommand({}))).rejects.toBeInstanceOf(InternalServerError);
    await expect(org.send(new ListRootsCommand({}))).rejects.toBeInstanceOf(ServiceException);
    expect(sandbox.calls.count({ outcome: 'InternalServerError' })).toBe(1);
    for (const client of [ssm, org]) client.destroy();
  });

  it('adds latency, with per-operation overrides', async () => {
    sandbox.faults.set({ latency: { meanMs: 60, perOperation: { 'sts:GetCallerIdentity': { meanMs: 0 } } } });
    const org = new OrganizationsClient(sandbox.clientConfig('us-east-1'));
    const sts = new STSClient(sandbox.clientConfig('us-east-1'));
    sandbox.calls.reset();
    await org.send(new ListRootsCommand({}));
    await sts.send(new GetCallerIdentityCommand({}));
    const [slow] = sandbox.calls.list({ operation: 'ListRoots' });
    expect(slow?.latencyMs).toBeGreaterThanOrEqual(59);
    const [fast] = sandbox.calls.list({ operation: 'GetCallerIdentity' });
    expect(fast?.latencyMs).toBeLessThan(59);
    org.destroy();
    sts.destroy();
  });

  it('makes a Region not enabled for an account at runtime, and back', async () => {
    const rg = new ResourceGroupsClient({ ...sandbox.clientConfig('us-east-1'), credentials: member });
    sandbox.faults.set({ regionsNotEnabled: [{ accountId: '222222222222', region: 'us-east-1' }] });
    await expect(rg.send(new ListGroupsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    sandbox.faults.set({ regionsNotEnabled: [] });
    await expect(rg.send(new ListGroupsCommand({}))).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
    rg.destroy();
  });

  it("resets to no injected faults, AWS's published quotas and the sandbox's own empty-page rate", () => {
    sandbox.faults.set({ serverErrorRate: 0.5, emptyPageRate: 0.9, throttle: [{ rate: 1, burst: 1 }] });
    sandbox.faults.reset();
    expect(sandbox.faults.get()).toEqual({ emptyPageRate: 0, throttle: [...SSM_AUTOMATION_API_QUOTAS] });
    expect(sandbox.faults.emptyPageRate).toBe(0);
  });

  it('rejects an invalid fault configuration and names the field', () => {
    expect(() => sandbox.faults.set({ serverErrorRate: 2 })).toThrow(SandboxOptionsError);
    expect(() => sandbox.faults.set({ serverErrorRate: 2 })).toThrow(/serverErrorRate/);
  });
});
