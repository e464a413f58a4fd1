import { PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { parsePayload, type RunRecord } from '@orgpatch/core';
import {
  createAwsClientFactory,
  createAwsRunDeps,
  DEFAULT_BACKOFF,
  LocalRunStore,
  planRun,
  runIdFor,
  startRun,
  trackRun,
} from '@orgpatch/orchestrator';
import { runSerialBaseline } from './baseline.js';
import type { TrackSummary, WorkerMessage, WorkerResult, WorkerTask } from './protocol.js';

// The strategy under test, in a process of its own (forked by run.ts, bundled by esbuild so that it
// runs as plain Node, as the Lambda bundle does): its wall time, CPU time and peak RSS are its own.
// The SDK finds the sandbox the standard way: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_REGION in this process's environment.

const THROTTLE_CODES = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'SlowDown']);

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

function gaveUpThrottled(record: RunRecord): number {
  let n = 0;
  for (const location of record.locations) {
    const code = location.decision.action === 'fail' ? location.decision.code : location.error?.code;
    if (code && THROTTLE_CODES.has(code)) n += 1;
  }
  return n;
}

/** What a strategy reports; the process-wide measures are added around it. */
type RunOutcome = Omit<
  WorkerResult,
  'type' | 'cpuMicros' | 'maxRssKb' | 'rssBeforeKb' | 'peakHeapUsedBytes' | 'eventLoopUtilization' | 'gcMs'
>;

async function run(task: WorkerTask): Promise<RunOutcome> {
  const request = parsePayload(task.payload);
  if (task.strategy === 'baseline') {
    const outcome = await runSerialBaseline(request, {
      homeRegion: homeRegion(),
      ...(task.accountLimit === undefined ? {} : { accountLimit: task.accountLimit }),
    });
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

  // The Lambda's own wiring: createAwsClientFactory() reads the endpoint, keys and Region from the
  // environment through the SDK's standard chain.
  const clients = createAwsClientFactory();
  const store = new LocalRunStore(task.storeDir);
  const runId = runIdFor(undefined, new Date());
  const anchor = task.simClock?.timeScale ? task.simClock : undefined;
  const simNow = () => (anchor ? anchor.sim + (Date.now() - anchor.real) * anchor.timeScale : Date.now());
  const budgetEnd = performance.now() + (task.trackBudgetMs ?? Number.POSITIVE_INFINITY);
  let rounds = 0;
  let discoveredAt: number | undefined;
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
      onProgress: (event) => {
        if (event.phase === 'track') rounds = event.round;
        if (event.phase === 'discover' && event.done) discoveredAt ??= performance.now();
      },
    },
  });

  const began = performance.now();
  const planned = await planRun(request, deps);
  const plannedAt = performance.now();
  const { record } = await startRun(request, deps, { runId, planned });
  const startedAt = performance.now();
  // What the run keeps alive at the end (the record, the plan, caches), apart from garbage: needs
  // --expose-gc, which the bench passes.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const retainedHeapBytes = gc ? process.memoryUsage().heapUsed : undefined;
  const recordBytes = Buffer.byteLength(JSON.stringify(record));
  const recordParts = {
    plan: Buffer.byteLength(JSON.stringify(record.plan)),
    locations: Buffer.byteLength(JSON.stringify(record.locations)),
    organization: Buffer.byteLength(JSON.stringify(record.organization ?? null)),
    indentedAsStored: Buffer.byteLength(JSON.stringify(record, null, 2)),
  };
  const started = record.locations.reduce((n, l) => n + l.executions.length, 0);
  const base = {
    strategy: task.strategy,
    wallMs: startedAt - began,
    phasesMs: {
      discover: (discoveredAt ?? plannedAt) - began,
      plan: plannedAt - began,
      start: startedAt - plannedAt,
      total: startedAt - began,
    },
    locations: record.locations.length,
    accounts: planned.organization.accounts.length,
    started,
    gaveUpThrottled: gaveUpThrottled(record),
    planCounts: { ...planned.plan.counts },
    recordBytes,
    recordParts,
    ...(retainedHeapBytes === undefined ? {} : { retainedHeapBytes }),
    notes: [] as string[],
  };
  if (task.strategy !== 'track') {
    clients.destroy();
    return base;
  }

  const simBegan = simNow();
  const trackBegan = performance.now();
  let finished = false;
  try {
    const result = await trackRun(record, deps, { until: 'done', backoff: DEFAULT_BACKOFF, writeReports: false });
    finished = result.finished;
  } catch (error) {
    if (!(error instanceof TrackBudgetSpent)) throw error;
  }
  clients.destroy();
  const track: TrackSummary = {
    rounds,
    finished,
    executions: started,
    locations: record.locations.filter((l) => l.executions.length > 0).length,
    simulatedMinutes: (simNow() - simBegan) / 60_000,
    realMs: performance.now() - trackBegan,
  };
  return { ...base, track };
}

process.once('message', (raw: unknown) => {
  const task = raw as WorkerTask;
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
    try {
      const result = await run(task);
      const used = process.cpuUsage(cpu);
      clearInterval(sampler);
      gcObserver.disconnect();
      await send({
        type: 'result',
        ...result,
        cpuMicros: used.user + used.system,
        maxRssKb: process.resourceUsage().maxRSS,
        rssBeforeKb,
        peakHeapUsedBytes: Math.max(peakHeap, getHeapStatistics().used_heap_size),
        eventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
        gcMs,
      });
    } catch (error) {
      clearInterval(sampler);
      await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
    // A normal exit (not a kill), so that --cpu-prof writes its profile.
    setImmediate(() => process.exit(0));
  })();
});
