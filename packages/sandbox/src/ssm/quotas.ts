// SSM Automation's published default quotas, per AWS account and Region ("Unless otherwise specified,
// each quota applies to an individual AWS Region in each AWS account"): the AWS General Reference,
// "AWS Systems Manager endpoints and quotas", section "Service quotas for Automation"; the queue and
// rate-control figures also in the Systems Manager User Guide, "AWS Systems Manager Automation"
// (table "What is an automation?": Automation quota, Automation queue quota, Rate control automation
// quota, Rate control automation queue quota).

/**
 * "Concurrently running automations": 100, child automations and rate control automations included;
 * the rest wait in the queue as `Pending`.
 */
export const CONCURRENT_AUTOMATIONS = 100;

/** "Concurrently running rate control automations": 25; further rate control automations wait as `Pending`. */
export const CONCURRENT_RATE_CONTROL_AUTOMATIONS = 25;

/**
 * "Automation queue": 5,000 automations waiting for a slot. (The same General Reference table also
 * lists "Additional automation executions that can be queued: 1,000"; the User Guide's "Automation
 * queue quota" reads "Each AWS account can queue 5,000 automations", so 5,000 it is.)
 */
export const AUTOMATION_QUEUE = 5_000;

/** "Rate control automation queue": 1,000 rate control automations waiting for one of the 25 places. */
export const RATE_CONTROL_AUTOMATION_QUEUE = 1_000;

/**
 * The published "Transactions per second" of the Automation API actions the sandbox serves, as
 * token-bucket throttle rules per account, Region and API (the fault controller's default `bucketBy`):
 * StartAutomationExecution 1, StopAutomationExecution 1, GetAutomationExecution 3,
 * DescribeAutomationExecutions 3, DescribeAutomationStepExecutions 3. AWS publishes no burst; the
 * bucket holds one second's worth (burst = rate), the strictest reading. SSM answers a throttled call
 * with `ThrottlingException` (HTTP 400), which the SDK retries.
 *
 * These are the sandbox's default throttle rules; `faults.set({ throttle: [] })` turns them off and
 * `faults.set({ throttle: [...SSM_AUTOMATION_API_QUOTAS, rule] })` adds to them.
 */
export const SSM_AUTOMATION_API_QUOTAS = [
  { service: 'ssm', operation: 'StartAutomationExecution', rate: 1, burst: 1 },
  { service: 'ssm', operation: 'StopAutomationExecution', rate: 1, burst: 1 },
  { service: 'ssm', operation: 'GetAutomationExecution', rate: 3, burst: 3 },
  { service: 'ssm', operation: 'DescribeAutomationExecutions', rate: 3, burst: 3 },
  { service: 'ssm', operation: 'DescribeAutomationStepExecutions', rate: 3, burst: 3 },
] as const satisfies readonly {
  readonly service: 'ssm';
  readonly operation: string;
  readonly rate: number;
  readonly burst: number;
}[];
