import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { EXECUTION_ROLE_NAME } from '@orgpatch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { startTestSandbox } from './helpers.js';

// Behaviours of the README table "AWS behaviours the sandbox holds to" that no other test holds.

describe('AWS behaviours across services', () => {
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

  const assume = (RoleSessionName: string, DurationSeconds?: number) =>
    sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::222222222222:role/${EXECUTION_ROLE_NAME}`,
        RoleSessionName,
        ...(DurationSeconds === undefined ? {} : { DurationSeconds }),
      }),
    );

  it('takes a RoleSessionName of 2 to 64 characters of [\\w+=,.@-] and DurationSeconds up to 43,200, as STS’s model says', async () => {
    await expect(assume('a'.repeat(64))).resolves.toMatchObject({ Credentials: { AccessKeyId: expect.any(String) } });
    await expect(assume('a=b,c.d@e-f+g_h')).resolves.toBeDefined();
    for (const name of ['a', 'a'.repeat(65), 'has space', 'run/1']) {
      const attempt = assume(name);
      await expect(attempt).rejects.toBeInstanceOf(STSServiceException);
      await expect(attempt).rejects.toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
    }
    await expect(assume('orgpatch', 43_201)).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('less than or equal to 43200'),
    });
  });

  /** A request signed (the signature is not checked) with an access key the sandbox does not know. */
  const unknownKey = (service: string, init: RequestInit & { headers?: Record<string, string> }, path = '/') =>
    fetch(`${sandbox.endpoint}${path}`, {
      ...init,
      headers: {
        ...init.headers,
        authorization: `AWS4-HMAC-SHA256 Credential=AKIAUNKNOWNUNKNOWN00/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`,
      },
    });

  it('writes each protocol’s error shape: awsJson __type, restJson x-amzn-errortype, awsQuery <ErrorResponse>, restXml <Error>', async () => {
    const ssm = await unknownKey('ssm', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonSSM.DescribeInstanceInformation',
      },
      body: '{}',
    });
    expect(ssm.status).toBe(400);
    expect(await ssm.json()).toMatchObject({ __type: 'UnrecognizedClientException' });

    const rg = await unknownKey('resource-groups', { method: 'POST', body: '{}' }, '/groups-list');
    expect(rg.status).toBe(403);
    expect(rg.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');

    const stsReply = await unknownKey('sts', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(stsReply.status).toBe(403);
    expect(await stsReply.text()).toMatch(
      /^<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>InvalidClientTokenId<\/Code><Message>.*<\/Message><\/Error><RequestId>/,
    );

    const s3 = await unknownKey('s3', { method: 'GET' }, '/orgpatch-runs?list-type=2');
    expect(s3.status).toBe(403);
    expect(await s3.text()).toMatch(/<Error><Code>InvalidAccessKeyId<\/Code><Message>/);
  });
});
