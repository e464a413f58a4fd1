import { expect } from 'vitest';
import { AwsServiceError, type CallContext, type ServiceHandlers, type SimWorld } from '../src/contract.js';
import type { AwsApiCall } from '../src/ssm/apiSteps.js';
import type { CommandDelivery } from '../src/ssm/engine.js';
import { createSsmService } from '../src/ssm/index.js';
import { FakeClock } from './ssmFakeClock.js';
import { ctx } from './ssmWorld.js';

/** A loosely typed response body (JSON). */
export type Body = Record<string, unknown>;

/** The SSM service over a hand-made world, with a deterministic clock. */
export function harness(
  world: SimWorld,
  options: { limit?: number; delivery?: CommandDelivery; awsApi?: (clock: FakeClock) => AwsApiCall } = {},
) {
  const clock = new FakeClock();
  const ssm: ServiceHandlers = createSsmService({
    world,
    clock,
    ...(options.limit !== undefined ? { maxConcurrentAutomationsPerAccount: options.limit } : {}),
    ...(options.delivery ? { delivery: options.delivery } : {}),
    ...(options.awsApi ? { awsApi: options.awsApi(clock) } : {}),
  });
  const call = async (operation: string, input: Body, context: CallContext = ctx(operation)): Promise<Body> => {
    const handler = ssm[operation];
    if (!handler) throw new Error(`No handler for ${operation}`);
    return (await handler(input, { ...context, operation })) as Body;
  };
  const execution = async (id: string, context?: CallContext): Promise<Body> =>
    (await call('GetAutomationExecution', { AutomationExecutionId: id }, context)).AutomationExecution as Body;
  /** Every child of a parent, following NextToken through empty pages. */
  const children = async (parentId: string, context?: CallContext): Promise<Body[]> => {
    const all: Body[] = [];
    let token: string | undefined;
    do {
      const page = await call(
        'DescribeAutomationExecutions',
        {
          Filters: [{ Key: 'ParentExecutionId', Values: [parentId] }],
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        },
        context,
      );
      all.push(...(page.AutomationExecutionMetadataList as Body[]));
      token = page.NextToken as string | undefined;
    } while (token);
    return all;
  };
  return { clock, ssm, call, execution, children };
}

/** Asserts that a call fails with the AWS error `code`, and returns its message. */
export async function awsError(promise: Promise<unknown>, code: string): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AwsServiceError);
  expect((error as AwsServiceError).code).toBe(code);
  return (error as AwsServiceError).message;
}
