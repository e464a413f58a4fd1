import type { CallCount } from './protocol.js';

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
  readonly strategy: 'orgpatch' | 'orgpatch+throttling' | 'baseline';
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
  };
  /** The run record's parts as compact JSON, and the whole as the local store writes it (indented), in MB. */
  readonly recordPartsMb?: Readonly<Record<string, number>>;
  readonly sandbox?: {
    readonly cpuS: number;
    readonly eventLoopUtilization: number;
    readonly maxRssMb: number;
    readonly meanLatencyMs: number;
  };
  readonly idealMs?: number;
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
 * in flight, plus the critical path of one location (its calls one after the other).
 */
export function idealMs(calls: number, meanLatencyMs: number, concurrency: number, criticalPathCalls: number): number {
  return (calls * meanLatencyMs) / concurrency + criticalPathCalls * meanLatencyMs;
}

/** A target of the issue, checked. */
export interface TargetCheck {
  readonly target: string;
  readonly verdict: 'PASS' | 'MISS' | 'N/A';
  readonly detail: string;
}
