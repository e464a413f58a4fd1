import { paginateDescribeInstanceInformation, paginateDescribeInstancePatchStates } from '@aws-sdk/client-ssm';
import type { Location, LocationReading, NodeComplianceReader, NodePatchState, ObservedNode } from '@orgpatch/core';
import { withAccountCredentials } from './accountCall.js';
import type { AccountCredentials } from './assumedRoleCredentials.js';
import type { AwsClientFactory } from './clients.js';
import { inventoryFailure } from './inventoryFailure.js';

/** DescribeInstancePatchStates takes 0 to 50 instance ids per call (SSM API Reference). */
const PATCH_STATE_IDS = 50;
/** DescribeInstanceInformation pages hold 5 to 50 nodes; 50 makes the fewest calls. */
const INFORMATION_PAGE = 50;

/** Options of {@link SsmNodeComplianceReader}. */
export interface SsmNodeComplianceReaderOptions {
  readonly clients: AwsClientFactory;
  readonly credentials: AccountCredentials;
}

/**
 * Reads compliance in one location with two read-only SSM operations, every page followed:
 * DescribeInstanceInformation lists the managed nodes and their PingStatus (EC2 and hybrid `mi-`
 * nodes alike; without a filter, since SSM refuses an InstanceIds filter that names an instance it
 * does not manage), then DescribeInstancePatchStates reads the patch states of the managed nodes
 * wanted, 50 ids a call. A target-group member SSM does not list is unmanaged. Calls per location:
 * ceil(managed nodes / 50) + ceil(wanted managed nodes / 50). Any AWS error, or the account's role
 * that could not be assumed, becomes an error reading, classified as the inventory's are.
 */
export class SsmNodeComplianceReader implements NodeComplianceReader {
  private readonly options: SsmNodeComplianceReaderOptions;

  constructor(options: SsmNodeComplianceReaderOptions) {
    this.options = options;
  }

  async read(location: Location, members: readonly string[] | 'all'): Promise<LocationReading> {
    let operation = 'DescribeInstanceInformation';
    try {
      return await withAccountCredentials(this.options.credentials, location, async (provider) => {
        const ssm = this.options.clients.ssm(location.region, provider);
        const ping = new Map<string, string>();
        operation = 'DescribeInstanceInformation';
        for await (const page of paginateDescribeInstanceInformation({ client: ssm, pageSize: INFORMATION_PAGE }, {})) {
          for (const node of page.InstanceInformationList ?? []) {
            if (node.InstanceId) ping.set(node.InstanceId, node.PingStatus ?? 'Online');
          }
        }
        const wanted = members === 'all' ? [...ping.keys()] : [...new Set(members)];
        const managed = wanted.filter((id) => ping.has(id));
        const states = new Map<string, NodePatchState>();
        operation = 'DescribeInstancePatchStates';
        for (let i = 0; i < managed.length; i += PATCH_STATE_IDS) {
          const ids = managed.slice(i, i + PATCH_STATE_IDS);
          for await (const page of paginateDescribeInstancePatchStates(
            { client: ssm, pageSize: PATCH_STATE_IDS },
            { InstanceIds: ids },
          )) {
            for (const s of page.InstancePatchStates ?? []) {
              if (!s.InstanceId || !s.OperationEndTime) continue;
              states.set(s.InstanceId, {
                operation: s.Operation === 'Install' ? 'Install' : 'Scan',
                operationEndTime: s.OperationEndTime.toISOString(),
                baselineId: s.BaselineId ?? '',
                installed: s.InstalledCount ?? 0,
                missing: s.MissingCount ?? 0,
                failed: s.FailedCount ?? 0,
                installedPendingReboot: s.InstalledPendingRebootCount ?? 0,
                critical: s.CriticalNonCompliantCount ?? 0,
                security: s.SecurityNonCompliantCount ?? 0,
                other: s.OtherNonCompliantCount ?? 0,
              });
            }
          }
        }
        const nodes: ObservedNode[] = wanted.map((instanceId) => {
          const status = ping.get(instanceId);
          if (status === undefined) return { instanceId, management: 'unmanaged' };
          const patch = states.get(instanceId);
          return {
            instanceId,
            management: status === 'Online' ? 'online' : 'offline',
            pingStatus: status,
            ...(patch ? { patch } : {}),
          };
        });
        return { kind: 'nodes', nodes };
      });
    } catch (error) {
      const failure = inventoryFailure(error, operation, location);
      if (failure.kind !== 'error') throw error;
      return failure;
    }
  }
}
