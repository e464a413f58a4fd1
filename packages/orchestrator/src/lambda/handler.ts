import type { Context } from 'aws-lambda';
import { type HandlerResult, handleMaintenanceWindowEvent } from './maintenanceWindow.js';
import { createLambdaRuntime, type LambdaRuntime } from './runtime.js';

// Module scope: made once per execution environment, reused by warm invocations.
const runtime: LambdaRuntime = createLambdaRuntime();

/**
 * The Lambda entry point of the maintenance-window task: the event is the task's payload itself,
 * as in the blog. Returns the run summary. The Lambda runtime calls it by name; nothing imports it.
 * @public
 */
export const handler = (event: unknown, context: Context): Promise<HandlerResult> =>
  handleMaintenanceWindowEvent(event, runtime, context);
