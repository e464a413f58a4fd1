import type { Logger } from '@aws-lambda-powertools/logger';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PayloadValidationError, parsePayload } from '@orgpatch/core';
import type { Context } from 'aws-lambda';
import { awsErrorCode } from '../aws/awsErrors.js';
import { runIdFor } from '../run/ids.js';
import { loggableRequest } from './requestLog.js';
import { requireTaskExecutionId } from './taskExecutionId.js';

/** Step Functions' limit on an execution name ("StartExecution", API reference: name, 1-80 characters). */
const EXECUTION_NAME_LIMIT = 80;

/** What the starter needs: made once at module scope by the entry point, or by a test. */
export interface StarterRuntime {
  readonly logger: Logger;
  /** The Step Functions client (only `send` is used). */
  readonly client: Pick<SFNClient, 'send'>;
  /** The orchestrator state machine's ARN (ORGPATCH_STATE_MACHINE_ARN). */
  readonly stateMachineArn: string;
}

/** What the maintenance-window task gets back (its invocation's output in the window's history). */
export interface StartResult {
  readonly runId: string;
  readonly executionArn: string;
  /** false when this task execution had already started its execution (a retried invocation): nothing new was started. */
  readonly started: boolean;
}

/**
 * The maintenance window's Lambda task on the Step Functions engine: validates the blog payload with
 * core (an invalid one throws naming the field, and nothing is started), requires the window's task
 * execution id, and starts the state machine with the payload unchanged as its input, under the run
 * id as the execution name. Execution names are unique per state machine (for 90 days after an
 * execution closes), so a retried or duplicated invocation of the same task execution cannot start a
 * second execution: Step Functions answers ExecutionAlreadyExists, reported here as already started.
 */
export async function startRunExecution(event: unknown, rt: StarterRuntime, context?: Context): Promise<StartResult> {
  rt.logger.resetKeys();
  if (context) rt.logger.addContext(context);
  try {
    let request: ReturnType<typeof parsePayload>;
    let runId: string;
    try {
      request = parsePayload(event);
      runId = runIdFor(requireTaskExecutionId(request), new Date());
      if (runId.length > EXECUTION_NAME_LIMIT) {
        throw new PayloadValidationError([
          {
            path: 'TaskExecutionId',
            message: `The run id derived from the task execution id is ${runId.length} characters; a Step Functions execution name holds at most ${EXECUTION_NAME_LIMIT}`,
            hint: 'leave TaskExecutionId as "{{TASK_EXECUTION_ID}}": the window fills in a 36-character id',
          },
        ]);
      }
    } catch (error) {
      if (error instanceof PayloadValidationError) {
        rt.logger.error('Invalid payload: nothing started', { issues: error.issues });
      }
      throw error;
    }
    rt.logger.appendKeys({ runId });
    rt.logger.info('Patch request', { request: loggableRequest(request) });
    try {
      const out = await rt.client.send(
        new StartExecutionCommand({ stateMachineArn: rt.stateMachineArn, name: runId, input: JSON.stringify(event) }),
      );
      const executionArn = out.executionArn ?? executionArnOf(rt.stateMachineArn, runId);
      rt.logger.info('Run execution started', { executionArn });
      return { runId, executionArn, started: true };
    } catch (error) {
      if (awsErrorCode(error) !== 'ExecutionAlreadyExists') throw error;
      // This task execution already started its run (a retried invocation, or the same task run
      // again after its execution closed): the execution name is the run id, so nothing new starts.
      const executionArn = executionArnOf(rt.stateMachineArn, runId);
      rt.logger.warn('Run execution already started by this task execution: nothing new started', { executionArn });
      return { runId, executionArn, started: false };
    }
  } finally {
    rt.logger.resetKeys();
  }
}

/** An execution's ARN from its state machine's ARN and its name (the partition and account come with it). */
function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
