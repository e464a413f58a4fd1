import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CONCURRENCY_BOUNDS } from '@orgpatch/core';
import { DEFAULT_BACKOFF, MAX_STEP_THREADS } from '@orgpatch/orchestrator';
import { type ComplianceRow, measureCompliance, renderComplianceRows } from './complianceRow.js';
import { bundleWorker, type CpuProfileTarget, runWorker, SandboxProcess } from './processes.js';
import { renderProfile, summarizeBusiestProfile } from './profileSummary.js';
import type { PollingProfile, SandboxStats, Strategy, TrackingCost, WorkerResult } from './protocol.js';
import { renderChart, renderChecks, renderTable, renderTargets } from './report.js';
import { type BenchRow, breakdown, idealMs, startQuotaMs, type TargetCheck } from './results.js';
import {
  AWS_ORDER_THROTTLES,
  BASELINE_WORLD_ACCOUNTS,
  BENCH_GROUPS,
  BENCH_LATENCY,
  BENCH_REGIONS,
  benchPayload,
  benchWorld,
  CRITICAL_PATH_CALLS,
  fullRunWorld,
  trackCostWorld,
  trackWorld,
} from './scenarios.js';

// `npm run bench`: how orgpatch's plan-and-start grows with the Organization, against the blog's
// serial algorithm and the ideal for its own call count, on the sandbox at 25 ms simulated latency.
// Every run gets a fresh sandbox process and a fresh worker process (see processes.ts).

const USAGE = `Usage: npm run bench -- [--sizes 100,1000,5000] [--quick] [--baseline-accounts N]
                       [--no-throttle] [--no-track] [--no-track-cost] [--no-baseline] [--legacy]
                       [--full-run N] [--full-latency-ms N] [--full-time-scale N] [--finished-runs N]
                       [--profile] [--out DIR] [--worker-bundle FILE] [--latency-ms N] [--worker-heap-mb N] [--threads N]
                       [--compliance 1000,5000] [--compliance-latency-ms N]
  --sizes              account counts to plan and start with runEngine (default 100,1000,5000; none: no size)
  --quick              sizes 100; the baseline over 10 accounts; throttled run at 100 (about 1 minute)
  --baseline-accounts  accounts the serial baseline walks before it stops (default all of its ${BASELINE_WORLD_ACCOUNTS})
  --no-throttle        skip the run with throttling on (default: at 1,000 accounts, or the largest size)
  --no-track           skip the tracked run that measures polling per location per minute
  --no-track-cost      skip the tracking-round cost with 0 and --finished-runs finished runs in the store
  --finished-runs N    finished runs stored for the tracking-round cost (default 1000; 100 with --quick)
  --legacy             also plan and start each size the old way (planRun + startRun, one record)
  --full-run N         also run the whole CLI run (runEngine to the end: plan, start, track, settle,
                       reports) at N accounts (the target is stated at 10000; not run by default)
  --full-latency-ms N  mean simulated latency of the whole run (default: --latency-ms)
  --full-time-scale N  simulated ms per real ms of the whole run's sandbox clock (default 120)
  --compliance         account counts for the compliance snapshot row (issue 14; default 1000, 100 with
                       --quick; none: skip; the target is stated at 5000)
  --compliance-latency-ms N  the compliance row's sandbox latency (default 5)
  --no-baseline        skip the serial baseline
  --profile            --cpu-prof the orchestrator and sandbox processes of every orgpatch run, print
                       where their CPU time went (profiled runs are a little slower)
  --out DIR            where results.json and wall-time.svg go (default: bench/ at the repository root)
  --latency-ms N        mean simulated latency (default ${BENCH_LATENCY.meanMs}; the issue's targets are stated at 25 ms)
  --threads N          the engine's step threads beside its main thread, as orgpatch run --threads
                       (default 0, as the CLI)
  --worker-heap-mb N   cap the orchestrator's V8 old space (--max-old-space-size), as a small Lambda would
  --worker-bundle FILE run this prebuilt worker bundle instead of bundling bench/workerChild.ts
                       (to measure a candidate change of the orchestrator before it lands)`;

/** Where results.json and wall-time.svg go unless --out says otherwise (git-ignored). */
const benchDir = fileURLToPath(new URL('./', import.meta.url));
const concurrency = CONCURRENCY_BOUNDS.global.default;
const mb = (kb: number) => kb / 1024;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface Options {
  readonly sizes: readonly number[];
  readonly baselineAccounts?: number;
  readonly throttle: boolean;
  readonly track: boolean;
  readonly baseline: boolean;
  readonly profile: boolean;
  readonly out: string;
  readonly workerBundle?: string;
  readonly latencyMs: number;
  readonly workerHeapMb?: number;
  readonly trackCost: boolean;
  readonly finishedRuns: number;
  readonly legacy: boolean;
  readonly fullRun?: { readonly accounts: number; readonly latencyMs: number; readonly timeScale: number };
  readonly compliance: { readonly sizes: readonly number[]; readonly latencyMs: number };
  /** The engine's step threads (orgpatch and track runs). */
  readonly threads: number;
}

function positive(name: string, raw: string | undefined, fallback: number, integer = true): number {
  const n = Number((raw ?? String(fallback)).replaceAll('_', ''));
  if (!(Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n)))) {
    throw new Error(`--${name} takes a positive ${integer ? 'integer' : 'number'}, got "${raw}".\n${USAGE}`);
  }
  return n;
}

