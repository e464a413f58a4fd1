import type { ComplianceSnapshot, NodeCompliance } from './complianceModel.js';
import type { ComplianceManifest, ComplianceShard } from './complianceSchema.js';
import type { LocationReading } from './complianceSnapshot.js';
import type { InventoryObservation, Location } from './inventory.js';
import type { OrganizationSnapshot } from './organization.js';
import type { DocumentObservation, NodesObservation, RoleObservation } from './preflightModel.js';
import type { RateValue } from './request.js';
import type { AutomationStatus, InstancePatchSummary, RunRecord } from './runModel.js';
import type { AlarmState } from './runProgress.js';
import type {
  RunManifest,
  RunPlanGroup,
  RunPlanGroupEntry,
  RunShard,
  StoredRunManifest,
  StoredRunShardEntry,
} from './runShards.js';
import type { AutomationTarget, TagTarget } from './targets.js';

/**
 * Ports: what the AWS side implements for the orchestration. Small and named for what they do,
 * so another tool (or a test) can supply its own.
 */

/** Which accounts to discover. */
export interface DiscoveryScope {
  /** OU or root ids to walk recursively. Empty with empty `accountIds`: the caller's account only. */
  readonly ouIds: readonly string[];
  readonly accountIds: readonly string[];
}

/** Finds the accounts of the Organization. */
export interface OrganizationDirectory {
  discover(scope: DiscoveryScope): Promise<OrganizationSnapshot>;
}

/** Reads the members of the target resource groups in one location. Never throws for AWS errors: it observes them. */
export interface InventoryReader {
  observe(location: Location, groups: readonly string[]): Promise<InventoryObservation>;
}

/**
 * Finds the managed nodes that carry a tag in one location (a tag target's inventory). Never throws
 * for AWS errors: it observes them. The observation holds one entry named `tag:Key=Value`.
 */
export interface TagInventoryReader {
  observeTag(location: Location, tag: TagTarget): Promise<InventoryObservation>;
}

/**
 * What the preflight (`orgpatch doctor`) reads besides the plan's inventory. Never throws for AWS
 * errors: it observes them, as the inventory readers do.
 */
export interface PreflightReader {
  /** The automation document at `version` (its default version when undefined) in one location. */
  document(location: Location, name: string, version: string | undefined): Promise<DocumentObservation>;
  /** Whether the IAM role `roleArn` exists, read with the location's account credentials. */
  role(location: Location, roleArn: string): Promise<RoleObservation>;
  /** Every managed node of a location with its PingStatus. */
  managedNodes(location: Location): Promise<NodesObservation>;
}

/** What StartAutomationExecution needs for one location and target. */
export interface AutomationStart {
  readonly location: Location;
  readonly documentName: string;
  readonly documentVersion?: string;
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly targetParameterName: string;
  /** The start's label: the resource group, or the tag target's `tag:Key=Value`. */
  readonly group: string;
  /** The Targets entry sent to SSM ({@link automationTarget} of the request and `group`). */
  readonly target: AutomationTarget;
  readonly maxConcurrency: RateValue;
  readonly maxErrors: RateValue;
  readonly clientToken: string;
}

/** The state of one execution and its per-instance children. */
export interface ExecutionState {
  readonly executionId: string;
  readonly status: AutomationStatus;
  readonly endedAt?: string;
  readonly failureMessage?: string;
  readonly children: readonly {
    readonly executionId: string;
    readonly instanceId: string;
    readonly status: AutomationStatus;
    readonly failureMessage?: string;
  }[];
}

/** Starts and follows automations. */
export interface AutomationRunner {
  start(input: AutomationStart): Promise<{ readonly executionId: string }>;
  describe(location: Location, executionId: string): Promise<ExecutionState>;
  stop(location: Location, executionId: string): Promise<void>;
}

