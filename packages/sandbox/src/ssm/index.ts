import {
  AwsServiceError,
  type CallContext,
  type OperationHandler,
  type ServiceHandlers,
  type SimClock,
  type SimWorld,
} from '../contract.js';
import type { AwsApiCall } from './apiSteps.js';
import {
  describeAutomationExecutions,
  describeAutomationStepExecutions,
  getAutomationExecution,
  stopAutomationExecution,
} from './describeExecutions.js';
import { createDocument, describeDocument, getDocument } from './documents.js';
import { AutomationEngine, type CommandDelivery, type LocationState } from './engine.js';
import { SsmServiceConfigError } from './errors.js';
import { describeInstanceInformation, describeInstancePatchStates } from './instances.js';
import { CONCURRENT_AUTOMATIONS, CONCURRENT_RATE_CONTROL_AUTOMATIONS } from './quotas.js';
import { startAutomationExecution } from './startAutomation.js';

export { installMemberDocument } from './documents.js';
export { MemberDocumentInvalidError } from './errors.js';

/** What the SSM service needs. */
export interface SsmServiceDeps {
  readonly world: SimWorld;
  readonly clock: SimClock;
  /**
   * Automations (parents and children alike) that may run at once in one account and Region; the
   * rest wait as Pending. At least 2. Rate control automations may hold at most 25 of them (the
   * quota "concurrently running rate control automations") and always leave one for a child.
   * @default 100 (the SSM quota "concurrently running automations")
   */
  readonly maxConcurrentAutomationsPerAccount?: number;
  /** When SSM Agent on a managed node takes delivery of a Run Command. @default at once */
  readonly delivery?: CommandDelivery;
  /** The AWS APIs automation steps call (aws:executeAwsApi, aws:waitForAwsResourceProperty). @default none */
  readonly awsApi?: AwsApiCall;
}

/**
 * Creates the SSM service of the sandbox: awsJson1_1 operations by name, each taking the decoded
 * request and returning the response body, acting in `ctx.accountId` / `ctx.region`.
 *
 * @example
 * ```ts
 * const ssm = createSsmService({ world, clock });
 * const { AutomationExecutionId } = await ssm.StartAutomationExecution(request, ctx);
 * ```
 */
export function createSsmService(deps: SsmServiceDeps): ServiceHandlers {
  const limit = deps.maxConcurrentAutomationsPerAccount ?? CONCURRENT_AUTOMATIONS;
  if (!Number.isInteger(limit) || limit < 2) {
    throw new SsmServiceConfigError(
      `maxConcurrentAutomationsPerAccount must be an integer of at least 2 (one slot for a rate-control parent, one for its child); got ${limit}.`,
    );
  }
  const engine = new AutomationEngine(
    deps.world,
    deps.clock,
    { running: limit, rateControl: Math.min(CONCURRENT_RATE_CONTROL_AUTOMATIONS, limit - 1) },
    deps.delivery,
    deps.awsApi,
  );

  // The world's history (scans before the sandbox started) ends when the service starts.
  const startedAt = deps.clock.now();
  /** The location the caller acts in; SSM in a Region the account has not enabled refuses the credentials. */
  const locate = (ctx: CallContext): LocationState => {
    const region = deps.world.accounts.get(ctx.accountId)?.regions.get(ctx.region);
    if (!region?.enabled) {
      throw new AwsServiceError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }
    return engine.location(ctx.accountId, region);
  };
  const at =
    (run: (location: LocationState, input: Record<string, unknown>, ctx: CallContext) => unknown): OperationHandler =>
    (input, ctx) =>
      run(locate(ctx), input, ctx);

  return {
    CreateDocument: at((l, input, ctx) => createDocument(l.region, input, ctx, deps.clock.now())),
    GetDocument: at((l, input) => getDocument(l.region, input)),
    DescribeDocument: at((l, input, ctx) => describeDocument(l.region, input, ctx)),
    StartAutomationExecution: at((l, input, ctx) => startAutomationExecution(engine, l, input, ctx)),
    GetAutomationExecution: at((l, input) => getAutomationExecution(engine, l, input)),
    DescribeAutomationExecutions: at((l, input) => describeAutomationExecutions(engine, l, input)),
    DescribeAutomationStepExecutions: at((l, input) => describeAutomationStepExecutions(engine, l, input)),
    StopAutomationExecution: at((l, input) => stopAutomationExecution(engine, l, input)),
    DescribeInstanceInformation: at((l, input) => describeInstanceInformation(l, deps.clock, input)),
    DescribeInstancePatchStates: at((l, input) => describeInstancePatchStates(engine, l, input, startedAt)),
  };
}
