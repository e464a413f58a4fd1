import {
  type ListGroupResourcesCommandOutput,
  paginateListGroupResources,
  type ResourceGroupsClient,
} from '@aws-sdk/client-resource-groups';
import type { GroupObservation, InventoryObservation, InventoryReader, Location } from '@orgpatch/core';
import { withAccountCredentials } from './accountCall.js';
import type { AccountCredentials } from './assumedRoleCredentials.js';
import { awsErrorCode } from './awsErrors.js';
import type { AwsClientFactory } from './clients.js';
import { inventoryFailure } from './inventoryFailure.js';

/** Options of {@link ResourceGroupsInventory}. */
export interface ResourceGroupsInventoryOptions {
  readonly clients: AwsClientFactory;
  readonly credentials: AccountCredentials;
  /** ListGroupResources page size (1-50). @default 50 */
  readonly pageSize?: number;
}

/**
 * The instance or managed-node id in a resource ARN: `...:instance/i-0abc` (EC2) or
 * `...:managed-instance/mi-0abc` (hybrid nodes registered with SSM). Other resource types: undefined.
 */
export function instanceIdFromArn(arn: string): string | undefined {
  const match = /:(?:instance|managed-instance)\/((?:i|mi)-[0-9a-zA-Z]+)$/.exec(arn);
  return match?.[1];
}

/**
 * Reads the members of each target resource group in a location with ListGroupResources, following
 * every NextToken (empty pages included). AWS errors become observations the plan can explain:
 * a missing group is `exists: false`; refused access, a Region not enabled, throttling past the SDK's
 * retries, expired credentials and anything else become an error observation. Never a silent
 * "no instances".
 */
export class ResourceGroupsInventory implements InventoryReader {
  private readonly options: ResourceGroupsInventoryOptions;

  constructor(options: ResourceGroupsInventoryOptions) {
    this.options = options;
  }

  async observe(location: Location, groups: readonly string[]): Promise<InventoryObservation> {
    try {
      return await withAccountCredentials(this.options.credentials, location, async (provider) => {
        const client = this.options.clients.resourceGroups(location.region, provider);
        const observed: GroupObservation[] = [];
        for (const group of groups) observed.push(await this.readGroup(client, group));
        return { kind: 'groups', groups: observed };
      });
    } catch (error) {
      return inventoryFailure(error, 'ListGroupResources', location);
    }
  }

  private async readGroup(client: ResourceGroupsClient, group: string): Promise<GroupObservation> {
    const members = new Members();
    try {
      const pages = paginateListGroupResources({ client, pageSize: this.options.pageSize ?? 50 }, { Group: group });
      for await (const page of pages) members.collect(page);
    } catch (error) {
      if (awsErrorCode(error) === 'NotFoundException') return { name: group, exists: false, instanceIds: [] };
      throw error;
    }
    return members.observation(group);
  }
}

/**
 * A group's members by type: instance and managed-node ids, and how many of each other resource
 * type (a tag-based group without ResourceTypeFilters holds the volumes, security groups and
 * network interfaces that carry its tag). A member is counted once, whatever pages repeat.
 */
class Members {
  private readonly ids = new Set<string>();
  private readonly others = new Map<string, string>();

  collect(page: ListGroupResourcesCommandOutput): void {
    const identifiers = page.Resources?.length
      ? page.Resources.map((r) => r.Identifier)
      : (page.ResourceIdentifiers ?? []);
    for (const identifier of identifiers) {
      const arn = identifier?.ResourceArn;
      if (!arn) continue;
      const id = instanceIdFromArn(arn);
      if (id) this.ids.add(id);
      else this.others.set(arn, identifier.ResourceType ?? resourceTypeFromArn(arn));
    }
  }

  observation(name: string): GroupObservation {
    const counts: Record<string, number> = {};
    for (const type of this.others.values()) counts[type] = (counts[type] ?? 0) + 1;
    return {
      name,
      exists: true,
      instanceIds: [...this.ids],
      ...(this.others.size > 0 ? { otherMembers: counts } : {}),
    };
  }
}

/** A resource type for an ARN whose member came without one: `ec2:volume` for `arn:<partition>:ec2:...:volume/vol-1`. */
function resourceTypeFromArn(arn: string): string {
  const [, , service = '', , , resource = ''] = arn.split(':');
  return `${service}:${resource.split('/')[0] ?? ''}`;
}
