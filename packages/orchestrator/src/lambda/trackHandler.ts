import type { Context } from 'aws-lambda';
import { createLambdaRuntime, type LambdaRuntime } from './runtime.js';
import { type TrackHandlerResult, trackInProgressRuns } from './tracking.js';

// Module scope: made once per execution environment, reused by warm invocations.
const runtime: LambdaRuntime = createLambdaRuntime();

/**
 * The Lambda entry point of the scheduled tracker: one tracking pass over the runs in progress in
 * the S3 run store. The event's content is not used. The Lambda runtime calls it by name; nothing
 * imports it.
 * @public
 */
export const handler = (_event: unknown, context: Context): Promise<TrackHandlerResult> =>
  trackInProgressRuns(runtime, context);
