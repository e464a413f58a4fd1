import {
  type ListGroupResourcesCommandOutput,
  paginateListGroupResources,
  type ResourceGroupsClient,
} from '@aws-sdk/client-resource-groups';
import type { GroupObservation, InventoryObservation, InventoryReader, Location } from '@orgpatch/core';
import { AssumeRoleError } from '../errors.js';
import { withAccountCredentials } from './accountCall.js';
import type { AccountCredentials } from './assumedRoleCredentials.js';
import { awsErrorCode, awsErrorMessage, inventoryErrorKind } from './awsErrors.js';
import type { AwsClientFactory } from './clients.js';

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
      if (error instanceof AssumeRoleError) {
        return { kind: 'error', error: error.failure, code: error.code, message: error.message };
      }
      const code = awsErrorCode(error);
      return {
        kind: 'error',
        error: inventoryErrorKind(error),
        code,
        message: `ListGroupResources in account ${location.accountId}, Region ${location.region} failed (${code}): ${awsErrorMessage(error)}`,
      };
    }
  }

  private async readGroup(client: ResourceGroupsClient, group: string): Promise<GroupObservation> {
    const ids = new Set<string>();
    try {
      const pages = paginateListGroupResources({ client, pageSize: this.options.pageSize ?? 50 }, { Group: group });
      for await (const page of pages) collectIds(page, ids);
    } catch (error) {
      if (awsErrorCode(error) === 'NotFoundException') return { name: group, exists: false, instanceIds: [] };
      throw error;
    }
    return { name: group, exists: true, instanceIds: [...ids] };
  }
}

function collectIds(page: ListGroupResourcesCommandOutput, into: Set<string>): void {
  const arns = page.Resources?.length
    ? page.Resources.map((r) => r.Identifier?.ResourceArn)
    : (page.ResourceIdentifiers ?? []).map((r) => r.ResourceArn);
  for (const arn of arns) {
    const id = arn ? instanceIdFromArn(arn) : undefined;
    if (id) into.add(id);
  }
}
