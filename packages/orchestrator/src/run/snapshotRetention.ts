import type { RunRecord } from '@orgpatch/core';
import pLimit from 'p-limit';
import type { RunDeps } from './deps.js';

const DAY_MS = 86_400_000;

/**
 * The retention of pre-patch snapshots: when a run with `Snapshot` ends, orgpatch's snapshots older
 * than its RetainDays are deleted in every location the run started (only snapshots carrying
 * orgpatch's run tag; see {@link SnapshotCleaner}). Best effort: a location that cannot be cleaned
 * is logged and left for the next run, and never changes the run's outcome.
 *
 * @returns how many snapshots were deleted, and the locations that could not be cleaned.
 */
export async function deleteExpiredSnapshots(
  record: RunRecord,
  deps: Pick<RunDeps, 'snapshots' | 'logger'>,
  now: Date,
): Promise<{ deleted: number; problems: number }> {
  const setting = record.request.snapshot;
  const cleaner = deps.snapshots;
  if (setting === undefined || cleaner === undefined || record.dryRun) return { deleted: 0, problems: 0 };
  const createdBefore = new Date(now.getTime() - setting.retainDays * DAY_MS);
  const locations = record.locations.filter((l) => l.decision.action === 'start');
  const limit = pLimit(record.request.concurrency.global);
  let deleted = 0;
  let problems = 0;
  await Promise.all(
    locations.map((l) =>
      limit(async () => {
        const where = { accountId: l.accountId, region: l.region };
        try {
          const result = await cleaner.deleteExpired(where, createdBefore, record.runId);
          deleted += result.deleted.length;
          problems += result.failed.length;
          if (result.deleted.length > 0)
            deps.logger?.info('Deleted expired pre-patch snapshots', { ...where, snapshots: result.deleted });
          for (const f of result.failed)
            deps.logger?.warn('A pre-patch snapshot could not be deleted; the next run tries again', {
              ...where,
              ...f,
            });
        } catch (error) {
          problems += 1;
          deps.logger?.warn('Pre-patch snapshots could not be cleaned up here; the next run tries again', {
            ...where,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }),
    ),
  );
  return { deleted, problems };
}
