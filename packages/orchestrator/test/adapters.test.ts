import { readFileSync } from 'node:fs';
import { parsePayload } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { inventoryErrorKind, isThrottled } from '../src/aws/awsErrors.js';
import { type AwsClientFactory, createAwsClientFactory, homeRegionFromEnv } from '../src/aws/clients.js';
import { accountStatus, OrganizationsDirectory } from '../src/aws/organizationsDirectory.js';
import { instanceIdFromArn } from '../src/aws/resourceGroupsInventory.js';
import { automationParameters, automationRoleArn } from '../src/run/automationParameters.js';
import { nameBasedUuid, runIdFor, snapshotIdFor } from '../src/run/ids.js';
import { ORGPATCH_VERSION } from '../src/version.js';

const err = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });

describe('inventoryErrorKind', () => {
  it.each([
    ['AccessDeniedException', 'access-denied'],
    ['ForbiddenException', 'access-denied'],
    ['UnrecognizedClientException', 'region-not-enabled'],
    ['InvalidClientTokenId', 'region-not-enabled'],
    ['ExpiredTokenException', 'credentials-expired'],
    ['TooManyRequestsException', 'throttled'],
    ['ThrottlingException', 'throttled'],
    ['InternalServerErrorException', 'service-error'],
  ])('reads %s as %s', (name, kind) => {
    expect(inventoryErrorKind(err(name))).toBe(kind);
  });

  it('reads a bare HTTP 429 as throttling', () => {
    expect(isThrottled(err('UnknownError', 429))).toBe(true);
  });
});

describe('instanceIdFromArn', () => {
  it('takes EC2 instance and managed node ids, in any partition', () => {
    expect(instanceIdFromArn('arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0')).toBe(
      'i-0123456789abcdef0',
    );
    expect(instanceIdFromArn('arn:aws-cn:ssm:cn-north-1:111122223333:managed-instance/mi-0123456789abcdef0')).toBe(
      'mi-0123456789abcdef0',
    );
  });
  it('ignores other resource types', () => {
    expect(instanceIdFromArn('arn:aws:s3:::my-bucket')).toBeUndefined();
    expect(instanceIdFromArn('arn:aws:ec2:us-east-1:111122223333:volume/vol-0123')).toBeUndefined();
  });
});

describe('OrganizationsDirectory', () => {
  it("calls Organizations in the global Region of its Region's partition", async () => {
    const asked: string[] = [];
    const refused = Object.assign(new Error('stop here'), { name: 'AccessDeniedException' });
    const clients = {
      homeRegion: undefined,
      sts: () => ({
        send: async () => ({ Account: '111111111111', Arn: 'arn:aws:sts::111111111111:assumed-role/R/s' }),
      }),
      organizations: (region: string) => {
        asked.push(region);
        return { send: async () => Promise.reject(refused) };
      },
    } as unknown as AwsClientFactory;
    for (const region of ['eu-west-1', 'cn-north-1', 'us-gov-east-1']) {
      const directory = new OrganizationsDirectory({ clients, region });
      await expect(directory.discover({ ouIds: ['ou-abcd-11111111'], accountIds: [] })).rejects.toThrow();
    }
    expect(asked).toEqual(['us-east-1', 'cn-northwest-1', 'us-gov-west-1']);
  });
});

describe('accountStatus', () => {
  it('reads each of the five States as itself, and the retired Status only without a known State', () => {
    expect(accountStatus({ State: 'ACTIVE', Status: 'SUSPENDED' })).toBe('ACTIVE');
    expect(accountStatus({ State: 'CLOSED', Status: 'SUSPENDED' })).toBe('CLOSED');
    expect(accountStatus({ State: 'PENDING_ACTIVATION' })).toBe('PENDING_ACTIVATION');
    expect(accountStatus({ State: 'SUSPENDED', Status: 'SUSPENDED' })).toBe('SUSPENDED');
    expect(accountStatus({ State: 'PENDING_CLOSURE', Status: 'PENDING_CLOSURE' })).toBe('PENDING_CLOSURE');
    // The retired Status is read only when State is absent or unknown.
    expect(accountStatus({ Status: 'PENDING_CLOSURE' })).toBe('PENDING_CLOSURE');
    expect(accountStatus({ Status: 'SUSPENDED' })).toBe('SUSPENDED');
    // A State added to Organizations after this SDK release.
    const newer = { State: 'SOMETHING_NEW', Status: 'SUSPENDED' } as unknown as Parameters<typeof accountStatus>[0];
    expect(accountStatus(newer)).toBe('SUSPENDED');
    expect(accountStatus({})).toBe('ACTIVE');
  });
});

