import { type PatchRequest, PayloadValidationError } from '@orgpatch/core';

/**
 * The request's task execution id, or a PayloadValidationError naming `TaskExecutionId`. The run id
 * and every ClientToken derive from it: without it, a retried (or duplicated) invocation could not be
 * told from a new run and would patch twice.
 */
export function requireTaskExecutionId(request: PatchRequest): string {
  if (request.taskExecutionId !== undefined) return request.taskExecutionId;
  throw new PayloadValidationError([
    {
      path: 'TaskExecutionId',
      message:
        'The maintenance window did not fill in {{TASK_EXECUTION_ID}}, so this invocation has no task execution id',
      hint: 'register the Lambda task with the payload\'s "TaskExecutionId": "{{TASK_EXECUTION_ID}}" as a maintenance-window task (the window fills it in); invoke the Lambda only through the window',
    },
  ]);
}
