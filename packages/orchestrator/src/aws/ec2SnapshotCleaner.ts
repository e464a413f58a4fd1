import { type Location, SNAPSHOT_TAG_KEYS, type SnapshotCleaner, type SnapshotCleanup } from '@orgpatch/core';
import { locationCallError, withAccountCredentials } from './accountCall.js';
import type { AccountCredentials } from './assumedRoleCredentials.js';
import { awsErrorCode, awsErrorMessage } from './awsErrors.js';
import type { AwsClientFactory } from './clients.js';

/** Options of {@link Ec2SnapshotCleaner}. */
export interface Ec2SnapshotCleanerOptions {
  readonly clients: AwsClientFactory;
  readonly credentials: AccountCredentials;
}

/**
 * Deletes orgpatch's expired pre-patch snapshots of a location: DescribeSnapshots of the account's
 * own snapshots that carry the run tag (`tag-key` filter, every page), then DeleteSnapshot for each
 * started before the cutoff, checked again against the tag it came back with. The execution role
 * may delete only snapshots with that tag (`aws:ResourceTag` condition), so a snapshot orgpatch did
 * not tag is refused by IAM even if this code were wrong. A snapshot already gone counts as
 * deleted; one AWS refuses (in use by an AMI, say) is reported, and the others are still deleted.
 */
export class Ec2SnapshotCleaner implements SnapshotCleaner {
  constructor(private readonly options: Ec2SnapshotCleanerOptions) {}

  async deleteExpired(location: Location, createdBefore: Date, keepRunId: string): Promise<SnapshotCleanup> {
    const deleted: string[] = [];
    const failed: { snapshotId: string; code: string; message: string }[] = [];
    try {
      await withAccountCredentials(this.options.credentials, location, async (provider) => {
        // Loaded here, not at the top: see AwsClientFactory.ec2.
        const { DeleteSnapshotCommand, paginateDescribeSnapshots } = await import('@aws-sdk/client-ec2');
        const ec2 = await this.options.clients.ec2(location.region, provider);
        const expired: string[] = [];
        for await (const page of paginateDescribeSnapshots(
          { client: ec2, pageSize: 1000 },
          { OwnerIds: ['self'], Filters: [{ Name: 'tag-key', Values: [SNAPSHOT_TAG_KEYS.RUN_ID] }] },
        )) {
          for (const s of page.Snapshots ?? []) {
            const run = (s.Tags ?? []).find((t) => t.Key === SNAPSHOT_TAG_KEYS.RUN_ID);
            const old = s.StartTime !== undefined && s.StartTime.getTime() < createdBefore.getTime();
            if (s.SnapshotId && run !== undefined && run.Value !== keepRunId && old) expired.push(s.SnapshotId);
          }
        }
        for (const snapshotId of expired) {
          try {
            await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
            deleted.push(snapshotId);
          } catch (error) {
            const code = awsErrorCode(error);
            if (code === 'InvalidSnapshot.NotFound') deleted.push(snapshotId);
            else failed.push({ snapshotId, code, message: awsErrorMessage(error) });
          }
        }
      });
    } catch (error) {
      throw locationCallError(error, location, 'DescribeSnapshots');
    }
    return { deleted, failed };
  }
}