function parseOptions(argv: readonly string[]): Options | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      sizes: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'baseline-accounts': { type: 'string' },
      'no-throttle': { type: 'boolean', default: false },
      'no-track': { type: 'boolean', default: false },
      'no-baseline': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      out: { type: 'string' },
      'worker-bundle': { type: 'string' },
      'latency-ms': { type: 'string' },
      'worker-heap-mb': { type: 'string' },
      'no-track-cost': { type: 'boolean', default: false },
      'finished-runs': { type: 'string' },
      legacy: { type: 'boolean', default: false },
      'full-run': { type: 'string' },
      'full-latency-ms': { type: 'string' },
      'full-time-scale': { type: 'string' },
      compliance: { type: 'string' },
      'compliance-latency-ms': { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const sizeList = values.sizes ?? (values.quick ? '100' : '100,1000,5000');
  const sizes = (sizeList === 'none' ? [] : sizeList.split(',')).map((s) => {
    const n = Number(s.trim().replaceAll('_', ''));
    if (!Number.isInteger(n) || n < 2 || n > 10_000)
      throw new Error(`--sizes takes account counts from 2 to 10,000, got "${s}".\n${USAGE}`);
    return n;
  });
  const limit = values['baseline-accounts'] ?? (values.quick ? '10' : undefined);
  const baselineAccounts = limit === undefined ? undefined : Number(limit);
  if (baselineAccounts !== undefined && !(Number.isInteger(baselineAccounts) && baselineAccounts > 0)) {
    throw new Error(`--baseline-accounts takes a positive integer, got "${limit}".\n${USAGE}`);
  }
  const latencyMs = Number(values['latency-ms'] ?? BENCH_LATENCY.meanMs);
  if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) {
    throw new Error(`--latency-ms takes a number of milliseconds, got "${values['latency-ms']}".\n${USAGE}`);
  }
  const heap = values['worker-heap-mb'] === undefined ? undefined : Number(values['worker-heap-mb']);
  if (heap !== undefined && !(Number.isInteger(heap) && heap >= 16)) {
    throw new Error(`--worker-heap-mb takes megabytes (16 or more), got "${values['worker-heap-mb']}".\n${USAGE}`);
  }
  const fullRun =
    values['full-run'] === undefined
      ? undefined
      : {
          accounts: positive('full-run', values['full-run'], 10_000),
          latencyMs: positive('full-latency-ms', values['full-latency-ms'], latencyMs, false),
          timeScale: positive('full-time-scale', values['full-time-scale'], 120, false),
        };
  const complianceList = values.compliance ?? (values.quick ? '100' : '1000');
  const complianceSizes = (complianceList === 'none' ? [] : complianceList.split(',')).map((s) =>
    positive('compliance', s.trim(), 1000),
  );
  const compliance = {
    sizes: [...new Set(complianceSizes)].sort((a, b) => a - b),
    latencyMs: positive('compliance-latency-ms', values['compliance-latency-ms'], 5, false),
  };
  const threads = Number(values.threads ?? 0);
  if (!(Number.isInteger(threads) && threads >= 0 && threads <= MAX_STEP_THREADS)) {
    throw new Error(`--threads takes 0 to ${MAX_STEP_THREADS}, got "${values.threads}".\n${USAGE}`);
  }
  return {
    threads,
    compliance,
    latencyMs,
    trackCost: !values['no-track-cost'],
    finishedRuns: positive('finished-runs', values['finished-runs'], values.quick ? 100 : 1000),
    legacy: values.legacy,
    ...(fullRun ? { fullRun } : {}),
    ...(heap === undefined ? {} : { workerHeapMb: heap }),
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    ...(baselineAccounts === undefined ? {} : { baselineAccounts }),
    throttle: !values['no-throttle'],
    track: !values['no-track'],
    baseline: !values['no-baseline'],
    profile: values.profile,
    out: resolve(values.out ?? benchDir),
    ...(values['worker-bundle'] ? { workerBundle: resolve(values['worker-bundle']) } : {}),
  };
}

interface Measured {
  readonly result: WorkerResult;
  readonly sandbox: SandboxStats;
  readonly profiles: readonly { readonly label: string; readonly dir: string }[];
}

