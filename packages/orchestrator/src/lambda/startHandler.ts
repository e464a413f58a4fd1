import { Logger } from '@aws-lambda-powertools/logger';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { AwsEnvironmentError } from '../errors.js';
import { type StarterRuntime, type StartResult, startRunExecution } from './startExecution.js';

// Module scope: made once per execution environment, reused by warm invocations.
const logger = new Logger({ serviceName: 'orgpatch-start' });
const client = new SFNClient({});

function runtime(): StarterRuntime {
  const stateMachineArn = process.env.ORGPATCH_STATE_MACHINE_ARN;
  if (!stateMachineArn) {
    throw new AwsEnvironmentError(
      'ORGPATCH_STATE_MACHINE_ARN is not set: the starter does not know which state machine to start. Deploy it with the OrgPatching construct, which sets it.',
    );
  }
  return { logger, client, stateMachineArn };
}

/**
 * The Lambda entry point of the maintenance-window task on the Step Functions engine: validates the
 * payload and starts the orchestrator state machine under the run id. The Lambda runtime calls it by
 * name; nothing imports it.
 * @public
 */
export const handler = (event: unknown, context: Context): Promise<StartResult> =>
  startRunExecution(event, runtime(), context);
