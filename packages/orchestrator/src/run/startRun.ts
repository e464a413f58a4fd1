import type { PatchRequest, RunRecord } from '@orgpatch/core';
import { createRunRecord } from '@orgpatch/core';
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
 * already stored under it is resumed instead of planned again; every ClientToken derives from the
 * same key, so even a start repeated after a crash returns the execution already running.
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
    deps.logger?.info('Resuming run', { runId, status: existing.status });
    if (existing.dryRun) return { record: existing, resumed: true };
    return { record: await advanceWaves(existing, deps), resumed: true };
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
  // Stored before anything starts, so a retried invocation finds it and resumes.
  await deps.store.put(record);
  deps.logger?.info('Run recorded', { runId, dryRun: record.dryRun, ...record.plan.counts });
  if (record.dryRun) return { record, resumed: false };
  return { record: await advanceWaves(record, deps), resumed: false };
}
