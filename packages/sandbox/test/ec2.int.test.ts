import {
  CreateSnapshotsCommand,
  DeleteSnapshotCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_COMPLETION_MS } from '../src/ec2/snapshots.js';
import type { Sandbox } from '../src/index.js';
import { memberCredentials, startTestSandbox } from './helpers.js';

const MEMBER = '222222222222';

/** The code of the EC2 error a call fails with. */
async function ec2Error(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, String(error)).toBeInstanceOf(EC2ServiceException);
  return (error as EC2ServiceException).name;
}

describe('EC2 snapshots through the real SDK client (EC2 query protocol)', () => {
  let sandbox: Sandbox;
  let ec2: EC2Client;
  let instanceId: string;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ timeScale: 0 });
    ec2 = new EC2Client({
      ...sandbox.clientConfig('us-east-1'),
      credentials: await memberCredentials(sandbox, MEMBER),
    });
    const region = sandbox.world.accounts.get(MEMBER)?.regions.get('us-east-1');
    instanceId = [...(region?.instances.keys() ?? [])].find((id) => id.startsWith('i-')) ?? '';
  });
  afterAll(async () => {
    ec2.destroy();
    await sandbox.stop();
  });

  it("reads an instance's EBS volumes with DescribeInstances", async () => {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = out.Reservations?.[0]?.Instances?.[0];
    expect(instance?.InstanceId).toBe(instanceId);
    expect(instance?.BlockDeviceMappings?.[0]?.Ebs?.VolumeId).toMatch(/^vol-[0-9a-f]{17}$/);
  });

  it('creates one crash-consistent set per instance, tagged as asked; pending, then completed', async () => {
    const created = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: instanceId },
        Description: 'orgpatch pre-patch snapshot, run r1',
        CopyTagsFromSource: 'volume',
        TagSpecifications: [
          {
            ResourceType: 'snapshot',
            Tags: [
              { Key: 'orgpatch:run-id', Value: 'r1' },
              { Key: 'orgpatch:instance-id', Value: instanceId },
            ],
          },
        ],
      }),
    );
    const [snapshot] = created.Snapshots ?? [];
    expect(snapshot).toMatchObject({ State: 'pending', Description: 'orgpatch pre-patch snapshot, run r1' });
    expect(snapshot?.StartTime).toBeInstanceOf(Date);
    expect(snapshot?.Tags).toEqual([
      { Key: 'orgpatch:run-id', Value: 'r1' },
      { Key: 'orgpatch:instance-id', Value: instanceId },
    ]);
    const id = snapshot?.SnapshotId ?? '';
    sandbox.advance(SNAPSHOT_COMPLETION_MS);
    const described = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id], OwnerIds: ['self'] }));
    expect(described.Snapshots?.[0]).toMatchObject({ SnapshotId: id, State: 'completed', Progress: '100%' });
    const byTag = await ec2.send(
      new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:orgpatch:run-id', Values: ['r1'] }] }),
    );
    expect(byTag.Snapshots?.map((s) => s.SnapshotId)).toEqual([id]);
    const otherTag = await ec2.send(
      new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:orgpatch:run-id', Values: ['r2'] }] }),
    );
    expect(otherTag.Snapshots).toEqual([]);
    expect((await ec2.send(new DeleteSnapshotCommand({ SnapshotId: id }))).$metadata.httpStatusCode).toBe(200);
    expect(await ec2Error(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] })))).toBe(
      'InvalidSnapshot.NotFound',
    );
  });

  it("answers EC2's error codes in EC2's error shape", async () => {
    expect(
      await ec2Error(
        ec2.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: 'i-0000000000000dead' } })),
      ),
    ).toBe('InvalidInstanceID.NotFound');
    expect(
      await ec2Error(
        ec2.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: 'mi-0123456789abcdef0' } })),
      ),
    ).toBe('InvalidInstanceID.Malformed');
    expect(await ec2Error(ec2.send(new DeleteSnapshotCommand({ SnapshotId: 'snap-0123456789abcdef0' })))).toBe(
      'InvalidSnapshot.NotFound',
    );
    expect(
      await ec2Error(ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'bogus', Values: ['x'] }] }))),
    ).toBe('InvalidParameterValue');
  });

  it('fails CreateSnapshots of an instance under a snapshotFailures fault', async () => {
    sandbox.faults.set({ snapshotFailures: [{ instanceId }] });
    try {
      expect(
        await ec2Error(ec2.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instanceId } }))),
      ).toBe('SnapshotCreationPerVolumeRateExceeded');
    } finally {
      sandbox.faults.set({ snapshotFailures: [] });
    }
  });
});
