import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type ComplianceTotals, parsePayload } from '@orgpatch/core';
import type { Context } from 'aws-lambda';
import { createAwsRunDeps } from '../awsRunDeps.js';
import { collectComplianceInto } from '../compliance/collectCompliance.js';
import { runIdFor } from '../run/ids.js';
import type { LambdaRuntime } from './runtime.js';

/** What a scheduled compliance snapshot left: where it is and its Organization totals. */
export interface ComplianceSnapshotResult {
  readonly snapshotId: string;
  readonly where: string;
  readonly totals: ComplianceTotals;
}

/** A scan older than this many days is stale (the CLI's `--max-age` default). */
const MAX_AGE_DAYS = 7;

/**
 * One scheduled compliance snapshot (issue 14: a daily snapshot, off by default): the event is the
 * maintenance window's payload, unchanged (the schedule's input). Reads the current patch state of
 * the target groups' nodes in every target account and Region through the same discovery, roles,
 * limits and retries as a run, starts nothing, stores the snapshot beside the runs a shard at a
 * time, and publishes its totals as metrics (namespace OrgPatch): CriticalNonCompliantNodes,
 * SecurityNonCompliantNodes, UnmanagedNodes, OfflineNodes, StaleScans and PlacesNotSeen.
 * @throws PayloadValidationError naming the field, before anything is read.
 */
export async function takeScheduledSnapshot(
  event: unknown,
  rt: LambdaRuntime,
  context?: Context,
): Promise<ComplianceSnapshotResult> {
  rt.logger.resetKeys();
  if (context) rt.logger.addContext(context);
  try {
    const request = parsePayload(event);
    const takenAt = rt.now();
    const snapshotId = `c-${runIdFor(undefined, takenAt)}`;
    rt.logger.appendKeys({ snapshotId });
    const store = rt.store();
    const deps = createAwsRunDeps(request, {
      clients: rt.clients,
      store,
      runId: snapshotId,
      extra: { logger: rt.logger },
    });
    const collected = await collectComplianceInto(
      request,
      { ...deps, store },
      { snapshotId, takenAt, maxAgeDays: MAX_AGE_DAYS },
    );
    const t = collected.totals;
    rt.metrics.addMetric('CriticalNonCompliantNodes', MetricUnit.Count, t.critical);
    rt.metrics.addMetric('SecurityNonCompliantNodes', MetricUnit.Count, t.security);
    rt.metrics.addMetric('UnmanagedNodes', MetricUnit.Count, t.unmanaged);
    rt.metrics.addMetric('OfflineNodes', MetricUnit.Count, t.offline);
    rt.metrics.addMetric('StaleScans', MetricUnit.Count, t.stale);
    rt.metrics.addMetric('PlacesNotSeen', MetricUnit.Count, t.notSeen);
    rt.logger.info('Compliance snapshot stored', { where: collected.where, ...t });
    return { snapshotId, where: collected.where, totals: t };
  } finally {
    if (rt.metrics.hasStoredMetrics()) rt.metrics.publishStoredMetrics();
    rt.logger.resetKeys();
  }
}
