import type { Context } from 'aws-lambda';
import { AwsPreflightReader } from '../aws/awsPreflightReader.js';
import { createAwsRunDeps } from '../awsRunDeps.js';
import { runStepWithDeps, STEP_FUNCTIONS_BACKOFF } from './awsStep.js';
import { createLambdaRuntime, type LambdaRuntime } from './runtime.js';
import { handleStepEvent } from './stepEvent.js';

/**
 * The most accounts the finish step snapshots compliance for: about 2 SSM reads per location at
 * 32 in flight and 100 ms each, 2,000 accounts x 16 Regions is some 200 s of the step's 15 minutes,
 * beside the reports. Larger Organizations take theirs with the scheduled snapshot.
 */
const RUN_SNAPSHOT_MAX_ACCOUNTS = 2_000;

// Module scope: made once per execution environment, reused by warm invocations.
const runtime: LambdaRuntime = createLambdaRuntime();

/**
 * The Lambda entry point of the orchestrator state machine's tasks: one step of a run (begin, plan,
 * next, start, poll, settle, finish) with the AWS ports of the run's request. The Lambda runtime
 * calls it by name; nothing imports it.
 * @public
 */
export const handler = (event: unknown, context: Context): Promise<unknown> =>
  handleStepEvent(
    event,
    runtime.logger,
    (input) => {
      const store = runtime.store();
      return runStepWithDeps(input, store, (request, runId) => {
        const deps = createAwsRunDeps(request, {
          clients: runtime.clients,
          store,
          runId,
          extra: { logger: runtime.logger },
        });
        return {
          ...deps,
          backoff: STEP_FUNCTIONS_BACKOFF,
          // A dry run checks what a run would need (orgpatch doctor's reads), group by group.
          preflight: new AwsPreflightReader({ clients: runtime.clients, credentials: deps.credentials }),
          runSnapshotMaxAccounts: RUN_SNAPSHOT_MAX_ACCOUNTS,
        };
      });
    },
    context,
  );
