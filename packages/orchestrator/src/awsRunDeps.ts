import {
  type AutomationRunner,
  type NodeComplianceReader,
  type PatchRequest,
  partitionOf,
  type RunStore,
} from '@orgpatch/core';
import {
  type AccountCredentials,
  AssumedRoleCredentials,
  CallerCredentials,
  roleSessionName,
} from './aws/assumedRoleCredentials.js';
import type { AwsClientFactory } from './aws/clients.js';
import { CloudWatchAlarms } from './aws/cloudWatchAlarms.js';
import { Ec2SnapshotCleaner } from './aws/ec2SnapshotCleaner.js';
import { OrganizationsDirectory } from './aws/organizationsDirectory.js';
import { ResourceGroupsInventory } from './aws/resourceGroupsInventory.js';
import { SsmAutomationRunner } from './aws/ssmAutomationRunner.js';
import { SsmNodeComplianceReader } from './aws/ssmNodeComplianceReader.js';
import { SsmPatchStateReader } from './aws/ssmPatchStateReader.js';
import { SsmTagInventory } from './aws/ssmTagInventory.js';
import { DryRunViolationError } from './errors.js';
import type { RunDeps } from './run/deps.js';

/** Options of {@link createAwsRunDeps}. */
export interface AwsRunDepsOptions {
  readonly clients: AwsClientFactory;
  readonly store: RunStore;
  /** The run id, for the RoleSessionName (`orgpatch-<prefix>`). */
  readonly runId?: string;
  /** The clock member-account sessions' expiry is judged by (the sandbox's simulated clock). @default Date.now */
  readonly credentialClock?: () => number;
  readonly extra?: Partial<Pick<RunDeps, 'now' | 'sleep' | 'logger' | 'onProgress'>>;
}

/** The AWS adapters for a request, wired to one client factory and one credential cache. */
export interface AwsRunDeps extends RunDeps {
  readonly credentials: AccountCredentials;
  /** Managed nodes and their patch states, for compliance snapshots (read-only). */
  readonly nodes: NodeComplianceReader;
}

/**
 * Wires core's ports to AWS for one request: Organizations discovery, the member execution role
 * assumed per account (or the caller's own credentials for a blog payload without an Organization
 * part), Resource Groups inventory (SSM's managed nodes for a tag target), SSM Automation and patch states.
 */
export function createAwsRunDeps(request: PatchRequest, options: AwsRunDepsOptions): AwsRunDeps {
  const { clients } = options;
  // A client per call in flight and the next one: none in use is dropped between a location's calls.
  clients.keepAtLeast(2 * request.concurrency.global);
  const credentials: AccountCredentials = request.organization
    ? new AssumedRoleCredentials({
        clients,
        roleName: request.organization.executionRoleName,
        sessionName: roleSessionName(options.runId),
        ...(options.credentialClock ? { now: options.credentialClock } : {}),
      })
    : new CallerCredentials();
  const region = workRegion(clients.homeRegion, request.regions);
  return {
    credentials,
    directory: new OrganizationsDirectory({
      clients,
      region,
      includeManagementAccount: request.organization?.includeManagementAccount ?? false,
    }),
    inventory: new ResourceGroupsInventory({ clients, credentials }),
    tagInventory: new SsmTagInventory({ clients, credentials }),
    automation: request.dryRun
      ? refuseStarts(new SsmAutomationRunner({ clients, credentials }))
      : new SsmAutomationRunner({ clients, credentials }),
    patchStates: new SsmPatchStateReader({ clients, credentials }),
    alarms: new CloudWatchAlarms(clients, clients.homeRegion ?? region),
    nodes: new SsmNodeComplianceReader({ clients, credentials }),
    snapshots: new Ec2SnapshotCleaner({ clients, credentials }),
    store: options.store,
    ...options.extra,
  };
}

/**
 * The Region discovery works from: the home Region when it is in the partition of the target
 * Regions (a CLI in us-east-1 patching GovCloud must ask GovCloud's Organizations), else the first
 * target Region.
 */
function workRegion(homeRegion: string | undefined, regions: readonly string[]): string {
  const first = regions[0] ?? homeRegion ?? 'us-east-1';
  if (!homeRegion) return first;
  try {
    return partitionOf(homeRegion) === partitionOf(first) ? homeRegion : first;
  } catch {
    // A home Region orgpatch does not know (a new one): trust the caller.
    return homeRegion;
  }
}

/**
 * The runner of a dry run: it reads executions but refuses every start before any AWS call, so no
 * path through the code, and no record in the store, can make a dry run start an automation.
 */
function refuseStarts(runner: AutomationRunner): AutomationRunner {
  return {
    start: async (input) => {
      throw new DryRunViolationError(input.location.accountId, input.location.region);
    },
    describe: (location, executionId) => runner.describe(location, executionId),
    stop: (location, executionId) => runner.stop(location, executionId),
  };
}
