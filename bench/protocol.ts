import type { FaultConfig } from '@orgpatch/sandbox';

// What the bench's processes say to each other over IPC (child_process.fork). The sandbox and the
// strategy under test each run in a process of their own, so each one's CPU time and peak RSS are
// its own.

/** How the sandbox child builds its world and which faults it serves. */
export interface SandboxSpec {
  readonly accounts: number;
  readonly regions: number;
  readonly groups: number;
  readonly density: number;
  readonly seed: number;
  /** Instances in a location that has some. @default the generator's 1 to 12 */
  readonly instancesPerLocation?: { readonly min: number; readonly max: number };
  readonly faults: FaultConfig;
  /** Simulated ms per real ms (0 freezes the clock: planning and starting need no simulated time). */
  readonly timeScale: number;
}

/** The sandbox's simulated clock: `sim` epoch ms at real epoch ms `real`, running `timeScale` times real time. */
export interface SimClockAnchor {
  readonly sim: number;
  readonly real: number;
  readonly timeScale: number;
}

/** The sandbox child's answer once it listens. */
export interface SandboxReady {
  readonly type: 'ready';
  readonly env: Readonly<Record<string, string>>;
  readonly rootId: string;
  readonly managementAccountId: string;
  readonly regionNames: readonly string[];
  readonly groupNames: readonly string[];
  readonly accounts: number;
  /** Real ms the world took to generate and the endpoint to start. */
  readonly startMs: number;
  readonly clock: SimClockAnchor;
}

/** One (service, operation, outcome) cell of the sandbox call log. */
export interface CallCount {
  readonly service: string;
  readonly operation: string;
  readonly outcome: string;
  readonly count: number;
}

/** Per (account, Region) and simulated minute: how many polling calls the sandbox answered. */
export interface PollingProfile {
  /** Locations that received at least one polling call. */
  readonly locations: number;
  /** Location-minutes with at least one polling call. */
  readonly locationMinutes: number;
  /** Most polling calls one location received in one simulated minute. */
  readonly maxPerLocationMinute: number;
  /** Mean polling calls per location per simulated minute while it was polled. */
  readonly meanPerLocationMinute: number;
  /** Simulated minutes from the first to the last polling call. */
  readonly spanMinutes: number;
  readonly byOperation: Readonly<Record<string, number>>;
}

/** What the sandbox child measured since the last `reset`. */
export interface SandboxStats {
  readonly type: 'stats';
  /** CPU µs (user + system) the sandbox process used since `reset`. */
  readonly cpuMicros: number;
  /** Share of the interval the sandbox's event loop was busy (1 = saturated). */
  readonly eventLoopUtilization: number;
  readonly intervalMs: number;
  readonly maxRssKb: number;
  readonly calls: readonly CallCount[];
  /** Mean real latency of the logged calls, injected latency included. */
  readonly meanLatencyMs: number;
  readonly polling?: PollingProfile;
  readonly concurrency?: ConcurrencySeen;
}

/** The most calls the sandbox had in flight at once (real intervals, latency included). */
export interface ConcurrencySeen {
  readonly maxInFlight: number;
  /** In one member account (Resource Groups and SSM calls; not AssumeRole or Organizations, made in the orchestrator's own account). */
  readonly maxInFlightPerMemberAccount: number;
}

/** Parent to sandbox child. */
export type SandboxCommand =
  | { readonly type: 'start'; readonly spec: SandboxSpec }
  | { readonly type: 'reset' }
  | { readonly type: 'stats'; readonly polling: boolean }
  | { readonly type: 'stop' };

/** Sandbox child to parent. */
export type SandboxMessage = SandboxReady | SandboxStats | { readonly type: 'error'; readonly message: string };

/**
 * The strategies the bench runs:
 * - `orgpatch`: the in-process engine (`runEngine`, startOnly), as the CLI plans and starts;
 * - `legacy`: the single-document path (`planRun` + `startRun`), for comparison (`--legacy`);
 * - `baseline`: the blog's serial algorithm;
 * - `track`: `runEngine` to the end (plan, start, track, settle, report) on a sped-up sandbox clock;
 * - `trackCost`: the cost of one tracking round with and without finished runs in the store.
 */
export type Strategy = 'orgpatch' | 'legacy' | 'baseline' | 'track' | 'trackCost';

/** What the worker child is asked to do (its environment points the SDK at the sandbox). */
export interface WorkerTask {
  readonly strategy: Strategy;
  readonly payload: Record<string, unknown>;
  /** Baseline only: stop after this many accounts (the rest is extrapolated). */
  readonly accountLimit?: number;
  /**
   * Track and trackCost: the sandbox's clock (simulated epoch ms at a real epoch ms, and its time scale), so
   * the tracker's sleeps shrink as simulated time speeds up and credentials expire on its time.
   */
  readonly simClock?: SimClockAnchor;
  /** Track only: give up after this many real ms. */
  readonly trackBudgetMs?: number;
  /** Folder for the run store. */
  readonly storeDir: string;
  /** trackCost only: how many finished runs to put in the store before the second measure. */
  readonly finishedRuns?: number;
  /** orgpatch and track: the engine's step threads (`orgpatch run --threads`). */
  readonly threads?: number;
  /** The step thread's entry, bundled beside the worker's bundle (unset from the sources: the engine finds it). */
  readonly threadEntry?: string;
}