describe('run and snapshot ids', () => {
  it('derives the run id from the task execution id, so a retried invocation finds its run', () => {
    const id = '11111111-2222-4333-8444-555555555555';
    expect(runIdFor(id, new Date())).toBe(`mw-${id}`);
    expect(runIdFor(id, new Date(0))).toBe(runIdFor(id, new Date()));
  });
  it('makes time-sortable run ids otherwise', () => {
    const a = runIdFor(undefined, new Date('2026-11-28T09:05:07Z'), () => 'aaaaaa');
    const b = runIdFor(undefined, new Date('2026-11-28T10:00:00Z'), () => '000000');
    expect(a).toBe('20261128-090507-aaaaaa');
    expect([b, a].sort()).toEqual([a, b]);
  });
  it('keeps the SnapshotId of a task execution stable across invocations', () => {
    const id = '11111111-2222-4333-8444-555555555555';
    expect(snapshotIdFor(undefined, id)).toBe(snapshotIdFor(undefined, id));
    expect(snapshotIdFor(undefined, id)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(snapshotIdFor('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', id)).toBe('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
    expect(snapshotIdFor(undefined, undefined)).not.toBe(snapshotIdFor(undefined, undefined));
    expect(nameBasedUuid('a')).not.toBe(nameBasedUuid('b'));
  });
});

describe('automation parameters', () => {
  it('builds the member automation role ARN in the partition of the Region', () => {
    expect(automationRoleArn({ kind: 'member-default' }, '111122223333', 'aws-us-gov')).toBe(
      'arn:aws-us-gov:iam::111122223333:role/OrgPatchAutomationRole',
    );
  });

  it('sends the blog document only the parameters the blog sends', () => {
    const request = parsePayload(
      JSON.parse(readFileSync(new URL('../../../examples/payload.json', import.meta.url), 'utf8')),
    );
    expect(automationParameters(request, '111122223333', 'aws', 'snap')).toEqual({
      AutomationAssumeRole: ['arn:aws:iam::111122223333:role/AutomationRole'],
      Operation: ['Scan'],
    });
  });

  it("sends the member document Operation, RebootOption and the run's SnapshotId", () => {
    const request = parsePayload({
      Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
      Regions: ['us-east-1'],
      Organization: { TargetOus: ['r-ab12'] },
      Document: { Parameters: { Operation: ['Install'], RebootOption: ['NoReboot'] } },
    });
    expect(automationParameters(request, '111122223333', 'aws', 'snap-id')).toEqual({
      AutomationAssumeRole: ['arn:aws:iam::111122223333:role/OrgPatchAutomationRole'],
      Operation: ['Install'],
      RebootOption: ['NoReboot'],
      SnapshotId: ['snap-id'],
    });
  });
});

describe('version', () => {
  it('matches package.json (it goes into every user agent)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(ORGPATCH_VERSION).toBe(pkg.version);
  });
});

describe('createAwsClientFactory', () => {
  it('configures every client with adaptive retry, six attempts and the orgpatch user agent', async () => {
    const factory = createAwsClientFactory({
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
      homeRegion: 'eu-west-1',
    });
    try {
      for (const client of [
        factory.ssm('eu-west-1'),
        factory.resourceGroups('eu-west-1'),
        factory.sts('eu-west-1'),
        factory.organizations('us-east-1'),
      ]) {
        expect(client.config.retryMode).toBe('adaptive');
        expect((await client.config.retryStrategy()) as unknown as { mode: string }).toMatchObject({
          mode: 'adaptive',
        });
        expect(await client.config.maxAttempts()).toBe(6);
        expect(client.config.customUserAgent).toEqual([[`orgpatch/${ORGPATCH_VERSION}`]]);
      }
      const ssm = factory.ssm('ap-southeast-2');
      expect(await ssm.config.region()).toBe('ap-southeast-2');
      expect(factory.homeRegion).toBe('eu-west-1');
      expect(await factory.s3('eu-west-1').config.forcePathStyle).toBe(false);
    } finally {
      factory.destroy();
    }
  });

  it('takes the home Region from AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(homeRegionFromEnv({ AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-west-2' })).toBe('eu-central-1');
    expect(homeRegionFromEnv({ AWS_DEFAULT_REGION: 'us-west-2' })).toBe('us-west-2');
    expect(homeRegionFromEnv({})).toBeUndefined();
  });
});
