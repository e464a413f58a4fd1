import { CreateSnapshotsCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { parsePayload } from '@orgpatch/core';
import { startRun, trackRun } from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV1, DEV2, type E2e, e2eWorld, orgPayload, startE2e } from './harness.js';

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

/** An EC2 client of an account, as the member execution role. */
async function ec2Of(t: E2e, accountId: string): Promise<EC2Client> {
  const sts = new STSClient(t.sandbox.clientConfig('us-east-1'));
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrgPatchExecutionRole`, RoleSessionName: 'test' }),
  );
  sts.destroy();
  return new EC2Client({
    ...t.sandbox.clientConfig('us-east-1'),
    credentials: {
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    },
  });
}

/** The snapshots of an account's Region, read with the real EC2 client as the member execution role. */
async function snapshotsOf(t: E2e, accountId: string) {
  const ec2 = await ec2Of(t, accountId);
  try {
    return (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots ?? [];
  } finally {
    ec2.destroy();
  }
}

const instancesOf = (t: E2e, accountId: string) => [
  ...(t.sandbox.world.accounts.get(accountId)?.regions.get('us-east-1')?.instances.values() ?? []),
];

describe('pre-patch snapshots, against the sandbox', () => {
  it('snapshots every instance before patching it, tagged with the run and the instance', async () => {
    e2e = await startE2e(e2eWorld());
    const t = e2e;
    const request = parsePayload(orgPayload({ Snapshot: { Before: true, RetainDays: 7 } }));
    const deps = { ...e2e.deps(request), now: () => new Date(t.sandbox.clock.now()) };
    const { record } = await startRun(request, deps);
    const tracked = await trackRun(record, deps);
    expect(tracked.record.status).toBe('succeeded');
    for (const account of [DEV1, DEV2]) {
      const snapshots = await snapshotsOf(e2e, account);
      const instances = instancesOf(e2e, account);
      expect(snapshots).toHaveLength(instances.length);
      for (const instance of instances) {
        expect(instance.patchState.missingCount, instance.instanceId).toBe(0);
        const own = snapshots.filter((s) =>
          s.Tags?.some((t) => t.Key === 'orgpatch:instance-id' && t.Value === instance.instanceId),
        );
        expect(own).toHaveLength(1);
        expect(own[0]?.State).toBe('completed');
        expect(own[0]?.Tags).toContainEqual({ Key: 'orgpatch:run-id', Value: record.runId });
        // Taken before the patch ran.
        expect(own[0]?.StartTime?.getTime()).toBeLessThan(instance.patchState.operationStartTime ?? 0);
      }
    }
  });

  it('takes no snapshot when the payload asks for none', async () => {
    e2e = await startE2e(e2eWorld());
    const request = parsePayload(orgPayload());
    const deps = e2e.deps(request);
    const tracked = await trackRun((await startRun(request, deps)).record, deps);
    expect(tracked.record.status).toBe('succeeded');
    expect(await snapshotsOf(e2e, DEV1)).toEqual([]);
  });

  it('fails an instance whose snapshot fails and patches nothing on it', async () => {
    e2e = await startE2e(e2eWorld());
    const [victim] = instancesOf(e2e, DEV2);
    if (!victim) throw new Error('the world has no dev-two instance');
    const missingBefore = victim.patchState.missingCount;
    e2e.sandbox.faults.set({ snapshotFailures: [{ instanceId: victim.instanceId }] });
    const request = parsePayload(orgPayload({ Snapshot: { Before: true } }));
    const deps = e2e.deps(request);
    const tracked = await trackRun((await startRun(request, deps)).record, deps);
    const result = tracked.record.locations
      .flatMap((l) => l.executions.flatMap((e) => e.instances))
      .find((i) => i.instanceId === victim.instanceId);
    expect(result?.status).toBe('Failed');
    expect(result?.failureMessage).toContain('SnapshotCreationPerVolumeRateExceeded');
    expect(victim.patchState.missingCount).toBe(missingBefore);
    expect(victim.patchState.operation).toBeUndefined();
    // The wave's threshold is 0: the failure stops the rollout before prod.
    expect(tracked.record.status).not.toBe('succeeded');
    expect(tracked.record.waves.find((w) => w.name === 'prod')?.status).toBe('halted');
  });

  it('deletes orgpatch snapshots past RetainDays in a later run, and never a snapshot orgpatch did not tag', async () => {
    e2e = await startE2e(e2eWorld());
    const t = e2e;
    const simNow = () => new Date(t.sandbox.clock.now());
    const run = async () => {
      const request = parsePayload(orgPayload({ Snapshot: { Before: true, RetainDays: 7 } }));
      const deps = { ...t.deps(request), now: simNow };
      const tracked = await trackRun((await startRun(request, deps)).record, deps);
      expect(tracked.record.status).toBe('succeeded');
      return tracked.record.runId;
    };
    const runIdOf = (s: { Tags?: { Key?: string; Value?: string }[] }) =>
      s.Tags?.find((tag) => tag.Key === 'orgpatch:run-id')?.Value;

    const first = await run();
    // Someone else's snapshots of the same instance: untagged, and tagged but not by orgpatch.
    const [instance] = instancesOf(t, DEV1);
    const ec2 = await ec2Of(t, DEV1);
    await ec2.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instance?.instanceId } }));
    await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: instance?.instanceId },
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'orgpatch', Value: 'looks-like-it' }] }],
      }),
    );
    ec2.destroy();

    // Six days later a second run keeps the first run's snapshots (within RetainDays) ...
    t.sandbox.advance(6 * 86_400_000);
    const second = await run();
    expect(new Set((await snapshotsOf(t, DEV1)).map(runIdOf))).toEqual(new Set([first, second, undefined]));

    // ... eight days after the first, a third deletes them, and nothing else.
    t.sandbox.advance(2 * 86_400_000);
    const third = await run();
    const left = await snapshotsOf(t, DEV1);
    expect(new Set(left.map(runIdOf))).toEqual(new Set([second, third, undefined]));
    expect(left.filter((s) => runIdOf(s) === undefined)).toHaveLength(2);
    expect(t.sandbox.calls.count({ operation: 'DeleteSnapshot', ok: false })).toBe(0);
  });
});
