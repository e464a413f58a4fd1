import {
  addNodeToTotals,
  COMPLIANCE_ACCOUNTS_PER_SHARD,
  type ComplianceSnapshot,
  type ComplianceStore,
  type ComplianceTotals,
  complianceHeader,
  emptyTotals,
  type InventoryObservation,
  inventoryAccountIds,
  type Location,
  type LocationReading,
  type NodeCompliance,
  type NodeComplianceReader,
  type NotSeen,
  observeLocations,
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
  /** Only these accounts (a run's snapshot: the accounts it targeted). @default every target account */
  readonly onlyAccounts?: ReadonlySet<string>;
  /**
   * Called with the snapshot's head once the Organization is discovered, before any node is read or
   * anything stored: throw to refuse (a comparison with another Organization's snapshot, say).
   */
  readonly beforeReading?: (head: Omit<SnapshotHead, 'notSeen'>) => void;
}

/** A snapshot's fields but its nodes: what stays in memory while it is collected. */
type SnapshotHead = Omit<ComplianceSnapshot, 'nodes'>;

/**
 * Reads the request's Organization in batches of whole accounts ({@link COMPLIANCE_ACCOUNTS_PER_SHARD},
 * in account id order) and hands each batch's nodes to `onBatch` before reading the next: what is
 * held is one batch's nodes, the accounts and the places not seen, never the Organization's nodes.
 */
async function collectBatches(
  request: PatchRequest,
  deps: ComplianceDeps,
  options: CollectComplianceOptions,
  onBatch: (nodes: NodeCompliance[]) => Promise<void>,
): Promise<SnapshotHead> {
  const organization = await deps.directory.discover(discoveryScope(request));
  deps.onProgress?.({ phase: 'discover', accounts: organization.accounts.length, done: true });
  const header = complianceHeader({
    snapshotId: options.snapshotId,
    takenAt: options.takenAt,
    maxAgeDays: options.maxAgeDays,
    organization,
    scope: { allNodes: options.allNodes === true, targets: targetLabels(request), regions: request.regions },
    ...(options.runId === undefined ? {} : { runId: options.runId }),
  });
  options.beforeReading?.(header);
  // The accounts, in id order; their locations are listed a batch at a time (at 10,000 accounts the
  // Organization's 160,000 locations would otherwise be held for the whole snapshot).
  const accountIds = inventoryAccountIds({
    request,
    organization,
    ...(options.onlyAccounts === undefined ? {} : { onlyAccounts: options.onlyAccounts }),
  }).sort((a, b) => a.localeCompare(b));
  const total = accountIds.length * request.regions.length;
  const limiter = createAccountLimiter(request.concurrency);
  const members = membersOf(request, deps);
  const notSeen: NotSeen[] = [];
  let done = 0;
  let nodes = 0;
  deps.onProgress?.({ phase: 'inventory', done, total });
  for (let i = 0; i < accountIds.length; i += COMPLIANCE_ACCOUNTS_PER_SHARD) {
    const batchIds = accountIds.slice(i, i + COMPLIANCE_ACCOUNTS_PER_SHARD);
    const batch = requiredInventory({ request, organization, onlyAccounts: new Set(batchIds) }).sort((a, b) =>
      a.accountId.localeCompare(b.accountId),
    );
    const readings = await mapLimited(
      batch,
      limiter,
      (l) => l.accountId,
      async (location) => {
        const reading = await readLocation(location, options.allNodes === true, members, deps.nodes);
        done += 1;
        deps.onProgress?.({ phase: 'inventory', done, total });
        return { ...location, reading };
      },
    );
    const observed = observeLocations({ takenAt: options.takenAt, maxAgeDays: options.maxAgeDays, readings });
    notSeen.push(...observed.notSeen);
    nodes += observed.nodes.length;
    await onBatch(observed.nodes);
  }
  notSeen.sort((a, b) => a.accountId.localeCompare(b.accountId) || (a.region ?? '').localeCompare(b.region ?? ''));
  const head = { ...header, notSeen };
  deps.logger?.info('Compliance snapshot taken', {
    snapshotId: options.snapshotId,
    locations: total,
    nodes,
    notSeen: notSeen.length,
  });
  return head;
}

/**
 * Takes a compliance snapshot of the request's Organization: the same discovery, member roles,
 * limits (the request's global and per-account concurrency) and retries as a run, in every target
 * account and Region; starts nothing. Per location, the target groups' members are read with the
 * run's inventory (or, with `allNodes`, every managed node is taken), then the nodes' management
 * status and patch states (see NodeComplianceReader). A location whose groups or nodes could not be
 * read is kept as not seen, with the reason. The whole snapshot is returned, in memory: to keep
 * memory bounded by a shard, use {@link collectComplianceInto}.
 *
 * @example
 * const snapshot = await collectCompliance(request, { ...deps, nodes }, { snapshotId, takenAt: new Date(), maxAgeDays: 7 });
 */
export async function collectCompliance(
  request: PatchRequest,
  deps: ComplianceDeps,
  options: CollectComplianceOptions,
): Promise<ComplianceSnapshot> {
  const nodes: NodeCompliance[] = [];
  const head = await collectBatches(request, deps, options, async (batch) => {
    nodes.push(...batch);
  });
  const { notSeen, ...rest } = head;
  return { ...rest, nodes, notSeen };
}

/** What {@link collectComplianceInto} stored. */
export interface CollectedSnapshot {
  /** Where the snapshot's manifest went. */
  readonly where: string;
  /** The snapshot's fields but its nodes. */
  readonly head: SnapshotHead;
  /** Its Organization totals (nodes by level, unmanaged, offline, stale, places not seen). */
  readonly totals: ComplianceTotals;
}

/**
 * Takes a compliance snapshot as {@link collectCompliance} does, writing it into `store` a shard
 * (a batch of whole accounts) at a time as it is read: memory is bounded by a shard, the accounts
 * and the places not seen, never by the Organization's nodes. The snapshot is there once its
 * manifest is, written last.
 */
export async function collectComplianceInto(
  request: PatchRequest,
  deps: ComplianceDeps & { readonly store: Pick<ComplianceStore, 'openSnapshot'> },
  options: CollectComplianceOptions,
): Promise<CollectedSnapshot> {
  const writer = await deps.store.openSnapshot(options.snapshotId);
  const totals = emptyTotals();
  const head = await collectBatches(request, deps, options, async (batch) => {
    for (const n of batch) addNodeToTotals(totals, n);
    await writer.addShard(batch);
  });
  totals.notSeen = head.notSeen.length;
  const where = await writer.finish(head);
  return { where, head, totals };
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
