import {
  addNodeToTotals,
  type ComplianceManifest,
  type ComplianceStore,
  type ComplianceTotals,
  DEFAULT_MAX_AGE_DAYS,
  emptyTotals,
  type NodeComplianceReader,
  type RunCompliance,
  type RunComplianceCounts,
  type RunStore,
  runComplianceCounts,
  type StoredComplianceSnapshot,
  type StoredRunManifest,
} from '@orgpatch/core';
import { collectComplianceInto } from '../compliance/collectCompliance.js';
import type { RunDeps } from '../run/deps.js';

/** What a run's compliance snapshot needs besides a run's ports: the node reader (AwsRunDeps has it). */
export interface RunSnapshotDeps extends RunDeps {
  /** Managed nodes and their patch states; without it a finished run takes no snapshot (and says so). */
  readonly nodes?: NodeComplianceReader;
  /**
   * The snapshot to compare the run's with, when the caller took one just before the run (the
   * demo): clocks of different sessions need not agree on which stored snapshot is the latest.
   * @default the latest snapshot of the Organization taken before the run began
   */
  readonly complianceBefore?: string;
  /**
   * The most accounts a finished run's snapshot is taken for in `finish`: a step with a time limit
   * (the 15-minute step Lambda) must not spend it reading every node of a large Organization. Beyond
   * it the run records the snapshot as not taken, and says where to take one.
   * @default no limit (the CLI's in-process engine)
   */
  readonly runSnapshotMaxAccounts?: number;
}

/** The id of the snapshot a run takes when it finishes: one per run, so a finish repeated finds it. */
function runSnapshotId(runId: string): string {
  return `c-${runId}`;
}

/** The store as a compliance store, when it is one (the local and S3 run stores are). */
function complianceStoreOf(store: RunStore): (RunStore & ComplianceStore) | undefined {
  const s = store as RunStore & Partial<ComplianceStore>;
  return typeof s.openSnapshot === 'function' &&
    typeof s.readSnapshot === 'function' &&
    typeof s.listSnapshots === 'function'
    ? (s as RunStore & ComplianceStore)
    : undefined;
}

/** A stored snapshot's Organization totals, from a pass over its shards (one in memory at a time). */
async function totalsOf(stored: StoredComplianceSnapshot): Promise<ComplianceTotals> {
  const totals = emptyTotals();
  for await (const shard of stored.shards()) for (const n of shard.nodes) addNodeToTotals(totals, n);
  totals.notSeen = stored.manifest.notSeen.length;
  return totals;
}

const sameOrganization = (manifest: StoredRunManifest, snapshot: ComplianceManifest): boolean =>
  manifest.organization.organizationId !== undefined || snapshot.organization.organizationId !== undefined
    ? manifest.organization.organizationId === snapshot.organization.organizationId
    : manifest.organization.managementAccountId === snapshot.organization.managementAccountId;

/**
 * The latest snapshot of the run's Organization stored before the run began (taken before its
 * `createdAt`), other than the run's own; undefined when there is none. Unreadable snapshots are
 * passed over.
 */
async function snapshotBefore(
  manifest: StoredRunManifest,
  store: ComplianceStore,
  named: string | undefined,
): Promise<StoredComplianceSnapshot | undefined> {
  if (named !== undefined) {
    const stored = await store.readSnapshot(named);
    if (stored !== undefined && sameOrganization(manifest, stored.manifest)) return stored;
  }
  const began = Date.parse(manifest.createdAt);
  const orgId = manifest.organization.organizationId;
  const candidates = (await store.listSnapshots())
    .filter(
      (l): l is Extract<typeof l, { takenAt: string }> =>
        'takenAt' in l &&
        Date.parse(l.takenAt) < began &&
        l.snapshotId !== runSnapshotId(manifest.runId) &&
        (orgId === undefined || l.organizationId === orgId),
    )
    .reverse();
  for (const candidate of candidates) {
    try {
      const stored = await store.readSnapshot(candidate.snapshotId);
      if (stored !== undefined && sameOrganization(manifest, stored.manifest)) return stored;
    } catch {
      // A snapshot that cannot be read is not the one before: the next older one may be.
    }
  }
  return undefined;
}

