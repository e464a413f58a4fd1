import {
  type AutomationExecutionMetadata,
  GetAutomationExecutionCommand,
  paginateDescribeAutomationExecutions,
  StartAutomationExecutionCommand,
  StopAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import type { AutomationRunner, AutomationStart, AutomationStatus, ExecutionState, Location } from '@orgpatch/core';
import { isTerminalAutomationStatus } from '@orgpatch/core';
import { IdempotentParameterMismatchError } from '../errors.js';
import { locationCallError, withAccountCredentials } from './accountCall.js';
import type { AccountCredentials } from './assumedRoleCredentials.js';
import { awsErrorCode } from './awsErrors.js';
import type { AwsClientFactory } from './clients.js';

/** Options of {@link SsmAutomationRunner}. */
export interface SsmAutomationRunnerOptions {
  readonly clients: AwsClientFactory;
  readonly credentials: AccountCredentials;
}

/** What to do when a start, describe or stop fails: what the AWS error means, with the location in the message. */
function wrap(error: unknown, location: Location, operation: string): Error {
  if (error instanceof IdempotentParameterMismatchError) return error;
  return locationCallError(error, location, operation);
}

/**
 * Starts and follows SSM Automation executions of the member document in each location.
 *
 * `describe` reads the parent with GetAutomationExecution (one call); its per-instance children
 * (DescribeAutomationExecutions filtered by ParentExecutionId, every page) are listed only once the
 * parent is terminal, so a poll round costs one call per running execution.
 */
export class SsmAutomationRunner implements AutomationRunner {
  private readonly options: SsmAutomationRunnerOptions;

  constructor(options: SsmAutomationRunnerOptions) {
    this.options = options;
  }

  async start(input: AutomationStart): Promise<{ readonly executionId: string }> {
    const { location } = input;
    try {
      return await withAccountCredentials(this.options.credentials, location, async (provider) => {
        const ssm = this.options.clients.ssm(location.region, provider);
        const out = await ssm.send(
          new StartAutomationExecutionCommand({
            DocumentName: input.documentName,
            ...(input.documentVersion ? { DocumentVersion: input.documentVersion } : {}),
            Parameters: Object.fromEntries(Object.entries(input.parameters).map(([k, v]) => [k, [...v]])),
            TargetParameterName: input.targetParameterName,
            Targets: [{ Key: input.target.key, Values: [...input.target.values] }],
            MaxConcurrency: input.maxConcurrency.raw,
            MaxErrors: input.maxErrors.raw,
            ClientToken: input.clientToken,
          }),
        );
        if (!out.AutomationExecutionId)
          throw new Error('StartAutomationExecution answered without an AutomationExecutionId');
        return { executionId: out.AutomationExecutionId };
      });
    } catch (error) {
      if (awsErrorCode(error) === 'IdempotentParameterMismatch') {
        throw new IdempotentParameterMismatchError(location.accountId, location.region, input.clientToken, {
          cause: error,
        });
      }
      throw wrap(error, location, 'StartAutomationExecution');
    }
  }

  async describe(location: Location, executionId: string): Promise<ExecutionState> {
    try {
      return await withAccountCredentials(this.options.credentials, location, async (provider) => {
        const ssm = this.options.clients.ssm(location.region, provider);
        const out = await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId }));
        const execution = out.AutomationExecution;
        const status = (execution?.AutomationExecutionStatus ?? 'Pending') as AutomationStatus;
        const base = {
          executionId,
          status,
          ...(execution?.ExecutionEndTime ? { endedAt: execution.ExecutionEndTime.toISOString() } : {}),
          ...(execution?.FailureMessage ? { failureMessage: execution.FailureMessage } : {}),
        };
        if (!isTerminalAutomationStatus(status)) return { ...base, children: [] };
        const children: ExecutionState['children'][number][] = [];
        const pages = paginateDescribeAutomationExecutions(
          { client: ssm, pageSize: 50 },
          { Filters: [{ Key: 'ParentExecutionId', Values: [executionId] }] },
        );
        for await (const page of pages) {
          for (const child of page.AutomationExecutionMetadataList ?? []) children.push(toChild(child));
        }
        return { ...base, children };
      });
    } catch (error) {
      throw wrap(error, location, 'GetAutomationExecution');
    }
  }

  async stop(location: Location, executionId: string): Promise<void> {
    try {
      await withAccountCredentials(this.options.credentials, location, async (provider) => {
        await this.options.clients
          .ssm(location.region, provider)
          .send(new StopAutomationExecutionCommand({ AutomationExecutionId: executionId, Type: 'Cancel' }));
      });
    } catch (error) {
      throw wrap(error, location, 'StopAutomationExecution');
    }
  }
}

function toChild(child: AutomationExecutionMetadata): ExecutionState['children'][number] {
  return {
    executionId: child.AutomationExecutionId ?? '',
    // Rate control sets each child's Target to the value it put in TargetParameterName: the node id.
    instanceId: child.Target ?? child.TargetMaps?.[0]?.InstanceIds?.[0] ?? 'unknown',
    status: (child.AutomationExecutionStatus ?? 'Pending') as AutomationStatus,
    ...(child.FailureMessage ? { failureMessage: child.FailureMessage } : {}),
  };
}
