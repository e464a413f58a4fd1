import type { RunRecord, RunStatus } from '@orgpatch/core';

const FINISHED: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'halted']);

/**
 * Whether a record belongs in the in-progress index: a run that may still start or track
 * automations. A finished run does not, and neither does a dry run, which never starts anything.
 */
export function isInProgress(record: Pick<RunRecord, 'dryRun' | 'status'>): boolean {
  return !record.dryRun && !FINISHED.has(record.status);
}