/** One strategy against a fresh sandbox: start the sandbox, reset its clocks, run, collect, stop. */
async function measure(
  label: string,
  spec: ReturnType<typeof benchWorld>,
  task: {
    strategy: Strategy;
    accountLimit?: number;
    trackBudgetMs?: number;
    operation?: 'Scan' | 'Install';
    finishedRuns?: number;
    /** Profile this run even if it is not a plan-and-start one. */
    profile?: boolean;
  },
  context: {
    bundle?: string;
    prebuilt?: boolean;
    threadBundle?: string;
    threads: number;
    profileDir?: string;
    storeRoot: string;
    workerHeapMb?: number;
  },
): Promise<Measured> {
  const profile = (who: string): CpuProfileTarget | undefined =>
    context.profileDir ? { dir: join(context.profileDir, `${label}-${who}`) } : undefined;
  const profiled = task.profile ?? (task.strategy === 'orgpatch' || task.strategy === 'legacy');
  const sandboxProfile = profiled ? profile('sandbox') : undefined;
  const workerProfile = profiled ? profile('orchestrator') : undefined;
  log(`${label}: generating ${spec.accounts} accounts x ${spec.regions} Regions in the sandbox process`);
  const sandbox = await SandboxProcess.start(spec, sandboxProfile);
  try {
    log(`${label}: world ready in ${(sandbox.ready.startMs / 1000).toFixed(1)} s; running ${task.strategy}`);
    await sandbox.reset();
    const result = await runWorker(
      {
        strategy: task.strategy,
        payload: benchPayload(sandbox.ready, task.operation ? { operation: task.operation } : {}),
        storeDir: join(context.storeRoot, label),
        ...(task.accountLimit === undefined ? {} : { accountLimit: task.accountLimit }),
        ...(task.trackBudgetMs === undefined ? {} : { trackBudgetMs: task.trackBudgetMs }),
        ...(task.finishedRuns === undefined ? {} : { finishedRuns: task.finishedRuns }),
        ...(spec.timeScale > 0 ? { simClock: sandbox.ready.clock } : {}),
        threads: context.threads,
      },
      sandbox.ready.env,
      {
        ...(context.bundle ? { bundle: context.bundle, prebuilt: context.prebuilt === true } : {}),
        ...(context.threadBundle ? { threadBundle: context.threadBundle } : {}),
        ...(workerProfile ? { profile: workerProfile } : {}),
        ...(context.workerHeapMb ? { heapMb: context.workerHeapMb } : {}),
      },
    );
    const stats = await sandbox.stats(task.strategy === 'track');
    const footprint = result.store
      ? `; store: largest file ${(result.store.largestBytes / 2 ** 20).toFixed(2)} MB (${result.store.largestFile}), manifest ${(result.store.manifestBytes / 2 ** 20).toFixed(2)} MB, ${result.store.shards} shards`
      : '';
    log(
      `${label}: ${(result.wallMs / 1000).toFixed(1)} s wall, ${stats.calls.reduce((s, c) => s + c.count, 0)} calls, orchestrator ${(result.cpuMicros / 1e6).toFixed(1)} s CPU, peak RSS ${mb(result.maxRssKb).toFixed(0)} MB, sandbox ${(stats.cpuMicros / 1e6).toFixed(1)} s CPU${footprint}`,
    );
    const profiles = [
      ...(workerProfile ? [{ label: `${label} orchestrator`, dir: workerProfile.dir }] : []),
      ...(sandboxProfile ? [{ label: `${label} sandbox`, dir: sandboxProfile.dir }] : []),
    ];
    return { result, sandbox: stats, profiles };
  } finally {
    await sandbox.stop();
  }
}

function orgpatchRow(
  size: number,
  strategy: BenchRow['strategy'],
  m: Measured,
  latencyMs: number,
  startQuota?: { rate: number; burst: number },
): BenchRow {
  const calls = breakdown(m.sandbox.calls);
  const quotaMs = startQuotaMs(BENCH_GROUPS, startQuota);
  const ideal = idealMs(calls.total, latencyMs, concurrency, CRITICAL_PATH_CALLS, quotaMs);
  const locations = size * BENCH_REGIONS;
  return {
    size,
    strategy,
    measured: true,
    wallMs: m.result.wallMs,
    phasesMs: m.result.phasesMs,
    accounts: m.result.accounts,
    locations,
    started: m.result.started,
    ...(m.result.planCounts ? { planCounts: m.result.planCounts } : {}),
    calls,
    retried: Math.max(0, calls.throttles + calls.serverErrors - m.result.gaveUpThrottled),
    gaveUpThrottled: m.result.gaveUpThrottled,
    orchestrator: {
      maxRssMb: mb(m.result.maxRssKb),
      rssBeforeRunMb: mb(m.result.rssBeforeKb),
      peakHeapMb: m.result.peakHeapUsedBytes / 2 ** 20,
      ...(m.result.retainedHeapBytes === undefined ? {} : { retainedHeapMb: m.result.retainedHeapBytes / 2 ** 20 }),
      ...(m.result.recordBytes === undefined ? {} : { recordMb: m.result.recordBytes / 2 ** 20 }),
      cpuS: m.result.cpuMicros / 1e6,
      gcS: m.result.gcMs / 1000,
      eventLoopUtilization: m.result.eventLoopUtilization,
      ...(m.result.httpExchange ? { httpExchange: m.result.httpExchange } : {}),
    },
    sandbox: {
      cpuS: m.sandbox.cpuMicros / 1e6,
      eventLoopUtilization: m.sandbox.eventLoopUtilization,
      maxRssMb: mb(m.sandbox.maxRssKb),
      meanLatencyMs: m.sandbox.meanLatencyMs,
    },
    ...(m.result.store ? { store: m.result.store } : {}),
    ...(m.sandbox.concurrency ? { concurrencySeen: m.sandbox.concurrency } : {}),
    ...(m.result.track ? { track: m.result.track } : {}),
    cpuPerCallMs: m.result.cpuMicros / 1000 / Math.max(1, calls.total),
    idealMs: ideal,
    // A whole run's wall holds its tracking's sleeps too: no slot time there.
    ...(strategy === 'full run' ? {} : { slotMsPerCall: (concurrency * m.result.wallMs) / Math.max(1, calls.total) }),
    quotaMs,
    ratioToIdeal: m.result.wallMs / ideal,
    msPerLocation: m.result.wallMs / locations,
    notes: [...m.result.notes],
  };
}