/** Reads CloudWatch alarms (the health gates of waves), in the orchestrator's own account and Region. */
export interface AlarmReader {
  /** The alarms among `names` that exist, by name (one that does not exist is absent). */
  read(names: readonly string[]): Promise<ReadonlyMap<string, AlarmState>>;
}

/** What a cleanup of one location did. */
export interface SnapshotCleanup {
  /** Snapshot ids deleted (or already gone when deleted). */
  readonly deleted: readonly string[];
  /** Snapshots that could not be deleted, with AWS's error. */
  readonly failed: readonly { readonly snapshotId: string; readonly code: string; readonly message: string }[];
}

/**
 * Deletes orgpatch's pre-patch snapshots past their retention: only snapshots the account owns that
 * carry orgpatch's run tag (`SNAPSHOT_TAG_KEYS.RUN_ID`), never any other.
 */
export interface SnapshotCleaner {
  /**
   * Deletes the location's orgpatch-tagged snapshots started before `createdBefore`, except the
   * snapshots of run `keepRunId` (the run cleaning up: its own are never expired, whatever a clock says).
   */
  deleteExpired(location: Location, createdBefore: Date, keepRunId: string): Promise<SnapshotCleanup>;
}

/** Reads instance patch states after a run. */
export interface PatchStateReader {
  read(location: Location, instanceIds: readonly string[]): Promise<ReadonlyMap<string, InstancePatchSummary>>;
}

/**
 * A run listed by the store. A record that cannot be read is listed too (`unreadable`, with the
 * problem), never left out of the list.
 */
export type RunListing =
  | { readonly runId: string; readonly createdAt: string; readonly status: RunRecord['status'] }
  | {
      readonly runId: string;
      readonly createdAt: string;
      readonly status: RunSkipNote['status'];
      readonly reason: string;
    }
  | { readonly runId: string; readonly status: 'unreadable'; readonly problem: string };

/**
 * What an invocation that started nothing leaves under its run id: today is not its Patch Tuesday
 * go-day. Not a run record (nothing was planned); listed by {@link RunStore.list}.
 */
export interface RunSkipNote {
  readonly schemaVersion: 1;
  readonly runId: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly status: 'skipped-not-patch-day';
  /** One line: the day, the rule and the next go-day. */
  readonly reason: string;
  readonly windowId?: string;
  readonly taskExecutionId?: string;
}

/**
 * A run kept as a manifest and shards, as {@link RunStore.readShards} gives it: the manifest as read,
 * and a pass over the shards it lists, one shard in memory at a time.
 */
export interface ShardedRun {
  readonly manifest: RunManifest;
  /**
   * Starts a pass over the manifest's shards, in order, each read and validated when it is reached.
   * May be called more than once; every pass reads the shards of the same manifest.
   * @throws an error naming the shard when one is damaged, or gone because a later write replaced it.
   */
  shards(): AsyncIterable<RunShard>;
}

/**
 * A change to a sharded run: new versions of some shards, and the change they make to the manifest.
 * The store writes the shards, then the manifest, conditionally; when another writer changed the
 * manifest meanwhile, it reads it again and applies `change` again, unless one of `shards` was
 * changed meanwhile (a conflict).
 */
export interface ShardCommit {
  /** Each replaces the manifest's entry of its id, which must still be `base`, or is added (no `base`: there must be none). */
  readonly shards: readonly { readonly shard: RunShard; readonly base?: StoredRunShardEntry }[];
  /** The manifest's new head, from the manifest as it is at the write, with `shards` already listed in it. */
  readonly change: (manifest: StoredRunManifest) => StoredRunManifest;
}

/**
 * A run kept a shard at a time, for the step engines: no call reads or writes more than the
 * manifest and one shard. The in-progress index follows the manifest's status, as with `put`.
 */