/** The run store's files after the run (a LocalRunStore in a temporary folder of the worker). */
export interface StoreFootprint {
  readonly files: number;
  readonly totalBytes: number;
  readonly largestBytes: number;
  /** The largest file, relative to the store's folder. */
  readonly largestFile: string;
  /** The largest run object (manifest, shard or whole record): the reports are artifacts beside the run. */
  readonly largestRunObjectBytes: number;
  readonly largestRunObject: string;
  readonly manifestBytes: number;
  /** The largest the manifest was while the run went (sampled twice a second): it holds every account while planning. */
  readonly manifestPeakBytes: number;
  readonly shards: number;
  /** Reports written beside the run, by file name, in bytes. */
  readonly reports: Readonly<Record<string, number>>;
}

/** One tracking round (the in-progress index listed, then per run `next` and, when it waits, `poll` of each shard). */
export interface TrackingRound {
  /** HTTP requests the worker sent during the round (AWS calls, retries included). */
  readonly calls: number;
  readonly ms: number;
  /** CPU ms this process used in the round (less noisy than wall time on a shared machine). */
  readonly cpuMs: number;
  readonly runsInProgress: number;
  readonly shardsPolled: number;
  /** Executions still running at the round's start (from the manifests' counts). */
  readonly runningLocations: number;
}

/** What the tracking round cost, without and with finished runs in the store. */
export interface TrackingCost {
  readonly finishedRuns: number;
  readonly storedRunsBefore: number;
  readonly storedRunsAfter: number;
  /** Median rounds (of 5, by wall time) before and after the finished runs were stored. */
  readonly before: TrackingRound;
  readonly after: TrackingRound;
  /** What listing every run costs (what the tracker did before the in-progress index), for contrast. */
  readonly listAllMsBefore: number;
  readonly listAllMsAfter: number;
  /** Ms to store the finished runs (copies of a finished dry run, each under its own run id). */
  readonly fillMs: number;
}

/** What one strategy did, measured inside its own process. */
export interface WorkerResult {
  readonly type: 'result';
  readonly strategy: Strategy;
  /** Real ms from the first call to the last answer (process start and module load excluded). */
  readonly wallMs: number;
  readonly phasesMs: Readonly<Record<string, number>>;
  readonly cpuMicros: number;
  readonly maxRssKb: number;
  /** RSS right before the run began: what loading the code cost. */
  readonly rssBeforeKb: number;
  readonly peakHeapUsedBytes: number;
  readonly eventLoopUtilization: number;
  /** Time in garbage collection (performance 'gc' entries). */
  readonly gcMs: number;
  /** Locations (account, Region) the strategy considered. */
  readonly locations: number;
  /** Accounts the strategy went through (the baseline may stop early). */
  readonly accounts: number;
  /** Baseline only: the accounts it would have walked without a limit. */
  readonly eligibleAccounts?: number;
  readonly started: number;
  /** Locations or starts that gave up with a throttling error after the SDK's retries. */
  readonly gaveUpThrottled: number;
  readonly planCounts?: Readonly<Record<string, number>>;
  /** Size of the run record as compact JSON (the store writes it indented). */
  readonly recordBytes?: number;
  /** Heap in use after the run and a full GC: what the run keeps alive. */
  readonly retainedHeapBytes?: number;
  readonly notes: readonly string[];
  readonly track?: TrackSummary;
  readonly store?: StoreFootprint;
  readonly trackingCost?: TrackingCost;
  /** HTTP requests the worker sent in the measured part (AWS calls, retries included). */
  readonly httpCalls?: number;
  /** How long the worker's main thread took for each HTTP exchange of the measured part. */
  readonly httpExchange?: ExchangeSummary;
}

/**
 * HTTP exchanges timed in the worker, from `http.client.request.start` to
 * `http.client.response.finish` (node:http's diagnostics channels): what a call costs in real time
 * beyond the sandbox's answer, its event loop's waiting included. The main thread's only (channels
 * are per thread).
 */
export interface ExchangeSummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
}

/** What the tracked run did. */
export interface TrackSummary {
  readonly rounds: number;
  readonly finished: boolean;
  readonly executions: number;
  readonly locations: number;
  readonly simulatedMinutes: number;
  readonly realMs: number;
}

/** Worker child to parent. */
export type WorkerMessage = WorkerResult | { readonly type: 'error'; readonly message: string };

/** One way of sending ListGroupResources through the SDK, measured by sdkFloor.ts. */
export interface FloorVariant {
  readonly name: string;
  /**
   * `one`: one client for every call; `perLocation`: a client made per (account, Region), as
   * orgpatch needs them, configured as clients.ts does; `factory`: clients.ts's own factory.
   */
  readonly clients: 'one' | 'perLocation' | 'factory';
  /** The Smithy client option that resolves the middleware stack once per command class. */
  readonly cacheMiddleware: boolean;
  /**
   * `env`: AWS_ENDPOINT_URL (as the bench's worker); `config`: `endpoint` in the client config;
   * `resolved`: an `endpointProvider` that hands back the endpoint ready-made (no rule set).
   */
  readonly endpoint: 'env' | 'config' | 'resolved';
  readonly calls: number;
  readonly inFlight: number;
}

/** Parent to sdkFloorChild. */
export interface FloorTask {
  readonly variant: FloorVariant;
  readonly groupNames: readonly string[];
  readonly regionNames: readonly string[];
  readonly warmupCalls: number;
}

/** What one variant measured, over its calls only (setup and warm-up left out). */
export interface FloorResult {
  readonly type: 'result';
  readonly name: string;
  readonly calls: number;
  readonly ok: number;
  readonly failed: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly cpuPerCallMs: number;
  readonly gcMs: number;
}

/** sdkFloorChild to parent. */
export type FloorMessage = FloorResult | { readonly type: 'error'; readonly message: string };