/** The baseline rows: measured at its world's size, extrapolated linearly in accounts to the others. */
function baselineRows(m: Measured, sizes: readonly number[], eligibleAccounts: number): BenchRow[] {
  const calls = breakdown(m.sandbox.calls);
  const walked = m.result.accounts;
  // The whole baseline world, had the baseline walked every account (a limit cuts it short).
  const fullWallMs = m.result.wallMs * (eligibleAccounts / Math.max(1, walked));
  const perAccountMs = fullWallMs / BASELINE_WORLD_ACCOUNTS;
  const measuredRow: BenchRow = {
    size: BASELINE_WORLD_ACCOUNTS,
    strategy: 'baseline',
    measured: walked >= eligibleAccounts,
    wallMs: fullWallMs,
    accounts: walked,
    locations: m.result.locations,
    started: m.result.started,
    calls,
    retried: Math.max(0, calls.throttles + calls.serverErrors),
    orchestrator: {
      maxRssMb: mb(m.result.maxRssKb),
      rssBeforeRunMb: mb(m.result.rssBeforeKb),
      peakHeapMb: m.result.peakHeapUsedBytes / 2 ** 20,
      cpuS: m.result.cpuMicros / 1e6,
      eventLoopUtilization: m.result.eventLoopUtilization,
    },
    sandbox: {
      cpuS: m.sandbox.cpuMicros / 1e6,
      eventLoopUtilization: m.sandbox.eventLoopUtilization,
      maxRssMb: mb(m.sandbox.maxRssKb),
      meanLatencyMs: m.sandbox.meanLatencyMs,
    },
    msPerLocation: m.result.wallMs / Math.max(1, m.result.locations),
    notes: [
      ...m.result.notes,
      walked < eligibleAccounts
        ? `walked ${walked} of ${eligibleAccounts} accounts in ${(m.result.wallMs / 1000).toFixed(1)} s; the rest extrapolated`
        : `walked all ${walked} accounts`,
    ],
  };
  const others = sizes
    .filter((s) => s !== BASELINE_WORLD_ACCOUNTS)
    .map<BenchRow>((size) => ({
      size,
      strategy: 'baseline',
      measured: false,
      wallMs: perAccountMs * size,
      accounts: Math.round((eligibleAccounts / BASELINE_WORLD_ACCOUNTS) * size),
      locations: size * BENCH_REGIONS,
      msPerLocation: (perAccountMs * size) / (size * BENCH_REGIONS),
      notes: [`extrapolated linearly from ${walked} accounts measured`],
    }));
  return [measuredRow, ...others].sort((a, b) => a.size - b.size);
}

/** What the targets read besides the rows. */
interface TargetInputs {
  readonly polling?: { readonly profile: PollingProfile; readonly bound: number };
  readonly trackingCost?: TrackingCost;
  readonly full?: BenchRow;
  readonly latencyMs: number;
  readonly profiled: boolean;
}

