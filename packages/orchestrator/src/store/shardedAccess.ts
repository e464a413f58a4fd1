import type { RunManifest, RunPlanGroup, ShardCommit, ShardedRunStore, StoredRunManifest } from '@orgpatch/core';
import { isInProgress } from './inProgressIndex.js';
import type { ShardedRecords } from './shardedRecords.js';

/** What a store adds to {@link ShardedRecords} for the step engines: its run lock and its in-progress index. */
export interface ShardedAccessHooks {
  /** Runs `task` alone among this store's writers of the run (and, locally, other processes'). */
  exclusive<T>(runId: string, task: () => Promise<T>): Promise<T>;
  /** Puts the run in the in-progress index. */
  index(manifest: Pick<RunManifest, 'runId' | 'status' | 'updatedAt'>): Promise<void>;
  /** Takes the run out of the in-progress index. */
  unindex(runId: string): Promise<void>;
}

/**
 * A store's {@link ShardedRunStore}: the shard-level reads and writes of {@link ShardedRecords} under
 * the store's run lock, keeping the in-progress index as `put` does (the marker written before the
 * run's first manifest, removed after the manifest that finishes it).
 */
export function shardedAccess(records: ShardedRecords, hooks: ShardedAccessHooks): ShardedRunStore {
  return {
    create: (manifest: RunManifest, groups?: readonly RunPlanGroup[]): Promise<StoredRunManifest> =>
      hooks.exclusive(manifest.runId, async () => {
        if (isInProgress(manifest)) await hooks.index(manifest);
        return records.create(manifest, groups);
      }),
    manifest: (runId) => records.manifest(runId),
    planGroup: (runId, group, entry) => records.readPlanGroup(runId, group, entry),
    shard: (runId, entry) => records.readShard(runId, entry),
    commit: (runId: string, commit: ShardCommit): Promise<StoredRunManifest> =>
      hooks.exclusive(runId, async () => {
        const written = await records.commitShards(runId, commit);
        if (!isInProgress(written)) await hooks.unindex(runId);
        return written;
      }),
  };
}