export interface ShardedRunStore {
  /**
   * Writes the manifest of a new run (revision 1). A run planned a group at a time (see
   * beginShardedRun) gives its plan groups: each is written first, on its own, and the manifest lists
   * them (their sizes and hashes) in `planning.groups`.
   * @throws RunStoreConflictError (orchestrator) when the run id has a record already.
   */
  create(manifest: RunManifest, groups?: readonly RunPlanGroup[]): Promise<StoredRunManifest>;
  /** The run's manifest, validated; undefined when there is none (no run, or a whole record: use `get`). */
  manifest(runId: string): Promise<StoredRunManifest | undefined>;
  /**
   * Plan group `group` of a run still planning, validated (its text must hash to the manifest's
   * entry). @throws naming the group when it is gone or damaged.
   */
  planGroup(runId: string, group: number, entry: RunPlanGroupEntry): Promise<RunPlanGroup>;
  /** One shard the manifest lists, validated against its entry. @throws naming the shard when it is gone or damaged. */
  shard(runId: string, entry: StoredRunShardEntry): Promise<RunShard>;
  /** Applies `commit` (see {@link ShardCommit}); returns the manifest written. @throws RunStoreConflictError on a conflict. */
  commit(runId: string, commit: ShardCommit): Promise<StoredRunManifest>;
}

/**
 * What a run holds while it may start automations, so that two runs never patch the same
 * Organization at once. `key` names the scope (the orchestrator derives it from the Organization);
 * `description` says it in words for the error a refused run shows.
 */
export interface LeaseScope {
  readonly key: string;
  readonly description: string;
}

/** A lease as stored: who holds which scope until when. */
export interface RunLease {
  readonly scope: LeaseScope;
  readonly runId: string;
  readonly acquiredAt: string;
  readonly expiresAt: string;
}

/** The answer to a lease request: granted (new, renewed, or taken over from an expired holder), or refused with the holder. */
export type LeaseResult =
  | { readonly granted: true; readonly lease: RunLease }
  | { readonly granted: false; readonly holder: RunLease };

/**
 * Keeps run records, the index of runs in progress, scope leases and rendered reports. The store is
 * input, not truth: every record read is validated before it is returned, and every write is
 * conditional, so two writers never silently overwrite each other.
 */
export interface RunStore {
  /**
   * Writes the record. Conditional: creates it only if no record exists under its run id when this
   * store has not read or written that run before, and otherwise replaces it only if it is unchanged
   * since this store last read or wrote it. A run that is not finished (and not a dry run) is kept in
   * the in-progress index; a finished one leaves it.
   * @throws RunStoreConflictError (orchestrator) when another writer got there first.
   */
  put(record: RunRecord): Promise<void>;
  /**
   * The record, validated against the run record schema (its request re-validated through core).
   * @returns undefined when there is no record under the id.
   * @throws an error naming the record and what is wrong with it when it is corrupt.
   */
  get(runId: string): Promise<RunRecord | undefined>;
  /**
   * Every stored run, by run id. Reads each run's manifest (or whole record), not its shards: for
   * people (`orgpatch status`), not for tracking.
   */
  list(): Promise<readonly RunListing[]>;
  /**
   * Keeps a skip note under its run id (create-only: a note already there stays). Nothing is
   * written when a run record already exists under the id.
   */
  putSkipNote(note: RunSkipNote): Promise<void>;
  /** The run ids in the in-progress index: what tracking follows. Costs one small listing, whatever the number of finished runs. */
  listInProgress(): Promise<readonly string[]>;
  /**
   * Grants `scope` to `runId` until `expiresAt`, atomically: when nobody holds it, when `runId` holds
   * it already (a renewal), or when the holder's lease expired before `now`.
   */
  acquireLease(request: { scope: LeaseScope; runId: string; now: Date; expiresAt: Date }): Promise<LeaseResult>;
  /** Gives the scope up if `runId` holds it; does nothing otherwise. */
  releaseLease(scope: LeaseScope, runId: string): Promise<void>;
  /** Writes a rendered artifact (report.html, report.csv, ...) beside the record; returns where it went. */
  putArtifact(runId: string, name: string, body: string, contentType: string): Promise<string>;
  /**
   * Optional: the run as its stored manifest and a shard-at-a-time reader, so a report is rendered
   * without the whole record in memory.
   * @returns undefined when the run is not kept as shards (none under the id, or a whole record
   * written before manifests): read it with `get`.
   */
  readShards?(runId: string): Promise<ShardedRun | undefined>;
  /**
   * Optional: writes an artifact as {@link putArtifact} does, from chunks joined in order, without
   * needing the whole text at once; returns where it went.
   */
  putArtifactChunks?(runId: string, name: string, chunks: AsyncIterable<string>, contentType: string): Promise<string>;
  /** Optional: the run a shard at a time, for the step engines (see {@link ShardedRunStore}). */
  readonly sharded?: ShardedRunStore;
}

