import { subscribe } from 'node:diagnostics_channel';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { createHistogram, PerformanceObserver, performance, type RecordableHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { boundHeapGrowth } from '@orgpatch/cli/heap';
import { type PatchRequest, parsePayload, type RunRecord } from '@orgpatch/core';
import {
  createAwsClientFactory,
  createAwsRunDeps,
  LocalRunStore,
  type NextOutput,
  planRun,
  type RunDeps,
  runEngine,
  runIdFor,
  runStep,
  type StepThreadsOptions,
  startRun,
} from '@orgpatch/orchestrator';
import { runSerialBaseline } from './baseline.js';
import type {
  ExchangeSummary,
  StoreFootprint,
  TrackingCost,
  TrackingRound,
  TrackSummary,
  WorkerMessage,
  WorkerResult,
  WorkerTask,
} from './protocol.js';

// The strategy under test, in a process of its own (forked by run.ts, bundled by esbuild so that it
// runs as plain Node, as the Lambda bundle does): its wall time, CPU time and peak RSS are its own.
// The SDK finds the sandbox the standard way: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_REGION in this process's environment.

const THROTTLE_CODES = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'SlowDown']);

/** HTTP requests this process sent: every AWS call and every retry of one (the SDK uses node:http). */
let httpCalls = 0;
/** The measured part's HTTP exchanges, in microseconds (a histogram: the same memory at a million calls). */
let exchanges: RecordableHistogram | undefined;
const exchangeStarts = new WeakMap<object, number>();
subscribe('http.client.request.start', (message) => {
  httpCalls += 1;
  if (exchanges) exchangeStarts.set((message as { request: object }).request, performance.now());
});
subscribe('http.client.response.finish', (message) => {
  const started = exchangeStarts.get((message as { request: object }).request);
  if (started !== undefined) exchanges?.record(Math.max(1, Math.round((performance.now() - started) * 1000)));
});

function exchangeSummary(h: RecordableHistogram): ExchangeSummary | undefined {
  if (h.count === 0) return undefined;
  return {
    count: h.count,
    meanMs: h.mean / 1000,
    p50Ms: h.percentile(50) / 1000,
    p90Ms: h.percentile(90) / 1000,
    p99Ms: h.percentile(99) / 1000,
  };
}

/** Thrown by the tracker's sleep when the real-time budget of the tracked run is spent. */
class TrackBudgetSpent extends Error {
  constructor() {
    super('track budget spent');
    this.name = 'TrackBudgetSpentError';
  }
}

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

function homeRegion(): string {
  return process.env.AWS_REGION ?? 'us-east-1';
}

/** Whether a location gave up with a throttling error after the SDK's retries. */
function gaveUpThrottledAt(location: RunRecord['locations'][number]): boolean {
  const code = location.decision.action === 'fail' ? location.decision.code : location.error?.code;
  return code !== undefined && THROTTLE_CODES.has(code);
}

/** The process-wide measures of the measured part of a run, taken when it ends (before any bench bookkeeping). */
interface Usage {
  readonly cpuMicros: number;
  readonly maxRssKb: number;
  readonly peakHeapUsedBytes: number;
  readonly eventLoopUtilization: number;
  readonly gcMs: number;
  readonly httpCalls: number;
  readonly httpExchange?: ExchangeSummary;
}

/** What a strategy reports; the process-wide measures are added around it. */
type RunOutcome = Omit<WorkerResult, 'type' | keyof Usage | 'rssBeforeKb'>;

/** Ends the measured part of a run: the process-wide measures, as they are now. */
type StopClock = () => void;

/** The run store's files: the largest, the manifest's size, the shards, the reports. */
async function storeFootprint(root: string, runId: string, manifestPeakBytes = 0): Promise<StoreFootprint> {
  const files: { name: string; bytes: number }[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile())
        files.push({ name: relative(root, path).split(sep).join('/'), bytes: (await stat(path)).size });
    }
  };
  await walk(root);
  const largest = files.reduce((a, b) => (b.bytes > a.bytes ? b : a), { name: '-', bytes: 0 });
  const runObject = (f: { name: string }) =>
    /^[^/]+\/(manifest\.json|record\.json|shards\/[^/]+\.json)$/.test(f.name) && !f.name.startsWith('.');
  const largestRun = files.filter(runObject).reduce((a, b) => (b.bytes > a.bytes ? b : a), { name: '-', bytes: 0 });
  const reports: Record<string, number> = {};
  for (const f of files) {
    const m = new RegExp(`^${runId}/(report\\.[a-z]+)$`).exec(f.name);
    if (m?.[1]) reports[m[1]] = f.bytes;
  }
  return {
    files: files.length,
    totalBytes: files.reduce((s, f) => s + f.bytes, 0),
    largestBytes: largest.bytes,
    largestFile: largest.name,
    largestRunObjectBytes: largestRun.bytes,
    largestRunObject: largestRun.name,
    manifestBytes: files.find((f) => f.name === `${runId}/manifest.json`)?.bytes ?? 0,
    manifestPeakBytes: Math.max(manifestPeakBytes, files.find((f) => f.name === `${runId}/manifest.json`)?.bytes ?? 0),
    shards: files.filter((f) => f.name.startsWith(`${runId}/shards/`)).length,
    reports,
  };
}

