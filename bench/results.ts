import type { CallCount, ConcurrencySeen, ExchangeSummary, StoreFootprint, TrackSummary } from './protocol.js';

/** Error codes the sandbox answers when a token bucket is empty (one per protocol). */
const THROTTLE_OUTCOMES = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'SlowDown']);
/** Error codes of injected or real server errors (the SDK retries them too). */
const SERVER_ERROR_OUTCOMES = new Set([
  'InternalServerError',
  'ServiceException',
  'InternalFailure',
  'InternalServerErrorException',
  'InternalError',
]);

/** API calls of one run, by what the table shows. */
export interface CallBreakdown {
  readonly total: number;
  readonly assumeRole: number;
  readonly listGroupResources: number;
  readonly startAutomationExecution: number;
  /** Organizations and GetCallerIdentity: discovery. */
  readonly discovery: number;
  readonly other: number;
  readonly byOperation: Readonly<Record<string, number>>;
  readonly throttles: number;
  readonly serverErrors: number;
}

/** One row of the bench table (and of results.json). */
export interface BenchRow {
  readonly size: number;
  /**
   * `orgpatch`: runEngine, plan and start; `planRun+startRun`: the single-document path (--legacy);
   * `full run`: runEngine to the end (plan, start, track, settle, report).
   */
  readonly strategy: 'orgpatch' | 'orgpatch+throttling' | 'planRun+startRun' | 'full run' | 'baseline';
  /** false: extrapolated linearly from the measured baseline. */
  readonly measured: boolean;
  readonly wallMs: number;
  readonly phasesMs?: Readonly<Record<string, number>>;
  readonly accounts: number;
  readonly locations: number;
  readonly started?: number;
  readonly planCounts?: Readonly<Record<string, number>>;
  readonly calls?: CallBreakdown;
  /** Throttling answers the SDK retried (throttles minus the calls that gave up throttled). */
  readonly retried?: number;
  /** Locations that failed with a throttling error after the SDK's retries. */
  readonly gaveUpThrottled?: number;
  readonly orchestrator?: {
    readonly maxRssMb: number;
    readonly rssBeforeRunMb: number;
    readonly peakHeapMb: number;
    /** Heap still in use after the run and a full GC. */
    readonly retainedHeapMb?: number;
    /** The run record as compact JSON. */
    readonly recordMb?: number;
    readonly cpuS: number;
    /** Time in garbage collection. */
    readonly gcS?: number;
    readonly eventLoopUtilization: number;
    /** The main thread's HTTP exchanges, request start to response end. */
    readonly httpExchange?: ExchangeSummary;
  };
  readonly sandbox?: {
    readonly cpuS: number;
    readonly eventLoopUtilization: number;
    readonly maxRssMb: number;
    readonly meanLatencyMs: number;
  };
  /** The run store's files at the end of the run. */
  readonly store?: StoreFootprint;
  /** The most calls the sandbox had in flight at once, in all and in one member account. */
  readonly concurrencySeen?: ConcurrencySeen;
  /** Orchestrator CPU ms per call the sandbox answered. */
  readonly cpuPerCallMs?: number;
  readonly track?: TrackSummary;
  readonly idealMs?: number;
  /**
   * How long a call held one of the limiter's global slots, on average: global concurrency x wall /
   * calls (Little's law, the slots kept busy). Over the sandbox's mean answer, it is the wall / ideal
   * ratio's cause: what a call waits for beyond AWS's latency.
   */
  readonly slotMsPerCall?: number;
  /** What the ideal adds for SSM's StartAutomationExecution quota (per account and Region), 0 when the world does not enforce it. */
  readonly quotaMs?: number;
  readonly ratioToIdeal?: number;
  readonly speedUpOverBaseline?: number;
  /** Wall time per (account, Region) location. */
  readonly msPerLocation: number;
  readonly notes: readonly string[];
}

/** Sums the sandbox's call log cells into the table's columns. */
export function breakdown(cells: readonly CallCount[]): CallBreakdown {
  const byOperation: Record<string, number> = {};
  let total = 0;
  let throttles = 0;
  let serverErrors = 0;
  for (const cell of cells) {
    total += cell.count;
    byOperation[cell.operation] = (byOperation[cell.operation] ?? 0) + cell.count;
    if (THROTTLE_OUTCOMES.has(cell.outcome)) throttles += cell.count;
    if (SERVER_ERROR_OUTCOMES.has(cell.outcome)) serverErrors += cell.count;
  }
  const discovery = cells
    .filter((c) => c.service === 'organizations' || c.operation === 'GetCallerIdentity')
    .reduce((s, c) => s + c.count, 0);
  const assumeRole = byOperation.AssumeRole ?? 0;
  const listGroupResources = byOperation.ListGroupResources ?? 0;
  const startAutomationExecution = byOperation.StartAutomationExecution ?? 0;
  return {
    total,
    assumeRole,
    listGroupResources,
    startAutomationExecution,
    discovery,
    other: total - assumeRole - listGroupResources - startAutomationExecution - discovery,
    byOperation,
    throttles,
    serverErrors,
  };
}

/**
 * The ideal wall time for a call count: every call at the mean latency, `concurrency` of them always
 * in flight, plus the critical path of one location (its calls one after the other, and the wait a
 * start quota imposes on its second start, `quotaMs`).
 */
export function idealMs(
  calls: number,
  meanLatencyMs: number,
  concurrency: number,
  criticalPathCalls: number,
  quotaMs = 0,
): number {
  return (calls * meanLatencyMs) / concurrency + criticalPathCalls * meanLatencyMs + quotaMs;
}

/**
 * What SSM's StartAutomationExecution quota (a token bucket of `rate` per second and `burst`, per
 * account and Region) adds to the ideal: the starts of one location share one bucket, so its last
 * start waits `(startsPerLocation - burst) / rate` seconds after the first. Buckets of different
 * locations are independent, so the quota bounds throughput only at `locations x rate` starts a
 * second, far above what `concurrency` calls in flight can make: the critical path is all it moves.
 */
export function startQuotaMs(startsPerLocation: number, quota: { rate: number; burst: number } | undefined): number {
  if (quota === undefined) return 0;
  return (Math.max(0, startsPerLocation - quota.burst) / quota.rate) * 1000;
}

/** A target of the issue, checked. */
export interface TargetCheck {
  readonly target: string;
  readonly verdict: 'PASS' | 'MISS' | 'N/A';
  readonly detail: string;
}