/**
 * Reads, in one location, the managed nodes (DescribeInstanceInformation) and their patch states
 * (DescribeInstancePatchStates), for a compliance snapshot. `members` are the target groups'
 * instance ids (a member SSM does not list is unmanaged), or `'all'` for every managed node.
 * Starts nothing. Never throws for AWS errors: it returns them as an error reading.
 */
export interface NodeComplianceReader {
  read(location: Location, members: readonly string[] | 'all'): Promise<LocationReading>;
}

/** A snapshot listed by the store; one that cannot be read is listed too, with the problem. */
export type ComplianceSnapshotListing =
  | {
      readonly snapshotId: string;
      readonly takenAt: string;
      readonly organizationId?: string;
      readonly runId?: string;
    }
  | { readonly snapshotId: string; readonly unreadable: string };

/**
 * Keeps compliance snapshots beside the runs (same local folder or bucket). A snapshot is written
 * once, as a manifest and shards of nodes, and validated whenever it is read.
 */
export interface ComplianceStore {
  /**
   * Writes the snapshot; refuses to replace one already stored under its id. Returns where it went.
   * @throws an error naming the snapshot when one exists under its id.
   */
  putSnapshot(snapshot: ComplianceSnapshot): Promise<string>;
  /**
   * The snapshot, validated (manifest, each shard's hash and shape).
   * @returns undefined when there is none under the id.
   * @throws an error naming the document and what is wrong with it when it is malformed.
   */
  getSnapshot(snapshotId: string): Promise<ComplianceSnapshot | undefined>;
  /** Every stored snapshot, from the manifests alone, oldest first. */
  listSnapshots(): Promise<readonly ComplianceSnapshotListing[]>;
  /**
   * Starts writing a snapshot a shard at a time, so the whole snapshot is never held: shards first,
   * the manifest last (the snapshot is there once its manifest is).
   * @throws an error naming the snapshot when one exists under its id.
   */
  openSnapshot(snapshotId: string): Promise<ComplianceSnapshotWriter>;
  /** The snapshot's manifest (validated), and a pass over its shards, one in memory at a time (each validated as read). */
  readSnapshot(snapshotId: string): Promise<StoredComplianceSnapshot | undefined>;
}

/** A snapshot being written (see {@link ComplianceStore.openSnapshot}). */
export interface ComplianceSnapshotWriter {
  /** Writes the next shard: the nodes of whole accounts, after the accounts of the shards before. An empty list writes nothing. */
  addShard(nodes: readonly NodeCompliance[]): Promise<void>;
  /** Writes the manifest: the snapshot's fields but its nodes. Returns where it went. */
  finish(head: Omit<ComplianceSnapshot, 'nodes'>): Promise<string>;
}

/** A stored snapshot read a shard at a time. */
export interface StoredComplianceSnapshot {
  readonly manifest: ComplianceManifest;
  /** A pass over its shards, in order; may be called again for another pass. */
  shards(): AsyncIterable<ComplianceShard>;
}
