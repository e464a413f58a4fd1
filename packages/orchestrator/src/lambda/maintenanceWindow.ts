import {
  PayloadValidationError,
  type PreflightReport,
  parsePayload,
  type RunSummary,
  summarizeRun,
} from '@orgpatch/core';
import type { Context } from 'aws-lambda';
import { AwsPreflightReader } from '../aws/awsPreflightReader.js';
import { createAwsRunDeps } from '../awsRunDeps.js';
import { runIdFor } from '../run/ids.js';
import { skipUnlessPatchDay } from '../run/patchDayGate.js';
import { planRun } from '../run/planRun.js';
import { logPreflight, runPreflight } from '../run/preflight.js';
import { startRun } from '../run/startRun.js';
import { loggableRequest } from './requestLog.js';
import { addRunMetrics, type LambdaRuntime } from './runtime.js';
import { requireTaskExecutionId } from './taskExecutionId.js';

/** What the maintenance-window task gets back when the run went ahead. */
export interface StartedHandlerResult {
  readonly runId: string;
  /** true when this task execution had already been run (a retried invocation): nothing new was started. */
  readonly resumed: boolean;
  readonly summary: RunSummary;
  /** A dry run's preflight (`orgpatch doctor`'s checks): whether a run would fail, and the counts. Each problem is logged. */
  readonly preflight?: { readonly ok: boolean; readonly counts: PreflightReport['counts'] };
}

/** What the maintenance-window task gets back on a day that is not the request's Patch Tuesday go-day. */
export interface SkippedHandlerResult {
  readonly runId: string;
  /** Nothing was read from the Organization or started; the skip note under `runId` holds the reason. */
  readonly skipped: { readonly status: 'skipped-not-patch-day'; readonly reason: string };
}

/** What the maintenance-window task gets back. */
export type HandlerResult = StartedHandlerResult | SkippedHandlerResult;

/**
 * Handles one maintenance-window invocation with the given runtime (tests pass one wired to the sandbox).
 * The event is the task's payload itself, as in the blog (its {{WINDOW_ID}} and {{TASK_EXECUTION_ID}}
 * filled in by the window). Plans, records and starts the first wave; later waves are started by the
 * tracking entry point.
 */
export async function handleMaintenanceWindowEvent(
  event: unknown,
  rt: LambdaRuntime,
  context?: Context,
): Promise<HandlerResult> {
  // The logger lives at module scope: keys appended by an earlier (warm) invocation must not leak in.
  rt.logger.resetKeys();
  if (context) rt.logger.addContext(context);
  try {
    return await handleEvent(event, rt);
  } finally {
    rt.logger.resetKeys();
  }
}

async function handleEvent(event: unknown, rt: LambdaRuntime): Promise<HandlerResult> {
  let request: ReturnType<typeof parsePayload>;
  try {
    request = parsePayload(event);
    requireTaskExecutionId(request);
  } catch (error) {
    if (error instanceof PayloadValidationError)
      rt.logger.error('Invalid payload: nothing started', { issues: error.issues });
    throw error;
  }
  const now = rt.now();
  const runId = runIdFor(requireTaskExecutionId(request), now);
  rt.logger.appendKeys({ runId });
  rt.logger.info('Patch request', { request: loggableRequest(request) });
  const skipped = await skipUnlessPatchDay(request, rt.store(), { runId, now });
  if (skipped !== undefined) {
    rt.logger.info('Not the patch day: nothing started', { status: skipped.status, reason: skipped.reason });
    return { runId, skipped: { status: skipped.status, reason: skipped.reason } };
  }
  const deps = createAwsRunDeps(request, {
    clients: rt.clients,
    store: rt.store(),
    runId,
    extra: { logger: rt.logger },
  });
  try {
    // A dry run also runs the preflight on the same plan (one discovery, one inventory).
    const planned = request.dryRun ? await planRun(request, deps) : undefined;
    const preflight = planned
      ? (
          await runPreflight(
            request,
            { ...deps, preflight: new AwsPreflightReader({ clients: rt.clients, credentials: deps.credentials }) },
            { planned },
          )
        ).report
      : undefined;
    if (preflight) logPreflight(rt.logger, preflight);
    const { record, resumed } = await startRun(request, deps, { runId, ...(planned ? { planned } : {}) });
    const summary = summarizeRun(record);
    rt.logger.info('Run started', { resumed, status: summary.status, locations: summary.locations });
    if (!resumed) addRunMetrics(rt.metrics, record);
    return {
      runId,
      resumed,
      summary,
      ...(preflight ? { preflight: { ok: preflight.ok, counts: preflight.counts } } : {}),
    };
  } finally {
    if (rt.metrics.hasStoredMetrics()) rt.metrics.publishStoredMetrics();
  }
}
