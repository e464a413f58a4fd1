import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CONCURRENCY_BOUNDS } from '@orgpatch/core';
import { DEFAULT_BACKOFF } from '@orgpatch/orchestrator';
import { bundleWorker, type CpuProfileTarget, runWorker, SandboxProcess } from './processes.js';
import { renderProfile, summarizeBusiestProfile } from './profileSummary.js';
import type { PollingProfile, SandboxStats, WorkerResult } from './protocol.js';
import { renderChart, renderTable, renderTargets } from './report.js';
import { type BenchRow, breakdown, idealMs, type TargetCheck } from './results.js';
import {
  AWS_ORDER_THROTTLES,
  BASELINE_WORLD_ACCOUNTS,
  BENCH_GROUPS,
  BENCH_LATENCY,
  BENCH_REGIONS,
  benchPayload,
  benchWorld,
  CRITICAL_PATH_CALLS,
  trackWorld,
} from './scenarios.js';

// `npm run bench`: how orgpatch's plan-and-start grows with the Organization, against the blog's
// serial algorithm and the ideal for its own call count, on the sandbox at 25 ms simulated latency.
// Every run gets a fresh sandbox process and a fresh worker process (see processes.ts).

const USAGE = `Usage: npm run bench -- [--sizes 100,1000,5000] [--quick] [--baseline-accounts N]
                       [--no-throttle] [--no-track] [--no-baseline] [--profile] [--out DIR]
                       [--worker-bundle FILE] [--latency-ms N] [--worker-heap-mb N]
  --sizes              account counts to plan and start (default 100,1000,5000)
  --quick              sizes 100; the baseline over 10 accounts; throttled run at 100 (about 1 minute)
  --baseline-accounts  accounts the serial baseline walks before it stops (default all of its ${BASELINE_WORLD_ACCOUNTS})
  --no-throttle        skip the run with throttling on (default: at 1,000 accounts, or the largest size)
  --no-track           skip the tracked run that measures polling per location per minute
  --no-baseline        skip the serial baseline
  --profile            --cpu-prof the orchestrator and sandbox processes of every orgpatch run, print
                       where their CPU time went (profiled runs are a little slower)
  --out DIR            where results.json and wall-time.svg go (default: bench/ at the repository root)
  --latency-ms N        mean simulated latency (default ${BENCH_LATENCY.meanMs}; the issue's targets are stated at 25 ms)
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
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const sizes = (values.sizes ?? (values.quick ? '100' : '100,1000,5000')).split(',').map((s) => {
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
  return {
    latencyMs,
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
    strategy: 'orgpatch' | 'baseline' | 'track';
    accountLimit?: number;
    trackBudgetMs?: number;
    operation?: 'Scan' | 'Install';
  },
  context: { bundle?: string; prebuilt?: boolean; profileDir?: string; storeRoot: string; workerHeapMb?: number },
): Promise<Measured> {
  const profile = (who: string): CpuProfileTarget | undefined =>
    context.profileDir ? { dir: join(context.profileDir, `${label}-${who}`) } : undefined;
  const sandboxProfile = task.strategy === 'orgpatch' ? profile('sandbox') : undefined;
  const workerProfile = task.strategy === 'orgpatch' ? profile('orchestrator') : undefined;
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
        ...(spec.timeScale > 0 ? { simClock: sandbox.ready.clock } : {}),
      },
      sandbox.ready.env,
      {
        ...(context.bundle ? { bundle: context.bundle, prebuilt: context.prebuilt === true } : {}),
        ...(workerProfile ? { profile: workerProfile } : {}),
        ...(context.workerHeapMb ? { heapMb: context.workerHeapMb } : {}),
      },
    );
    const stats = await sandbox.stats(task.strategy === 'track');
    log(
      `${label}: ${(result.wallMs / 1000).toFixed(1)} s wall, ${stats.calls.reduce((s, c) => s + c.count, 0)} calls, orchestrator ${(result.cpuMicros / 1e6).toFixed(1)} s CPU, sandbox ${(stats.cpuMicros / 1e6).toFixed(1)} s CPU`,
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

function orgpatchRow(size: number, strategy: BenchRow['strategy'], m: Measured, latencyMs: number): BenchRow {
  const calls = breakdown(m.sandbox.calls);
  const ideal = idealMs(calls.total, latencyMs, concurrency, CRITICAL_PATH_CALLS);
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
    },
    sandbox: {
      cpuS: m.sandbox.cpuMicros / 1e6,
      eventLoopUtilization: m.sandbox.eventLoopUtilization,
      maxRssMb: mb(m.sandbox.maxRssKb),
      meanLatencyMs: m.sandbox.meanLatencyMs,
    },
    ...(m.result.recordParts
      ? { recordPartsMb: Object.fromEntries(Object.entries(m.result.recordParts).map(([k, v]) => [k, v / 2 ** 20])) }
      : {}),
    idealMs: ideal,
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

function checkTargets(
  rows: readonly BenchRow[],
  polling: { profile: PollingProfile; bound: number } | undefined,
  latencyMs: number,
): TargetCheck[] {
  const org = (size: number) => rows.find((r) => r.strategy === 'orgpatch' && r.size === size);
  const targets: TargetCheck[] = [];
  const k1 = org(1000);
  targets.push(
    k1?.ratioToIdeal === undefined
      ? { target: '1,000 accounts within 1.3x ideal', verdict: 'N/A', detail: 'size 1,000 not run' }
      : {
          target: '1,000 accounts within 1.3x ideal',
          verdict: k1.ratioToIdeal <= 1.3 ? 'PASS' : 'MISS',
          detail: `wall ${(k1.wallMs / 1000).toFixed(1)} s, ideal ${((k1.idealMs ?? 0) / 1000).toFixed(1)} s (${k1.calls?.total} calls x ${latencyMs} ms / ${concurrency} + ${CRITICAL_PATH_CALLS} x ${latencyMs} ms): ${k1.ratioToIdeal.toFixed(2)}x`,
        },
  );
  targets.push(
    k1?.speedUpOverBaseline === undefined
      ? {
          target: '1,000 accounts at least 50x faster than the baseline',
          verdict: 'N/A',
          detail: 'size 1,000 or the baseline not run',
        }
      : {
          target: '1,000 accounts at least 50x faster than the baseline',
          verdict: k1.speedUpOverBaseline >= 50 ? 'PASS' : 'MISS',
          detail: `${k1.speedUpOverBaseline.toFixed(1)}x (baseline ${((rows.find((r) => r.strategy === 'baseline' && r.size === 1000)?.wallMs ?? 0) / 1000).toFixed(0)} s, extrapolated)`,
        },
  );
  const k5 = org(5000);
  targets.push(
    k5?.orchestrator === undefined
      ? { target: '5,000 accounts under 5 min with peak RSS < 256 MB', verdict: 'N/A', detail: 'size 5,000 not run' }
      : {
          target: '5,000 accounts under 5 min with peak RSS < 256 MB',
          verdict: k5.wallMs < 300_000 && k5.orchestrator.maxRssMb < 256 ? 'PASS' : 'MISS',
          detail: `wall ${(k5.wallMs / 1000).toFixed(1)} s, orchestrator peak RSS ${k5.orchestrator.maxRssMb.toFixed(0)} MB (${k5.orchestrator.rssBeforeRunMb.toFixed(0)} MB loaded before the run, heap peak ${k5.orchestrator.peakHeapMb.toFixed(0)} MB)`,
        },
  );
  const measured = rows.filter((r) => r.strategy === 'orgpatch').sort((a, b) => a.size - b.size);
  const small = measured[0];
  const large = measured[measured.length - 1];
  // Per location overall, and per phase item: planning per location read, starting per execution
  // started. A quadratic step shows in the phase it hides in even when the total still looks flat.
  const perStartMs = (r: BenchRow) => (r.phasesMs?.start ?? 0) / Math.max(1, r.started ?? 0);
  const perPlannedMs = (r: BenchRow) => (r.phasesMs?.plan ?? 0) / Math.max(1, r.locations);
  targets.push(
    !small || !large || small === large
      ? {
          target: 'time per location flat from the smallest to the largest size',
          verdict: 'N/A',
          detail: 'needs two sizes',
        }
      : {
          target: `cost linear in locations (${small.size} vs ${large.size} accounts: per location, per planned location, per start, each within 1.3x)`,
          verdict:
            large.msPerLocation <= 1.3 * small.msPerLocation &&
            perPlannedMs(large) <= 1.3 * perPlannedMs(small) &&
            perStartMs(large) <= 1.3 * perStartMs(small)
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
  targets.push(
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
  return targets;
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
  const bundle = options.workerBundle ?? (await bundleWorker());
  log(
    options.workerBundle
      ? `worker: the prebuilt bundle ${bundle}`
      : bundle
        ? `worker bundled with esbuild: ${bundle}`
        : 'esbuild not found: the worker runs through tsx (its RSS includes the loader)',
  );
  const loadBefore = loadavg();
  const context = {
    ...(bundle ? { bundle, prebuilt: options.workerBundle !== undefined } : {}),
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
  }
  if (options.throttle) {
    const size = options.sizes.includes(1000) ? 1000 : (options.sizes[options.sizes.length - 1] ?? 1000);
    const m = await measure(
      `throttled-${size}`,
      benchWorld(size, { throttled: true, latencyMs: options.latencyMs }),
      { strategy: 'orgpatch' },
      context,
    );
    const row = orgpatchRow(size, 'orgpatch+throttling', m, options.latencyMs);
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
    // trackRun: a round reads each running execution once (GetAutomationExecution), then sleeps at
    // least DEFAULT_BACKOFF.initialMs; children are listed once per execution, when it ends
    // (DescribeAutomationExecutions, 50 a page). Per location: one execution per target group.
    const roundsPerMinute = Math.floor(60_000 / DEFAULT_BACKOFF.initialMs);
    const spec = trackWorld();
    const pagesPerExecution = Math.ceil((spec.instancesPerLocation?.max ?? 12) / 50);
    const bound = roundsPerMinute * BENCH_GROUPS + BENCH_GROUPS * pagesPerExecution;
    if (m.sandbox.polling) tracking = { profile: m.sandbox.polling, bound, result: m.result };
  }

  const targets = checkTargets(rows, tracking, options.latencyMs);
  process.stdout.write(
    `\norgpatch bench: ${BENCH_REGIONS} Regions x ${BENCH_GROUPS} groups per account, latency ${options.latencyMs} ms +/- ${BENCH_LATENCY.jitterMs} ms${options.latencyMs === BENCH_LATENCY.meanMs ? '' : ` (the targets are stated at ${BENCH_LATENCY.meanMs} ms)`}, concurrency ${concurrency} global / ${CONCURRENCY_BOUNDS.perAccount.default} per account (core defaults); ${cpus().length} CPUs, load average ${loadBefore[0]?.toFixed(1)} at start and ${loadavg()[0]?.toFixed(1)} at end, Node ${process.version}${options.workerBundle ? `; worker ${options.workerBundle}` : ''}${options.workerHeapMb ? `; worker heap capped at ${options.workerHeapMb} MB` : ''}\n\n`,
  );
  process.stdout.write(`${renderTable(rows)}\n\n`);
  process.stdout.write(
    'ratio = wall / ideal, ideal = API calls x mean latency / concurrency + 3 calls of one location; speed-up = baseline wall (measured at 100 accounts, else extrapolated) / wall.\n',
  );
  for (const r of rows.filter((row) => row.measured && row.sandbox)) {
    process.stdout.write(
      `  ${r.strategy} ${r.size}: orchestrator CPU ${r.orchestrator?.cpuS.toFixed(1)} s (event loop ${((r.orchestrator?.eventLoopUtilization ?? 0) * 100).toFixed(0)}% busy; RSS ${r.orchestrator?.rssBeforeRunMb.toFixed(0)} MB before the run, heap peak ${r.orchestrator?.peakHeapMb.toFixed(0)} MB, ${r.orchestrator?.retainedHeapMb?.toFixed(0) ?? '?'} MB retained after GC, GC ${r.orchestrator?.gcS?.toFixed(1) ?? '?'} s, record ${r.orchestrator?.recordMb?.toFixed(1) ?? '?'} MB as JSON${r.recordPartsMb ? ` (plan ${r.recordPartsMb.plan?.toFixed(1)} MB, locations ${r.recordPartsMb.locations?.toFixed(1)} MB; ${r.recordPartsMb.indentedAsStored?.toFixed(1)} MB as stored)` : ''}), sandbox CPU ${r.sandbox?.cpuS.toFixed(1)} s (event loop ${((r.sandbox?.eventLoopUtilization ?? 0) * 100).toFixed(0)}% busy, mean answer ${r.sandbox?.meanLatencyMs.toFixed(1)} ms)${r.phasesMs?.plan !== undefined ? `, plan ${((r.phasesMs.plan ?? 0) / 1000).toFixed(1)} s (discovery ${((r.phasesMs.discover ?? 0) / 1000).toFixed(1)} s) + start ${((r.phasesMs.start ?? 0) / 1000).toFixed(1)} s` : ''}${r.calls && r.calls.throttles > 0 ? `, ${r.gaveUpThrottled ?? 0} gave up throttled` : ''}\n`,
    );
  }
  if (tracking) {
    process.stdout.write(
      `\nTracking (trackRun, ${tracking.result.track?.executions} executions in ${tracking.result.track?.locations} locations, ${tracking.result.track?.rounds} rounds over ${tracking.result.track?.simulatedMinutes.toFixed(0)} simulated minutes${tracking.result.track?.finished ? ', run finished' : ', stopped by the time budget'}): ` +
        `bound = ${Math.floor(60_000 / DEFAULT_BACKOFF.initialMs)} rounds a minute (a round, then at least ${DEFAULT_BACKOFF.initialMs / 1000} s of sleep) x 1 GetAutomationExecution per running execution x ${BENCH_GROUPS} executions per location, + 1 DescribeAutomationExecutions page per execution when it ends = ${tracking.bound} calls per location per minute; ` +
        `while nothing changes the sleep doubles to ${DEFAULT_BACKOFF.maxMs / 1000} s, i.e. 1 call per execution per minute. Measured: ${JSON.stringify(tracking.profile)}\n`,
    );
  }
  process.stdout.write(`\n${renderTargets(targets)}\n`);

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
  if (bundle && !options.workerBundle) await rm(dirname(bundle), { recursive: true, force: true });
  if (profileDir) process.stdout.write(`CPU profiles kept in ${profileDir} (open them in Chrome DevTools).\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
