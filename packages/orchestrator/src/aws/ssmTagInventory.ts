import { paginateDescribeInstanceInformation } from '@aws-sdk/client-ssm';
import type { InventoryObservation, Location, TagInventoryReader, TagTarget } from '@orgpatch/core';
import { tagTargetLabel } from '@orgpatch/core';
import { withAccountCredentials } from './accountCall.js';
import type { AccountCredentials } from './assumedRoleCredentials.js';
import type { AwsClientFactory } from './clients.js';
import { inventoryFailure } from './inventoryFailure.js';

/** Options of {@link SsmTagInventory}. */
export interface SsmTagInventoryOptions {
  readonly clients: AwsClientFactory;
  readonly credentials: AccountCredentials;
  /** DescribeInstanceInformation page size (5-50). @default 50 */
  readonly pageSize?: number;
}

/**
 * A tag target's inventory: the managed nodes that carry the tag in a location, read with
 * DescribeInstanceInformation and the filter `tag:<key>` = value (the InstanceInformationStringFilter
 * form; "Tag filters can't be combined with other filter types", so EC2 instances and hybrid nodes
 * are told apart by each node's ResourceType), every NextToken followed. Only managed nodes are
 * listed (not stopped or terminated ones), which is what the plan counts.
 *
 * The observation holds one entry named `tag:Key=Value`: the managed EC2 instances as its
 * instances, the hybrid nodes (ResourceType ManagedInstance) apart, since the tag target does not
 * reach them. AWS errors become error observations, as for resource groups.
 */
export class SsmTagInventory implements TagInventoryReader {
  private readonly options: SsmTagInventoryOptions;

  constructor(options: SsmTagInventoryOptions) {
    this.options = options;
  }

  async observeTag(location: Location, tag: TagTarget): Promise<InventoryObservation> {
    try {
      return await withAccountCredentials(this.options.credentials, location, async (provider) => {
        const ssm = this.options.clients.ssm(location.region, provider);
        const instances = new Set<string>();
        const hybrid = new Set<string>();
        const pages = paginateDescribeInstanceInformation(
          { client: ssm, pageSize: this.options.pageSize ?? 50 },
          { Filters: [{ Key: `tag:${tag.key}`, Values: [tag.value] }] },
        );
        for await (const page of pages) {
          for (const node of page.InstanceInformationList ?? []) {
            if (!node.InstanceId) continue;
            const isHybrid = node.ResourceType === 'ManagedInstance' || node.InstanceId.startsWith('mi-');
            (isHybrid ? hybrid : instances).add(node.InstanceId);
          }
        }
        return {
          kind: 'groups',
          groups: [
            {
              name: tagTargetLabel(tag),
              exists: true,
              instanceIds: [...instances],
              ...(hybrid.size > 0 ? { hybridNodeIds: [...hybrid] } : {}),
            },
          ],
        };
      });
    } catch (error) {
      return inventoryFailure(error, `DescribeInstanceInformation (tag:${tag.key})`, location);
    }
  }
}
