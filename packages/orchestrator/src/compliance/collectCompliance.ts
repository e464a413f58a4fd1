import {
  buildComplianceSnapshot,
  type ComplianceSnapshot,
  type InventoryObservation,
  type Location,
  type LocationReading,
  type NodeComplianceReader,
  type PatchRequest,
  requiredInventory,
  tagTargetOf,
  targetLabels,
} from '@orgpatch/core';
import type { RunDeps } from '../run/deps.js';
import { createAccountLimiter, mapLimited } from '../run/limiter.js';
import { discoveryScope } from '../run/planRun.js';

/** What {@link collectCompliance} reads with. */
export interface ComplianceDeps
  extends Pick<RunDeps, 'directory' | 'inventory' | 'tagInventory' | 'logger' | 'onProgress'> {
  readonly nodes: NodeComplianceReader;
}

/** Options of {@link collectCompliance}. */
export interface CollectComplianceOptions {
  readonly snapshotId: string;
  /** When the snapshot is taken (the clock is the caller's). */
  readonly takenAt: Date;
  /** A scan older than this many days is stale. */
  readonly maxAgeDays: number;
  /** Every managed node, not only the target groups' members. @default false */
  readonly allNodes?: boolean;
  /** The run the snapshot belongs to, when a run takes it. */
  readonly runId?: string;
}

/**
 * Takes a compliance snapshot of the request's Organization: the same discovery, member roles,
 * limits (the request's global and per-account concurrency) and retries as a run, in every target
 * account and Region; starts nothing. Per location, the target groups' members are read with the
 * run's inventory (or, with `allNodes`, every managed node is taken), then the nodes' management
 * status and patch states (see NodeComplianceReader). A location whose groups or nodes could not be
 * read is kept as not seen, with the reason.
 *
 * @example
 * const snapshot = await collectCompliance(request, { ...deps, nodes }, { snapshotId, takenAt: new Date(), maxAgeDays: 7 });
 */
export async function collectCompliance(
  request: PatchRequest,
  deps: ComplianceDeps,
  options: CollectComplianceOptions,
): Promise<ComplianceSnapshot> {
  const organization = await deps.directory.discover(discoveryScope(request));
  deps.onProgress?.({ phase: 'discover', accounts: organization.accounts.length, done: true });
  const locations = requiredInventory({ request, organization });
  const limiter = createAccountLimiter(request.concurrency);
  const members = membersOf(request, deps);
  let done = 0;
  deps.onProgress?.({ phase: 'inventory', done, total: locations.length });
  const readings = await mapLimited(
    locations,
    limiter,
    (l) => l.accountId,
    async (location) => {
      const reading = await readLocation(location, options.allNodes === true, members, deps.nodes);
      done += 1;
      deps.onProgress?.({ phase: 'inventory', done, total: locations.length });
      return { ...location, reading };
    },
  );
  const snapshot = buildComplianceSnapshot({
    snapshotId: options.snapshotId,
    takenAt: options.takenAt,
    maxAgeDays: options.maxAgeDays,
    organization,
    scope: { allNodes: options.allNodes === true, targets: targetLabels(request), regions: request.regions },
    ...(options.runId === undefined ? {} : { runId: options.runId }),
    readings,
  });
  deps.logger?.info('Compliance snapshot taken', {
    snapshotId: snapshot.snapshotId,
    locations: locations.length,
    nodes: snapshot.nodes.length,
    notSeen: snapshot.notSeen.length,
  });
  return snapshot;
}

/** How a location's target members are read: its resource groups, or the managed nodes with its tag. */
function membersOf(request: PatchRequest, deps: ComplianceDeps): (location: Location) => Promise<InventoryObservation> {
  const tag = tagTargetOf(request);
  if (tag === undefined) return (location) => deps.inventory.observe(location, request.resourceGroups);
  const tags = deps.tagInventory;
  if (tags === undefined) throw new TypeError('The request targets a tag, but there is no tag inventory');
  return (location) => tags.observeTag(location, tag);
}

async function readLocation(
  location: Location,
  allNodes: boolean,
  members: (location: Location) => Promise<InventoryObservation>,
  nodes: NodeComplianceReader,
): Promise<LocationReading> {
  try {
    if (allNodes) return await nodes.read(location, 'all');
    const observation = await members(location);
    if (observation.kind === 'error') return observation;
    const ids = new Set<string>();
    for (const group of observation.groups) {
      for (const id of group.instanceIds) ids.add(id);
      for (const id of group.hybridNodeIds ?? []) ids.add(id);
    }
    if (ids.size === 0) return { kind: 'nodes', nodes: [] };
    return await nodes.read(location, [...ids]);
  } catch (error) {
    // Readers observe AWS errors; anything that still escapes is this location's, not the snapshot's.
    return {
      kind: 'error',
      error: 'service-error',
      code: error instanceof Error ? error.name : 'Error',
      message: `Reading compliance in account ${location.accountId}, Region ${location.region} failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