/**
 * Takes the compliance snapshot of a finished run: the nodes of the accounts its plan targeted, in
 * its Regions, with the same collector and store as `orgpatch compliance`, stored as
 * `c-<run-id>` with the run id; then the counts of that snapshot and of the latest snapshot of the
 * same Organization stored before the run began. Written a shard at a time (see
 * collectComplianceInto), so memory is bounded by a shard, not by the Organization. A dry run takes
 * none (undefined). Never throws: a snapshot that cannot be taken is recorded as not taken, with why.
 * A finish repeated after the snapshot was stored reads it back instead of taking another.
 */
async function takeRunSnapshot(manifest: StoredRunManifest, deps: RunSnapshotDeps): Promise<RunCompliance | undefined> {
  if (manifest.dryRun || manifest.request.dryRun) return undefined;
  if (manifest.compliance !== undefined) return manifest.compliance;
  const store = complianceStoreOf(deps.store);
  if (store === undefined) return { taken: false, reason: 'the run store does not keep compliance snapshots.' };
  if (deps.nodes === undefined) return { taken: false, reason: 'this run has no reader of managed nodes.' };
  const snapshotId = runSnapshotId(manifest.runId);
  const accounts = new Set(manifest.plan.waves.flatMap((w) => w.accountIds));
  const max = deps.runSnapshotMaxAccounts;
  if (max !== undefined && accounts.size > max && (await store.readSnapshot(snapshotId)) === undefined) {
    return {
      taken: false,
      reason: `the run targets ${accounts.size} accounts, more than the ${max} a finished run's snapshot is taken for within its step; take one with orgpatch compliance, or OrgPatching's complianceSchedule`,
    };
  }
  try {
    // Read the one before first: the run's own snapshot is taken after the run began, so never it.
    const earlier = await snapshotBefore(manifest, store, deps.complianceBefore);
    const before = earlier && runComplianceCounts(earlier.manifest, await totalsOf(earlier));
    const own = await store.readSnapshot(snapshotId);
    let after: RunComplianceCounts;
    if (own !== undefined) after = runComplianceCounts(own.manifest, await totalsOf(own));
    else {
      const collected = await collectComplianceInto(
        manifest.request,
        { ...deps, nodes: deps.nodes, store },
        {
          snapshotId,
          takenAt: (deps.now ?? (() => new Date()))(),
          maxAgeDays: DEFAULT_MAX_AGE_DAYS,
          runId: manifest.runId,
          onlyAccounts: accounts,
        },
      );
      after = runComplianceCounts(collected.head, collected.totals);
    }
    return before === undefined ? { taken: true, after } : { taken: true, after, before };
  } catch (error) {
    deps.logger?.warn('Compliance snapshot not taken', { runId: manifest.runId, error: (error as Error).message });
    return { taken: false, reason: (error as Error).message.split('\n')[0] ?? 'unknown error' };
  }
}

/**
 * `finish`'s compliance part: takes the run's snapshot (see {@link takeRunSnapshot}) and records
 * the counts in the run's manifest, where every report of the run reads them. Nothing for a dry
 * run, nor for a store that does not keep runs a shard at a time.
 */
export async function recordRunCompliance(manifest: StoredRunManifest, deps: RunSnapshotDeps): Promise<void> {
  const sharded = deps.store.sharded;
  if (sharded === undefined || manifest.compliance !== undefined) return;
  const compliance = await takeRunSnapshot(manifest, deps);
  if (compliance === undefined) return;
  await sharded.commit(manifest.runId, { shards: [], change: (fresh) => ({ ...fresh, compliance }) });
  if (!compliance.taken) {
    deps.logger?.warn('Run finished without a compliance snapshot', {
      runId: manifest.runId,
      reason: compliance.reason,
    });
  }
}
