import { type FaultConfig, SSM_AUTOMATION_API_QUOTAS, type ThrottleRule } from '@orgpatch/sandbox';
import type { SandboxSpec } from './protocol.js';

/** Regions per account in every bench world (the generator's list mixes in four opt-in Regions). */
export const BENCH_REGIONS = 16;
/** Resource groups per location. */
export const BENCH_GROUPS = 2;
/** Share of enabled locations that hold instances. */
const BENCH_DENSITY = 1 / 3;
/** Simulated API latency: 25 ms mean, uniform +/- 10 ms. */
export const BENCH_LATENCY = { meanMs: 25, jitterMs: 10, distribution: 'uniform' } as const;
/** The baseline runs on a world of this many accounts; larger sizes are extrapolated from it. */
export const BASELINE_WORLD_ACCOUNTS = 100;
/** Critical path of one location: AssumeRole, ListGroupResources, StartAutomationExecution. */
export const CRITICAL_PATH_CALLS = 3;

/**
 * Token buckets at the order of the rates AWS applies, per account and Region and API unless said
 * otherwise (the sandbox's default `bucketBy`, as AWS limits "per AWS account and AWS Region"):
 *
 * - STS AssumeRole: 600 requests per second per account per Region, the STS request quota
 *   (IAM User Guide, "IAM and AWS STS quotas"; callers hitting it: awslabs/mountpoint-s3#1358). The
 *   caller is the orchestrator's account, so one bucket serves every AssumeRole of the run.
 * - Organizations: AWS does not publish its rates (awsdocs/aws-organizations-docs#39 asks for them);
 *   callers see TooManyRequestsException ("another request is already in progress") with a handful
 *   of concurrent readers (awslabs/aws-deployment-framework#788, #752; connelldave/botocove#17).
 *   One bucket for the whole service in the management account, 5 per second with a burst of 10.
 * - Resource Groups ListGroupResources: rate not published. 5 per second with a burst of 5 per
 *   account, Region and API: the order of the per-account rates AWS does publish for comparable
 *   control-plane reads (Account Management quotas: GetRegionOptStatus and ListRegions 5 per second,
 *   burst 5; Service Quotas: GetServiceQuota 5 per second, burst 5).
 * - SSM Automation: the published rates, per account and Region (AWS General Reference, "AWS Systems
 *   Manager endpoints and quotas", Automation: StartAutomationExecution 1 per second;
 *   GetAutomationExecution, DescribeAutomationExecutions, DescribeAutomationStepExecutions 3;
 *   StopAutomationExecution 1), with a burst of one second's worth (none is published): the
 *   sandbox's default throttle rules, {@link SSM_AUTOMATION_API_QUOTAS}.
 */
export const AWS_ORDER_THROTTLES: readonly ThrottleRule[] = [
  { service: 'sts', operation: 'AssumeRole', rate: 600, burst: 600 },
  { service: 'organizations', rate: 5, burst: 10, bucketBy: ['service', 'account'] },
  { service: 'resource-groups', operation: 'ListGroupResources', rate: 5, burst: 5 },
  ...SSM_AUTOMATION_API_QUOTAS,
];

/** The sandbox side of a bench world of `accounts` accounts. */
export function benchWorld(
  accounts: number,
  options: { throttled?: boolean; seed?: number; latencyMs?: number } = {},
): SandboxSpec {
  const faults: FaultConfig = {
    latency: { ...BENCH_LATENCY, ...(options.latencyMs === undefined ? {} : { meanMs: options.latencyMs }) },
    // The sandbox throttles SSM at AWS's rates by default; the unthrottled runs say `throttle: []`.
    throttle: options.throttled ? [...AWS_ORDER_THROTTLES] : [],
    seed: 7,
  };
  return {
    accounts,
    regions: BENCH_REGIONS,
    groups: BENCH_GROUPS,
    density: BENCH_DENSITY,
    seed: options.seed ?? 7,
    faults,
    // Planning and starting need no simulated time; a frozen clock keeps credentials fresh.
    timeScale: 0,
  };
}

/** The world of the tracked run: small, with short patch runs, and a clock 120 times real time. */
export function trackWorld(seed = 7): SandboxSpec {
  return {
    accounts: 12,
    regions: 4,
    groups: BENCH_GROUPS,
    density: 0.5,
    seed,
    instancesPerLocation: { min: 1, max: 4 },
    faults: { latency: { ...BENCH_LATENCY }, throttle: [], seed: 7 },
    timeScale: 120,
  };
}

/**
 * The world of the tracking-round cost: the tracked run's world on a clock at real time, so that
 * the executions it starts (Install, 5 to 45 simulated minutes) are still running while the rounds
 * are measured.
 */
export function trackCostWorld(seed = 7): SandboxSpec {
  return { ...trackWorld(seed), timeScale: 1 };
}

/**
 * The world of the whole run (plan, start, track, settle, report): the bench world of `accounts`
 * accounts with its clock `timeScale` times real time (Scan takes 2 simulated minutes; member
 * credentials last an hour of it).
 */
export function fullRunWorld(accounts: number, options: { latencyMs: number; timeScale: number }): SandboxSpec {
  return { ...benchWorld(accounts, { latencyMs: options.latencyMs }), timeScale: options.timeScale };
}

/**
 * The payload every strategy runs: the whole Organization (its root), both groups, every Region of
 * the world, start only (no tracking); Operation Install for the tracked run so executions last.
 */
export function benchPayload(
  world: { readonly rootId: string; readonly regionNames: readonly string[]; readonly groupNames: readonly string[] },
  options: { readonly operation?: 'Scan' | 'Install' } = {},
): Record<string, unknown> {
  return {
    Document: { Parameters: { Operation: [options.operation ?? 'Scan'], RebootOption: ['NoReboot'] } },
    Targets: [{ Key: 'ResourceGroup', Values: [...world.groupNames] }],
    Regions: [...world.regionNames],
    Organization: { TargetOus: [world.rootId] },
    DryRun: false,
  };
}