/** Samples the size of a run's manifest twice a second while the run goes; `stop` ends it and answers the largest. */
function sampleManifest(store: LocalRunStore, runId: string): () => number {
  let peak = 0;
  const file = join(store.root, runId, 'manifest.json');
  const timer = setInterval(() => {
    stat(file).then(
      (s) => {
        peak = Math.max(peak, s.size);
      },
      () => undefined,
    );
  }, 500);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

/** Executions started, locations with one, and throttled give-ups of a stored run, a shard at a time. */
async function storedOutcome(
  store: LocalRunStore,
  runId: string,
): Promise<{
  started: number;
  startedLocations: number;
  gaveUpThrottled: number;
  locations: number;
  accounts: number;
}> {
  const run = await store.readShards(runId);
  if (run === undefined) throw new Error(`run ${runId} is not in the store`);
  let started = 0;
  let startedLocations = 0;
  let gaveUpThrottled = 0;
  let locations = 0;
  const accounts = new Set<string>();
  for await (const shard of run.shards()) {
    for (const l of shard.locations) {
      locations += 1;
      accounts.add(l.accountId);
      started += l.executions.length;
      if (l.executions.length > 0) startedLocations += 1;
      if (gaveUpThrottledAt(l)) gaveUpThrottled += 1;
    }
  }
  return { started, startedLocations, gaveUpThrottled, locations, accounts: accounts.size };
}

/** The clocks of a run on the sandbox: simulated time (when the sandbox's clock runs) and the shrunk sleeps. */
function runDeps(
  request: PatchRequest,
  task: WorkerTask,
  store: LocalRunStore,
  runId: string,
  observe: { onProgress?: RunDeps['onProgress'] } = {},
) {
  const clients = createAwsClientFactory();
  const anchor = task.simClock?.timeScale ? task.simClock : undefined;
  const simNow = () => (anchor ? anchor.sim + (Date.now() - anchor.real) * anchor.timeScale : Date.now());
  const budgetEnd = performance.now() + (task.trackBudgetMs ?? Number.POSITIVE_INFINITY);
  const deps = createAwsRunDeps(request, {
    clients,
    store,
    runId,
    ...(anchor ? { credentialClock: simNow } : {}),
    extra: {
      ...(anchor ? { now: () => new Date(simNow()) } : {}),
      // Tracking waits in simulated time: the sandbox's clock runs `timeScale` times faster.
      sleep: async (ms: number) => {
        if (performance.now() > budgetEnd) throw new TrackBudgetSpent();
        await new Promise((resolve) => setTimeout(resolve, ms / (anchor?.timeScale ?? 1)));
      },
      ...(observe.onProgress ? { onProgress: observe.onProgress } : {}),
    },
  });
  return { clients, deps, simNow };
}

/** The engine's step threads: the same store and sandbox (the environment), on the sandbox's clock. */
function threadOptions(task: WorkerTask, threads: number): StepThreadsOptions {
  const anchor = task.simClock?.timeScale ? task.simClock : undefined;
  return {
    threads,
    setup: {
      aws: {},
      store: { kind: 'local', root: task.storeDir },
      ...(anchor ? { clock: { real: anchor.real, sim: anchor.sim, timeScale: anchor.timeScale } } : {}),
    },
    ...(task.threadEntry ? { entry: task.threadEntry } : {}),
  };
}

/** The serial baseline. */
async function baseline(task: WorkerTask, stop: StopClock): Promise<RunOutcome> {
  const request = parsePayload(task.payload);
  const outcome = await runSerialBaseline(request, {
    homeRegion: homeRegion(),
    ...(task.accountLimit === undefined ? {} : { accountLimit: task.accountLimit }),
  });
  stop();
  return {
    strategy: 'baseline',
    wallMs: outcome.wallMs,
    phasesMs: { total: outcome.wallMs },
    locations: outcome.locations,
    accounts: outcome.accounts,
    eligibleAccounts: outcome.eligibleAccounts,
    started: outcome.started,
    gaveUpThrottled: 0,
    notes: [`${outcome.assumeRoleFailures} AssumeRole refusals (accounts without member stacks)`],
  };
}

/** The single-document path, for comparison: planRun, then startRun with the whole record. */
async function legacy(task: WorkerTask, stop: StopClock): Promise<RunOutcome> {
  const request = parsePayload(task.payload);
  const store = new LocalRunStore(task.storeDir);
  const runId = runIdFor(undefined, new Date());
  let discoveredAt: number | undefined;
  const { clients, deps } = runDeps(request, task, store, runId, {
    onProgress: (event) => {
      if (event.phase === 'discover' && event.done) discoveredAt ??= performance.now();
    },
  });
  const began = performance.now();
  const planned = await planRun(request, deps);
  const plannedAt = performance.now();
  const { record } = await startRun(request, deps, { runId, planned });
  const startedAt = performance.now();
  stop();
  clients.destroy();
  // What the run keeps alive at the end (the record, the plan, caches), apart from garbage: needs
  // --expose-gc, which the bench passes.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const retainedHeapBytes = gc ? process.memoryUsage().heapUsed : undefined;
  return {
    strategy: 'legacy',
    wallMs: startedAt - began,
    phasesMs: {
      discover: (discoveredAt ?? plannedAt) - began,
      plan: plannedAt - began,
      start: startedAt - plannedAt,
      total: startedAt - began,
    },
    locations: record.locations.length,
    accounts: planned.organization.accounts.length,
    started: record.locations.reduce((n, l) => n + l.executions.length, 0),
    gaveUpThrottled: record.locations.filter(gaveUpThrottledAt).length,
    planCounts: { ...planned.plan.counts },
    recordBytes: Buffer.byteLength(JSON.stringify(record)),
    ...(retainedHeapBytes === undefined ? {} : { retainedHeapBytes }),
    store: await storeFootprint(store.root, runId),
    notes: ['planRun + startRun: the run held whole in one record'],
  };
}

/**
 * The engine as the CLI runs it (runEngine over a LocalRunStore): plan and start only
 * (`orgpatch run` without --wait), or, for `track`, to the end (track, settle, reports) with the
 * sandbox's clock sped up and the engine's sleeps shrunk by the same factor.
 */
async function engine(task: WorkerTask, stop: StopClock): Promise<RunOutcome> {
  const request = parsePayload(task.payload);
  const store = new LocalRunStore(task.storeDir);
  const runId = runIdFor(undefined, new Date());
  const toEnd = task.strategy === 'track';
  const marks: Record<string, number> = {};
  // The process's peak RSS so far at each mark, so that the peak can be placed in a phase.
  const peakRssAtMb: Record<string, number> = {};
  const mark = (name: string) => {
    marks[name] ??= performance.now();
    peakRssAtMb[name] ??= Math.round(process.resourceUsage().maxRSS / 1024);
  };
  let rounds = 0;
  const made = runDeps(request, task, store, runId, {
    onProgress: (event) => {
      if (event.phase === 'discover' && event.done) mark('discovered');
      // Step threads report through progress (their calls do not pass through the wrappers below).
      if (event.phase === 'start') mark('firstStart');
      if (event.phase === 'track') {
        mark('firstPoll');
        rounds = event.round;
      }
      if (event.phase === 'patch-states') mark('firstSettle');
    },
  });
  const { clients, simNow } = made;
  // Phase boundaries: the first start ends planning, the first poll ends starting, the first patch
  // state read ends tracking, the first node read of the finished run's compliance snapshot ends
  // settling, the first report written ends the snapshot, the run's end ends the reports.
  const { automation, patchStates, nodes } = made.deps;
  const putArtifactChunks = store.putArtifactChunks.bind(store);
  store.putArtifactChunks = (...args) => {
    mark('firstReport');
    return putArtifactChunks(...args);
  };
  const deps: typeof made.deps = {
    ...made.deps,
    automation: {
      start: (input) => {
        mark('firstStart');
        return automation.start(input);
      },
      describe: (location, executionId) => {
        mark('firstPoll');
        return automation.describe(location, executionId);
      },
      stop: (location, executionId) => automation.stop(location, executionId),
    },
    patchStates: {
      read: (location, instanceIds) => {
        mark('firstSettle');
        return patchStates.read(location, instanceIds);
      },
    },
    nodes: {
      read: (location, instanceIds) => {
        mark('firstSnapshot');
        return nodes.read(location, instanceIds);
      },
    },
  };
  const manifestPeak = sampleManifest(store, runId);
  const began = performance.now();
  const simBegan = simNow();
  let finished = false;
  let engineRounds = 0;
  try {
    const result = await runEngine(task.payload, deps, {
      runId,
      request,
      startOnly: !toEnd,
      ...(task.threads ? { threads: threadOptions(task, task.threads) } : {}),
    });
    finished = result.finished !== undefined;
    engineRounds = result.rounds;
  } catch (error) {
    if (!(error instanceof TrackBudgetSpent)) throw error;
  }
  const ended = performance.now();
  stop();
  const manifestPeakBytes = manifestPeak();
  clients.destroy();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const retainedHeapBytes = gc ? process.memoryUsage().heapUsed : undefined;
  const manifest = await store.sharded.manifest(runId);
  const outcome = await storedOutcome(store, runId);
  const plannedAt = marks.firstStart ?? ended;
  const startedAt = toEnd ? (marks.firstPoll ?? ended) : ended;
  const phasesMs: Record<string, number> = {
    discover: (marks.discovered ?? plannedAt) - began,
    plan: plannedAt - began,
    start: startedAt - plannedAt,
    ...(toEnd
      ? { track: (marks.firstSettle ?? ended) - startedAt, settleAndReport: ended - (marks.firstSettle ?? ended) }
      : {}),
    total: ended - began,
  };
  const track: TrackSummary | undefined = toEnd
    ? {
        rounds: Math.max(rounds, engineRounds),
        finished,
        executions: outcome.started,
        locations: outcome.startedLocations,
        simulatedMinutes: (simNow() - simBegan) / 60_000,
        realMs: ended - startedAt,
      }
    : undefined;
  return {
    strategy: task.strategy,
    wallMs: ended - began,
    phasesMs,
    locations: outcome.locations,
    accounts: outcome.accounts,
    started: outcome.started,
    gaveUpThrottled: outcome.gaveUpThrottled,
    ...(manifest ? { planCounts: { ...manifest.plan.counts } } : {}),
    ...(retainedHeapBytes === undefined ? {} : { retainedHeapBytes }),
    store: await storeFootprint(store.root, runId, manifestPeakBytes),
    ...(track ? { track } : {}),
    notes: [
      `runEngine (pool 4${toEnd ? ', to the end' : ', startOnly'}); status ${manifest?.status ?? '?'}; peak RSS by the end of ${[
        'firstStart',
        'firstPoll',
        'firstSettle',
        'firstSnapshot',
        'firstReport',
      ]
        .filter((m) => peakRssAtMb[m] !== undefined)
        .map(
          (m) =>
            `${{ firstStart: 'plan', firstPoll: 'start', firstSettle: 'track', firstSnapshot: 'settle', firstReport: 'snapshot' }[m]} ${peakRssAtMb[m]} MB`,
        )
        .join(', ')}, of the run ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
    ],
  };
}

/** One tracking round over the in-progress index: per run, `next`, then `poll` of each shard it names when it waits. */
async function trackingRound(store: LocalRunStore, deps: RunDeps): Promise<TrackingRound> {
  let runningLocations = 0;
  for (const runId of await store.listInProgress()) {
    const manifest = await store.sharded.manifest(runId);
    runningLocations += manifest?.counts.reduce((n, c) => n + c.started + c.starting, 0) ?? 0;
  }
  const calls = httpCalls;
  const cpu = process.cpuUsage();
  const began = performance.now();
  const inProgress = await store.listInProgress();
  let shardsPolled = 0;
  for (const runId of inProgress) {
    const decision = (await runStep({ step: 'next', runId }, deps)) as NextOutput;
    if (decision.action !== 'wait') continue;
    await Promise.all(decision.shards.map((shard) => runStep({ step: 'poll', runId, shard }, deps)));
    shardsPolled += decision.shards.length;
  }
  return {
    calls: httpCalls - calls,
    ms: performance.now() - began,
    cpuMs: ((u) => (u.user + u.system) / 1000)(process.cpuUsage(cpu)),
    runsInProgress: inProgress.length,
    shardsPolled,
    runningLocations,
  };
}

/** The median round of `n`, by time. */
async function medianRound(store: LocalRunStore, deps: RunDeps, n: number): Promise<TrackingRound> {
  const rounds: TrackingRound[] = [];
  for (let i = 0; i < n; i += 1) rounds.push(await trackingRound(store, deps));
  return [...rounds].sort((a, b) => a.ms - b.ms)[Math.floor(n / 2)] as TrackingRound;
}

/**
 * What a tracking round costs with no finished run in the store and with `finishedRuns` of them: a
 * run started and left running (its executions last, on a clock at real time), a finished dry run of
 * the same world copied under `finishedRuns` run ids, and the round measured before and after.
 */
async function trackCost(task: WorkerTask, stop: StopClock): Promise<RunOutcome> {
  const request = parsePayload(task.payload);
  const store = new LocalRunStore(task.storeDir);
  const runId = runIdFor(undefined, new Date());
  const { clients, deps } = runDeps(request, task, store, runId);
  const began = performance.now();
  // A finished run to copy: a dry run of the same world (it plans and finishes, starting nothing).
  const dryPayload = { ...task.payload, DryRun: true };
  const dryRequest = parsePayload(dryPayload);
  const dryId = `${runId}-dry`;
  const dry = runDeps(dryRequest, task, store, dryId);
  await runEngine(dryPayload, dry.deps, { runId: dryId, request: dryRequest });
  dry.clients.destroy();
  const finishedRecord = await store.get(dryId);
  if (finishedRecord === undefined) throw new Error('the dry run left no record');
  // The run in progress.
  await runEngine(task.payload, deps, { runId, request, startOnly: true });
  const storedRunsBefore = (await store.list()).length;
  let listAll = performance.now();
  await store.list();
  const listAllMsBefore = performance.now() - listAll;
  const before = await medianRound(store, deps, 5);
  const n = task.finishedRuns ?? 1000;
  const fillBegan = performance.now();
  for (let i = 0; i < n; i += 1) await store.put({ ...finishedRecord, runId: `${dryId}-copy-${i}` });
  const fillMs = performance.now() - fillBegan;
  const after = await medianRound(store, deps, 5);
  const storedRunsAfter = (await store.list()).length;
  listAll = performance.now();
  await store.list();
  const listAllMsAfter = performance.now() - listAll;
  const ended = performance.now();
  stop();
  clients.destroy();
  const trackingCost: TrackingCost = {
    finishedRuns: n,
    storedRunsBefore,
    storedRunsAfter,
    before,
    after,
    listAllMsBefore,
    listAllMsAfter,
    fillMs,
  };
  const outcome = await storedOutcome(store, runId);
  return {
    strategy: 'trackCost',
    wallMs: ended - began,
    phasesMs: { total: ended - began },
    locations: outcome.locations,
    accounts: 0,
    started: outcome.started,
    gaveUpThrottled: outcome.gaveUpThrottled,
    trackingCost,
    notes: [],
  };
}

function run(task: WorkerTask, stop: StopClock): Promise<RunOutcome> {
  switch (task.strategy) {
    case 'baseline':
      return baseline(task, stop);
    case 'legacy':
      return legacy(task, stop);
    case 'trackCost':
      return trackCost(task, stop);
    default:
      return engine(task, stop);
  }
}

process.once('message', (raw: unknown) => {
  const task = raw as WorkerTask;
  // The engine runs under the heap setting the orgpatch CLI applies to itself (bin/orgpatch.js); the
  // references (the serial baseline, the legacy path) under V8's own.
  if (task.strategy === 'orgpatch' || task.strategy === 'track') boundHeapGrowth();
  void (async () => {
    const rssBeforeKb = Math.round(process.memoryUsage.rss() / 1024);
    let peakHeap = getHeapStatistics().used_heap_size;
    const sampler = setInterval(() => {
      peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
    }, 100);
    let gcMs = 0;
    const gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcMs += entry.duration;
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    const cpu = process.cpuUsage();
    const elu = performance.eventLoopUtilization();
    const calls = httpCalls;
    const timed = createHistogram();
    exchanges = timed;
    let usage: Usage | undefined;
    const stop: StopClock = () => {
      if (usage) return;
      const used = process.cpuUsage(cpu);
      clearInterval(sampler);
      gcObserver.disconnect();
      exchanges = undefined;
      const httpExchange = exchangeSummary(timed);
      usage = {
        cpuMicros: used.user + used.system,
        maxRssKb: process.resourceUsage().maxRSS,
        peakHeapUsedBytes: Math.max(peakHeap, getHeapStatistics().used_heap_size),
        eventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
        gcMs,
        httpCalls: httpCalls - calls,
        ...(httpExchange ? { httpExchange } : {}),
      };
    };
    try {
      const result = await run(task, stop);
      stop();
      await send({ type: 'result', ...result, ...(usage as Usage), rssBeforeKb });
    } catch (error) {
      stop();
      await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
    // A normal exit (not a kill), so that --cpu-prof writes its profile.
    setImmediate(() => process.exit(0));
  })();
});
