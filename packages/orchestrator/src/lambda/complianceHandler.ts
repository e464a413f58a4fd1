import type { Context } from 'aws-lambda';
import { type ComplianceSnapshotResult, takeScheduledSnapshot } from './complianceSnapshot.js';
import { createLambdaRuntime, type LambdaRuntime } from './runtime.js';

// Module scope: made once per execution environment, reused by warm invocations.
const runtime: LambdaRuntime = createLambdaRuntime();

/**
 * The Lambda entry point of the scheduled compliance snapshot (OrgPatching's `complianceSchedule`):
 * the schedule's input is the window's payload. The Lambda runtime calls it by name.
 * @public
 */
export const handler = (event: unknown, context: Context): Promise<ComplianceSnapshotResult> =>
  takeScheduledSnapshot(event, runtime, context);
