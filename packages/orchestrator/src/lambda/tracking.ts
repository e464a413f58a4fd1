import type { RunStatus } from '@orgpatch/core';
import type { Context } from 'aws-lambda';
import { createAwsRunDeps } from '../awsRunDeps.js';
import { trackRun } from '../run/trackRun.js';
import { addRunMetrics, type LambdaRuntime } from './runtime.js';

/** What one tracking invocation did, per run. */
export interface TrackHandlerResult {
  readonly runs: readonly {
    readonly runId: string;
    /** The run's status after this pass; `unknown` when its record could not be read or tracked (see `error`). */
    readonly status: RunStatus | 'unknown';
    readonly finished: boolean;
    readonly error?: string;
  }[];
}

/**
 * One tracking pass over the runs in the S3 run store's in-progress index (planned or running): one poll round each,
 * starting the next wave where one ended, and for a run that ended its patch states, record and
 * reports. Scheduled by infra while runs are in progress; the event's content is not used.
 */
export async function trackInProgressRuns(rt: LambdaRuntime, context?: Context): Promise<TrackHandlerResult> {
  // The logger lives at module scope: keys appended by an earlier (warm) invocation must not leak in.
  rt.logger.resetKeys();
  if (context) rt.logger.addContext(context);
  try {
    return await trackAll(rt);
  } finally {
    rt.logger.resetKeys();
  }
}

async function trackAll(rt: LambdaRuntime): Promise<TrackHandlerResult> {
  const store = rt.store();
  // The in-progress index only: a tracking pass costs what the runs in progress cost, however many
  // finished runs the bucket keeps.
  const inProgress = await store.listInProgress();
  rt.logger.info('Tracking runs', { inProgress: inProgress.length });
  const results: TrackHandlerResult['runs'][number][] = [];
  try {
    // One run after another: each run's own polling fans out under its request's limits.
    for (const runId of inProgress) {
      rt.logger.appendKeys({ runId });
      try {
        const manifest = await store.sharded?.manifest(runId);
        if (manifest?.engine === 'steps') {
          // Followed by its own engine (the state machine polls it): tracking it here as a whole record
          // would race its shard steps.
          results.push({ runId, status: manifest.status, finished: false });
          continue;
        }
        // Validated on read (the store is input, not truth): a corrupt or tampered record is refused here.
        const record = await store.get(runId);
        if (!record) {
          // A marker whose record was never written: the process died between the two writes, before
          // any start (the record is written before the first start). Reported, not followed.
          rt.logger.warn('In-progress marker without a record: nothing was started for it', {});
          results.push({ runId, status: 'unknown', finished: false, error: 'no record under this run id' });
          continue;
        }
        const deps = createAwsRunDeps(record.request, {
          clients: rt.clients,
          store,
          runId,
          extra: { logger: rt.logger },
        });
        const tracked = await trackRun(record, deps, { until: 'round' });
        // Counted once: when this pass saw the run end (a finished run read again adds nothing).
        if (tracked.finished && tracked.rounds > 0) addRunMetrics(rt.metrics, tracked.record);
        results.push({ runId, status: tracked.record.status, finished: tracked.finished });
      } catch (error) {
        rt.logger.error('Tracking failed', { error: error instanceof Error ? error.message : String(error) });
        results.push({
          runId,
          status: 'unknown',
          finished: false,
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        rt.logger.removeKeys(['runId']);
      }
    }
  } finally {
    if (rt.metrics.hasStoredMetrics()) rt.metrics.publishStoredMetrics();
  }
  return { runs: results };
}