const MB = 10 ** 6;
const s1 = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(1)} s`;

/** The targets of issue 13, each measured (N/A when its run was not made), then the bench's own checks. */
function checkTargets(rows: readonly BenchRow[], inputs: TargetInputs): { issue: TargetCheck[]; other: TargetCheck[] } {
  const org = (size: number) => rows.find((r) => r.strategy === 'orgpatch' && r.size === size);
  const issue: TargetCheck[] = [];
  const k5 = org(5000);
  const notRun = (target: string, what: string): TargetCheck => ({ target, verdict: 'N/A', detail: `${what} not run` });

  let target = '5,000 x 16 plan + start: peak RSS of the worker process < 256 MB';
  issue.push(
    k5?.orchestrator === undefined
      ? notRun(target, 'size 5,000')
      : {
          target,
          verdict: k5.orchestrator.maxRssMb < 256 ? 'PASS' : 'MISS',
          detail: `peak RSS ${k5.orchestrator.maxRssMb.toFixed(0)} MB (${k5.orchestrator.rssBeforeRunMb.toFixed(0)} MB loaded before the run, heap peak ${k5.orchestrator.peakHeapMb.toFixed(0)} MB)`,
        },
  );

  target = 'largest stored object at 5,000 x 16 < 8 MB';
  issue.push(
    k5?.store === undefined
      ? notRun(target, 'size 5,000')
      : {
          target,
          verdict: Math.max(k5.store.largestBytes, k5.store.manifestPeakBytes) < 8 * MB ? 'PASS' : 'MISS',
          detail: `largest file at the end ${(k5.store.largestBytes / MB).toFixed(2)} MB (${k5.store.largestFile}); manifest ${(k5.store.manifestBytes / MB).toFixed(2)} MB at the end, ${(k5.store.manifestPeakBytes / MB).toFixed(2)} MB at most while planning; ${k5.store.shards} shards, ${k5.store.files} files, ${(k5.store.totalBytes / MB).toFixed(1)} MB in all`,
        },
  );

  target = 'whole CLI run (plan, start, track, report) at 10,000 x 16 completes; peak RSS < 256 MB';
  const full = inputs.full;
  if (full?.orchestrator === undefined) issue.push(notRun(target, 'the whole run (--full-run 10000)'));
  else {
    const done = full.track?.finished === true && Object.keys(full.store?.reports ?? {}).length > 0;
    const reports = Object.entries(full.store?.reports ?? {})
      .map(([name, bytes]) => `${name} ${(bytes / MB).toFixed(1)} MB`)
      .join(', ');
    issue.push({
      target,
      verdict: full.size < 10_000 ? 'N/A' : done && full.orchestrator.maxRssMb < 256 ? 'PASS' : 'MISS',
      detail: `${full.size.toLocaleString('en-US')} accounts at ${full.sandbox?.meanLatencyMs.toFixed(1)} ms mean answer: ${done ? 'finished' : 'did not finish'} in ${s1(full.wallMs)} (${Object.entries(
        full.phasesMs ?? {},
      )
        .map(([k, v]) => `${k} ${s1(v)}`)
        .join(
          ', ',
        )}), ${full.calls?.total.toLocaleString('en-US')} calls, peak RSS ${full.orchestrator.maxRssMb.toFixed(0)} MB, largest run object ${((full.store?.largestRunObjectBytes ?? 0) / MB).toFixed(2)} MB, reports: ${reports || 'none'}`,
    });
  }

  target = 'orchestrator CPU per AWS call <= 0.3 ms';
  const cpuRows = rows.filter((r) => r.strategy === 'orgpatch' && r.cpuPerCallMs !== undefined);
  const largest = cpuRows[cpuRows.length - 1];
  issue.push(
    largest?.cpuPerCallMs === undefined
      ? notRun(target, 'a plan-and-start run')
      : {
          target,
          verdict: inputs.profiled ? 'N/A' : largest.cpuPerCallMs <= 0.3 ? 'PASS' : 'MISS',
          detail: `${inputs.profiled ? '(profiled runs: CPU inflated, not judged) ' : ''}at ${largest.size.toLocaleString('en-US')} accounts ${largest.cpuPerCallMs.toFixed(3)} ms (${largest.orchestrator?.cpuS.toFixed(1)} s CPU / ${largest.calls?.total.toLocaleString('en-US')} calls answered); ${cpuRows.map((r) => `${r.size}: ${r.cpuPerCallMs?.toFixed(3)} ms`).join(', ')}`,
        },
  );

  target = '5,000 x 16 wall <= 1.3x the ideal at the default concurrency';
  issue.push(
    k5?.ratioToIdeal === undefined
      ? notRun(target, 'size 5,000')
      : {
          target,
          verdict: k5.ratioToIdeal <= 1.3 ? 'PASS' : 'MISS',
          detail: `wall ${s1(k5.wallMs)}, ideal ${s1(k5.idealMs)} = ${k5.calls?.total.toLocaleString('en-US')} calls x ${inputs.latencyMs} ms / ${concurrency} + ${CRITICAL_PATH_CALLS} x ${inputs.latencyMs} ms + start quota ${s1(k5.quotaMs)} (${k5.calls?.throttles ?? 0} throttled answers: the unthrottled world enforces no quota): ${k5.ratioToIdeal.toFixed(2)}x`,
        },
  );

  target = '1,000 accounts: >= 100x the blog serial algorithm, per-account limits kept';
  const k1 = org(1000);
  const seen = k1?.concurrencySeen;
  const perAccount = CONCURRENCY_BOUNDS.perAccount.default;
  issue.push(
    k1?.speedUpOverBaseline === undefined || seen === undefined
      ? notRun(target, 'size 1,000 or the baseline')
      : {
          target,
          verdict:
            k1.speedUpOverBaseline >= 100 &&
            seen.maxInFlightPerMemberAccount <= perAccount &&
            seen.maxInFlight <= concurrency
              ? 'PASS'
              : 'MISS',
          detail: `${k1.speedUpOverBaseline.toFixed(1)}x (wall ${s1(k1.wallMs)}, baseline ${s1(rows.find((r) => r.strategy === 'baseline' && r.size === 1000)?.wallMs)} extrapolated from ${BASELINE_WORLD_ACCOUNTS} accounts); the sandbox saw at most ${seen.maxInFlightPerMemberAccount} calls in flight in one member account (limit ${perAccount}) and ${seen.maxInFlight} in all (limit ${concurrency})`,
        },
  );

  target = 'tracking round cost grows with running executions, not with stored runs (calls equal, ms within 1.5x)';
  const tc = inputs.trackingCost;
  issue.push(
    tc === undefined
      ? notRun(target, 'the tracking-round cost')
      : {
          target,
          verdict: tc.after.calls <= tc.before.calls && tc.after.ms <= 1.5 * tc.before.ms ? 'PASS' : 'MISS',
          detail: `listInProgress + next + poll of each shard, median of 5: ${tc.storedRunsBefore} stored runs -> ${tc.before.calls} calls, ${tc.before.ms.toFixed(0)} ms (${tc.before.cpuMs.toFixed(0)} ms CPU); ${tc.storedRunsAfter} stored runs (${tc.finishedRuns} finished added in ${s1(tc.fillMs)}) -> ${tc.after.calls} calls, ${tc.after.ms.toFixed(0)} ms (${tc.after.cpuMs.toFixed(0)} ms CPU); ${tc.after.runningLocations} locations running in ${tc.after.runsInProgress} run, ${tc.after.shardsPolled} shard(s) polled. Listing every run (the old tracker's first step): ${tc.listAllMsBefore.toFixed(0)} ms -> ${tc.listAllMsAfter.toFixed(0)} ms`,
        },
  );

  const other: TargetCheck[] = [];
  const measured = rows.filter((r) => r.strategy === 'orgpatch').sort((a, b) => a.size - b.size);
  const small = measured[0];
  const big = measured[measured.length - 1];
  // Per location overall, and per phase item: planning per location read, starting per execution
  // started. A quadratic step shows in the phase it hides in even when the total still looks flat.
  const perStartMs = (r: BenchRow) => (r.phasesMs?.start ?? 0) / Math.max(1, r.started ?? 0);
  const perPlannedMs = (r: BenchRow) => (r.phasesMs?.plan ?? 0) / Math.max(1, r.locations);
  other.push(
    !small || !big || small === big
      ? {
          target: 'time per location flat from the smallest to the largest size',
          verdict: 'N/A',
          detail: 'needs two sizes',
        }
      : {
          target: `cost linear in locations (${small.size} vs ${big.size} accounts: per location, per planned location, per start, each within 1.3x)`,
          verdict:
            big.msPerLocation <= 1.3 * small.msPerLocation &&
            perPlannedMs(big) <= 1.3 * perPlannedMs(small) &&
            perStartMs(big) <= 1.3 * perStartMs(small)
              ? 'PASS'
              : 'MISS',
          detail: measured
            .map(
              (r) =>
                `${r.size}: ${r.msPerLocation.toFixed(2)} ms per location (plan ${perPlannedMs(r).toFixed(2)} ms per location, start ${perStartMs(r).toFixed(2)} ms per execution)`,
            )
            .join('; '),
        },
  );
  const polling = inputs.polling;
  other.push(
    polling === undefined
      ? {
          target: 'tracking polls a bounded number of calls per location per minute',
          verdict: 'N/A',
          detail: 'tracked run skipped',
        }
      : {
          target: `tracking polls at most ${polling.bound} calls per location per minute`,
          verdict: polling.profile.maxPerLocationMinute <= polling.bound ? 'PASS' : 'MISS',
          detail: `measured at most ${polling.profile.maxPerLocationMinute}, mean ${polling.profile.meanPerLocationMinute.toFixed(2)} per location-minute over ${polling.profile.locations} locations and ${polling.profile.spanMinutes.toFixed(0)} simulated minutes`,
        },
  );
  return { issue, other };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const began = Date.now();
  const storeRoot = await mkdtemp(join(tmpdir(), 'orgpatch-bench-runs-'));
  const profileDir = options.profile ? await mkdtemp(join(tmpdir(), 'orgpatch-bench-prof-')) : undefined;
  const built = await bundleWorker();
  const bundle = options.workerBundle ?? built.worker;
  const threadBundle = options.threads > 0 ? built.stepThread : undefined;
  log(
    options.workerBundle
      ? `worker: the prebuilt bundle ${bundle}`
      : `worker bundled as the orgpatch command is (packages/cli/scripts/bundle.mjs): ${bundle}`,
  );
  const loadBefore = loadavg();
  log(`engine: ${options.threads} step thread(s) beside the main one (--threads)`);
  const context = {
    bundle,
    prebuilt: options.workerBundle !== undefined,
    ...(threadBundle ? { threadBundle } : {}),
    threads: options.threads,
    ...(profileDir ? { profileDir } : {}),
    ...(options.workerHeapMb ? { workerHeapMb: options.workerHeapMb } : {}),
    storeRoot,
  };
  const rows: BenchRow[] = [];
  const profiles: { label: string; dir: string }[] = [];

  for (const size of options.sizes) {
    const m = await measure(
      `orgpatch-${size}`,
      benchWorld(size, { latencyMs: options.latencyMs }),
      { strategy: 'orgpatch' },
      context,
    );
    rows.push(orgpatchRow(size, 'orgpatch', m, options.latencyMs));
    profiles.push(...m.profiles);
    if (options.legacy) {
      const old = await measure(
        `legacy-${size}`,
        benchWorld(size, { latencyMs: options.latencyMs }),
        { strategy: 'legacy' },
        context,
      );
      rows.push(orgpatchRow(size, 'planRun+startRun', old, options.latencyMs));
      profiles.push(...old.profiles);
    }
  }
  if (options.throttle) {
    const size = options.sizes.includes(1000) ? 1000 : (options.sizes[options.sizes.length - 1] ?? 1000);
    const m = await measure(
      `throttled-${size}`,
      benchWorld(size, { throttled: true, latencyMs: options.latencyMs }),
      { strategy: 'orgpatch' },
      context,
    );
    const quota = AWS_ORDER_THROTTLES.find((t) => t.operation === 'StartAutomationExecution');
    const row = orgpatchRow(size, 'orgpatch+throttling', m, options.latencyMs, quota);
    rows.push({ ...row, notes: [...row.notes, `token buckets: ${JSON.stringify(AWS_ORDER_THROTTLES)}`] });
    profiles.push(...m.profiles);
  }
  if (options.baseline) {
    const m = await measure(
      `baseline-${BASELINE_WORLD_ACCOUNTS}`,
      benchWorld(BASELINE_WORLD_ACCOUNTS, { latencyMs: options.latencyMs }),
      { strategy: 'baseline', ...(options.baselineAccounts ? { accountLimit: options.baselineAccounts } : {}) },
      context,
    );
    rows.push(...baselineRows(m, options.sizes, m.result.eligibleAccounts ?? m.result.accounts));
  }
  // Speed-up over the baseline at the same size (measured or extrapolated).
  for (const [i, row] of rows.entries()) {
    if (row.strategy === 'baseline') continue;
    const base = rows.find((r) => r.strategy === 'baseline' && r.size === row.size);
    if (base) rows[i] = { ...row, speedUpOverBaseline: base.wallMs / row.wallMs };
  }
  rows.sort((a, b) => a.size - b.size || a.strategy.localeCompare(b.strategy));

  let tracking: { profile: PollingProfile; bound: number; result: WorkerResult } | undefined;
  if (options.track) {
    const m = await measure(
      'track',
      trackWorld(),
      { strategy: 'track', trackBudgetMs: 120_000, operation: 'Install' },
      context,
    );
    // runEngine: a poll round reads each running execution once (GetAutomationExecution), then waits
    // at least DEFAULT_BACKOFF.initialMs; children are listed once per execution, when it ends
    // (DescribeAutomationExecutions, 50 a page). Per location: one execution per target group.
    const roundsPerMinute = Math.floor(60_000 / DEFAULT_BACKOFF.initialMs);
    const spec = trackWorld();
    const pagesPerExecution = Math.ceil((spec.instancesPerLocation?.max ?? 12) / 50);
    const bound = roundsPerMinute * BENCH_GROUPS + BENCH_GROUPS * pagesPerExecution;
    if (m.sandbox.polling) tracking = { profile: m.sandbox.polling, bound, result: m.result };
  }
  let trackingCost: TrackingCost | undefined;
  if (options.trackCost) {
    const m = await measure(
      'track-cost',
      trackCostWorld(),
      { strategy: 'trackCost', operation: 'Install', finishedRuns: options.finishedRuns },
      context,
    );
    trackingCost = m.result.trackingCost;
  }
  let full: BenchRow | undefined;
  if (options.fullRun) {
    const { accounts, latencyMs, timeScale } = options.fullRun;
    const m = await measure(
      `full-${accounts}`,
      fullRunWorld(accounts, { latencyMs, timeScale }),
      // No time budget: the run goes to its end.
      { strategy: 'track', profile: false },
      context,
    );
    const row = orgpatchRow(accounts, 'full run', m, latencyMs);
    full = {
      ...row,
      notes: [
        ...row.notes,
        `latency ${latencyMs} ms, sandbox clock ${timeScale}x, Scan; ${m.result.track?.rounds} poll rounds`,
      ],
    };
    rows.push(full);
  }

  const complianceRows: ComplianceRow[] = [];
  for (const accounts of options.compliance.sizes) {
    log(`compliance-${accounts}: one snapshot of ${accounts} accounts x 16 Regions`);
    complianceRows.push(await measureCompliance(accounts, options.compliance.latencyMs, dirname(benchDir)));
  }

  const targets = checkTargets(rows, {
    ...(tracking ? { polling: tracking } : {}),
    ...(trackingCost ? { trackingCost } : {}),
    ...(full ? { full } : {}),
    latencyMs: options.latencyMs,
    profiled: options.profile,
  });
  process.stdout.write(
    `\norgpatch bench: ${BENCH_REGIONS} Regions x ${BENCH_GROUPS} groups per account, latency ${options.latencyMs} ms +/- ${BENCH_LATENCY.jitterMs} ms${options.latencyMs === BENCH_LATENCY.meanMs ? '' : ` (the targets are stated at ${BENCH_LATENCY.meanMs} ms)`}, concurrency ${concurrency} global / ${CONCURRENCY_BOUNDS.perAccount.default} per account (core defaults); ${cpus().length} CPUs, load average ${loadBefore[0]?.toFixed(1)} at start and ${loadavg()[0]?.toFixed(1)} at end, Node ${process.version}${options.workerBundle ? `; worker ${options.workerBundle}` : ''}${options.workerHeapMb ? `; worker heap capped at ${options.workerHeapMb} MB` : ''}\n\n`,
  );
  process.stdout.write(`${renderTable(rows)}\n\n`);
  process.stdout.write(
    'ratio = wall / ideal, ideal = API calls x mean latency / concurrency + 3 calls of one location (+ the start quota wait where the world enforces it); speed-up = baseline wall (measured at 100 accounts, else extrapolated) / wall.\n',
  );
  for (const r of rows.filter((row) => row.measured && row.sandbox)) {
    const o = r.orchestrator;
    const phases = Object.entries(r.phasesMs ?? {})
      .filter(([k]) => k !== 'total')
      .map(([k, v]) => `${k} ${s1(v)}`)
      .join(', ');
    const x = o?.httpExchange;
    // Where a call's time goes (bench README, "Where the wall goes at the default"): a limiter slot,
    // the worker's HTTP exchange, the sandbox's answer.
    const timing =
      r.slotMsPerCall === undefined
        ? ''
        : `; a global slot held ${r.slotMsPerCall.toFixed(1)} ms a call (${concurrency} x wall / calls)${x ? `, HTTP exchange ${x.meanMs.toFixed(1)} ms on average (p50 ${x.p50Ms.toFixed(1)}, p90 ${x.p90Ms.toFixed(1)}, p99 ${x.p99Ms.toFixed(1)}; main thread, ${x.count} exchanges)` : ''}`;
    const store = r.store
      ? `store: largest file ${(r.store.largestBytes / MB).toFixed(2)} MB (${r.store.largestFile}), manifest ${(r.store.manifestBytes / MB).toFixed(2)} MB (at most ${(r.store.manifestPeakBytes / MB).toFixed(2)} MB), ${r.store.shards} shards, ${(r.store.totalBytes / MB).toFixed(1)} MB in ${r.store.files} files`
      : '';
    process.stdout.write(
      `  ${r.strategy} ${r.size}: orchestrator CPU ${o?.cpuS.toFixed(1)} s = ${r.cpuPerCallMs?.toFixed(3) ?? '?'} ms per call (event loop ${((o?.eventLoopUtilization ?? 0) * 100).toFixed(0)}% busy; RSS ${o?.rssBeforeRunMb.toFixed(0)} MB before the run, heap peak ${o?.peakHeapMb.toFixed(0)} MB, ${o?.retainedHeapMb?.toFixed(0) ?? '?'} MB retained after GC, GC ${o?.gcS?.toFixed(1) ?? '?'} s${o?.recordMb === undefined ? '' : `, record ${o.recordMb.toFixed(1)} MB as JSON`}), sandbox CPU ${r.sandbox?.cpuS.toFixed(1)} s (event loop ${((r.sandbox?.eventLoopUtilization ?? 0) * 100).toFixed(0)}% busy, mean answer ${r.sandbox?.meanLatencyMs.toFixed(1)} ms)${r.concurrencySeen ? `, in flight at most ${r.concurrencySeen.maxInFlight} (${r.concurrencySeen.maxInFlightPerMemberAccount} in one member account)` : ''}; ${phases}${r.calls && r.calls.throttles > 0 ? `; ${r.gaveUpThrottled ?? 0} gave up throttled` : ''}${r.quotaMs ? `; ideal includes ${s1(r.quotaMs)} of start quota` : ''}${timing}${store ? `; ${store}` : ''}\n`,
    );
  }
  if (tracking) {
    process.stdout.write(
      `\nTracking (runEngine to the end, ${tracking.result.track?.executions} executions in ${tracking.result.track?.locations} locations, ${tracking.result.track?.rounds} rounds over ${tracking.result.track?.simulatedMinutes.toFixed(0)} simulated minutes${tracking.result.track?.finished ? ', run finished' : ', stopped by the time budget'}): ` +
        `bound = ${Math.floor(60_000 / DEFAULT_BACKOFF.initialMs)} rounds a minute (a round, then at least ${DEFAULT_BACKOFF.initialMs / 1000} s of sleep) x 1 GetAutomationExecution per running execution x ${BENCH_GROUPS} executions per location, + 1 DescribeAutomationExecutions page per execution when it ends = ${tracking.bound} calls per location per minute; ` +
        `while nothing changes the sleep doubles to ${DEFAULT_BACKOFF.maxMs / 1000} s, i.e. 1 call per execution per minute. Measured: ${JSON.stringify(tracking.profile)}\n`,
    );
  }
  process.stdout.write(
    `\nIssue 13 targets:\n\n${renderTargets(targets.issue)}\n\nOther checks:\n${renderChecks(targets.other)}\n${complianceRows.length > 0 ? `\n${renderComplianceRows(complianceRows, options.compliance.latencyMs)}\n` : ''}`,
  );

  for (const p of profiles) {
    try {
      process.stdout.write(`\n${renderProfile(p.label, await summarizeBusiestProfile(p.dir))}\n`);
    } catch (error) {
      process.stdout.write(`\n${p.label}: profile not read (${(error as Error).message})\n`);
    }
  }

  await mkdir(options.out, { recursive: true });
  const json = join(options.out, 'results.json');
  const svg = join(options.out, 'wall-time.svg');
  await writeFile(
    json,
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model,
          memoryMb: Math.round(totalmem() / 2 ** 20),
          node: process.version,
          loadAverageAtStart: loadBefore,
          loadAverageAtEnd: loadavg(),
        },
        config: {
          sizes: options.sizes,
          regions: BENCH_REGIONS,
          groups: BENCH_GROUPS,
          latency: { ...BENCH_LATENCY, meanMs: options.latencyMs },
          concurrency: { global: concurrency, perAccount: CONCURRENCY_BOUNDS.perAccount.default },
          throttles: AWS_ORDER_THROTTLES,
          baselineAccounts: options.baselineAccounts ?? 'all',
          workerBundled: bundle !== undefined,
          workerBundle: options.workerBundle ?? null,
          profiled: options.profile,
          workerHeapMb: options.workerHeapMb ?? null,
        },
        rows,
        targets,
        tracking: tracking
          ? { bound: tracking.bound, measured: tracking.profile, run: tracking.result.track }
          : undefined,
        trackingCost,
        fullRun: options.fullRun ?? null,
        benchWallS: (Date.now() - began) / 1000,
      },
      null,
      2,
    )}\n`,
  );
  await writeFile(
    svg,
    renderChart(rows, `orgpatch: plan and start, wall time vs accounts (${options.latencyMs} ms latency)`),
  );
  process.stdout.write(`\nWrote ${json} and ${svg} (bench took ${((Date.now() - began) / 1000).toFixed(0)} s).\n`);
  await rm(storeRoot, { recursive: true, force: true });
  await rm(dirname(built.worker), { recursive: true, force: true });
  if (profileDir) process.stdout.write(`CPU profiles kept in ${profileDir} (open them in Chrome DevTools).\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
