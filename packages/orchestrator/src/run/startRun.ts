import type { PatchRequest, RunRecord } from '@orgpatch/core';
import { createRunRecord, leaseScopeFor, requestDifferences } from '@orgpatch/core';
import { RunOverlapError, RunRequestMismatchError } from '../errors.js';
import type { RunDeps } from './deps.js';
import { runIdFor, snapshotIdFor } from './ids.js';
import { type PlanResult, planRun } from './planRun.js';
import { advanceWaves } from './waves.js';

/** Options of {@link startRun}. */
export interface StartRunOptions {
  /** Use this run id instead of deriving one. */
  readonly runId?: string;
  /** A plan already built by {@link planRun} for the same request (the CLI shows it first). */
  readonly planned?: PlanResult;
}

/** What {@link startRun} did. */
export interface StartRunResult {
  readonly record: RunRecord;
  /**
   * true when the run id already had a record (a retried invocation of the same task execution):
   * nothing was planned again, and only starts cut short by a crash were made, with the same ClientTokens.
   */
  readonly resumed: boolean;
}

/**
 * Plans a run, records it, and starts its first wave (later waves are started by {@link trackRun}
 * once the one before is over). A dry run stops after recording the plan.
 *
 * Idempotent per task execution: the run id derives from the task execution id, and a record
 * already stored under it is resumed instead of planned again, but only by the same request
 * ({@link RunRequestMismatchError} otherwise); every ClientToken derives from the same key, so even
 * a start repeated after a crash returns the execution already running. A run holds a lease on its
 * Organization from before its first start until it ends ({@link RunOverlapError} for a second run).
 */
export async function startRun(
  request: PatchRequest,
  deps: RunDeps,
  options: StartRunOptions = {},
): Promise<StartRunResult> {
  const now = deps.now ?? (() => new Date());
  const runId = options.runId ?? runIdFor(request.taskExecutionId, now());
  const existing = await deps.store.get(runId);
  if (existing) {
    // A resumed run is the same run: any other request under this id is refused before anything
    // is read from AWS, let alone started.
    const differences = requestDifferences(existing.request, request);
    if (differences.length > 0) throw new RunRequestMismatchError(runId, differences);
    deps.logger?.info('Resuming run', { runId, status: existing.status });
    if (existing.dryRun) return { record: existing, resumed: true };
    if (FINISHED.has(existing.status)) {
      // A process that died between the last write and the release left the lease held.
      await deps.store.releaseLease(leaseScopeFor(existing.organization), runId);
      return { record: existing, resumed: true };
    }
    await holdLease(existing, deps, now());
    const resumed = await advanceWaves(existing, deps);
    if (FINISHED.has(resumed.status)) await deps.store.releaseLease(leaseScopeFor(resumed.organization), runId);
    return { record: resumed, resumed: true };
  }

  const planned = options.planned ?? (await planRun(request, deps));
  const record = createRunRecord({
    runId,
    createdAt: now(),
    snapshotId: snapshotIdFor(request.snapshotId, request.taskExecutionId),
    idempotencyKey: request.taskExecutionId ?? runId,
    request,
    organization: planned.organization,
    plan: planned.plan,
  });
  // A dry run takes no lease: it starts nothing, so it can plan beside a run in progress.
  if (!record.dryRun) await holdLease(record, deps, now());
  // Stored before anything starts, so a retried invocation (or the tracker) finds it and resumes.
  await deps.store.put(record);
  deps.logger?.info('Run recorded', { runId, dryRun: record.dryRun, ...record.plan.counts });
  if (record.dryRun) return { record, resumed: false };
  const advanced = await advanceWaves(record, deps);
  if (FINISHED.has(advanced.status)) await deps.store.releaseLease(leaseScopeFor(advanced.organization), runId);
  return { record: advanced, resumed: false };
}

const FINISHED = new Set(['succeeded', 'failed', 'halted']);

/** How long a lease lasts without renewal; every tracking pass renews it. */
export const LEASE_TTL_MS = 60 * 60_000;

/**
 * Takes (or renews) the run's lease on its Organization, or refuses the run with the holder's id.
 * @throws RunOverlapError
 */
export async function holdLease(
  record: Pick<RunRecord, 'organization' | 'runId'>,
  deps: Pick<RunDeps, 'store'>,
  now: Date,
): Promise<void> {
  const scope = leaseScopeFor(record.organization);
  const result = await deps.store.acquireLease({
    scope,
    runId: record.runId,
    now,
    expiresAt: new Date(now.getTime() + LEASE_TTL_MS),
  });
  if (!result.granted) throw new RunOverlapError(scope.description, result.holder.runId, result.holder.expiresAt);
}
