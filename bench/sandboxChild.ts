import { performance } from 'node:perf_hooks';
import { type CallRecord, type Sandbox, startSandbox } from '@orgpatch/sandbox';
import type {
  CallCount,
  ConcurrencySeen,
  PollingProfile,
  SandboxCommand,
  SandboxMessage,
  SandboxReady,
  SandboxSpec,
  SandboxStats,
} from './protocol.js';

// The sandbox in a process of its own (forked by run.ts): it generates the world, serves it, and
// reports its CPU time, event-loop load and call log on request, so the bench can tell whether the
// sandbox or the orchestrator was the bottleneck.

const POLLING_OPERATIONS = ['GetAutomationExecution', 'DescribeAutomationExecutions'];

let sandbox: Sandbox | undefined;

/**
 * When each call was in flight, in real ms (the call log keeps simulated arrival times, frozen while
 * planning): recorded beside the log, as it answers, for the concurrency the sandbox saw.
 */
const inFlight = { account: [] as number[], start: [] as number[], end: [] as number[] };
const accountIds = new Map<string, number>();
/** Calls the orchestrator makes in its own account (discovery, AssumeRole): not member-account calls. */
const OWN_ACCOUNT_SERVICES = new Set(['sts', 'organizations']);
let cpuAtReset = process.cpuUsage();
let eluAtReset = performance.eventLoopUtilization();
let realAtReset = performance.now();

function send(message: SandboxMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

async function start(spec: SandboxSpec): Promise<SandboxReady> {
  const began = performance.now();
  sandbox = await startSandbox({
    world: {
      generate: {
        accounts: spec.accounts,
        regions: spec.regions,
        groups: spec.groups,
        density: spec.density,
        seed: spec.seed,
        ...(spec.instancesPerLocation ? { instancesPerLocation: spec.instancesPerLocation } : {}),
      },
    },
    faults: spec.faults,
    timeScale: spec.timeScale,
    port: 0,
  });
  // Note the real interval of every call as the log records it (it records when it answers). The
  // end is read before the log's own work: a call log of a million entries grows its columns, and
  // a pause there (or a GC in the sandbox's 1.8 GB heap at 10,000 accounts) read after it would
  // shift the call's whole interval later, onto its account's next calls.
  const log = sandbox.calls;
  const record = log.record.bind(log);
  log.record = (call: CallRecord) => {
    const end = performance.now();
    record(call);
    let id = accountIds.get(call.accountId);
    if (id === undefined) {
      id = accountIds.size;
      accountIds.set(call.accountId, id);
    }
    inFlight.account.push(OWN_ACCOUNT_SERVICES.has(call.service) ? -1 : id);
    inFlight.start.push(end - call.latencyMs);
    inFlight.end.push(end);
  };
  const world = sandbox.world;
  const groupNames = Array.from({ length: spec.groups }, (_, i) =>
    i === 0 ? 'orgpatch-targets' : `orgpatch-targets-${i + 1}`,
  );
  return {
    type: 'ready',
    env: sandbox.env('us-east-1'),
    rootId: world.rootId,
    managementAccountId: world.managementAccountId,
    regionNames: [...world.regionNames],
    groupNames,
    accounts: world.accounts.size,
    startMs: performance.now() - began,
    clock: { sim: sandbox.clock.now(), real: Date.now(), timeScale: spec.timeScale },
  };
}

function reset(): void {
  sandbox?.calls.reset();
  inFlight.account.length = 0;
  inFlight.start.length = 0;
  inFlight.end.length = 0;
  cpuAtReset = process.cpuUsage();
  eluAtReset = performance.eventLoopUtilization();
  realAtReset = performance.now();
}

function stats(withPolling: boolean): SandboxStats {
  const cpu = process.cpuUsage(cpuAtReset);
  const elu = performance.eventLoopUtilization(eluAtReset);
  const records = sandbox?.calls.list() ?? [];
  const cells = new Map<string, { service: string; operation: string; outcome: string; count: number }>();
  let latency = 0;
  for (const call of records) {
    const key = `${call.service}\u0000${call.operation}\u0000${call.outcome}`;
    const cell = cells.get(key);
    if (cell) cell.count += 1;
    else cells.set(key, { service: call.service, operation: call.operation, outcome: call.outcome, count: 1 });
    latency += call.latencyMs;
  }
  const calls: CallCount[] = [...cells.values()].sort(
    (a, b) => a.service.localeCompare(b.service) || a.operation.localeCompare(b.operation) || b.count - a.count,
  );
  return {
    type: 'stats',
    cpuMicros: cpu.user + cpu.system,
    eventLoopUtilization: elu.utilization,
    intervalMs: performance.now() - realAtReset,
    maxRssKb: process.resourceUsage().maxRSS,
    calls,
    meanLatencyMs: records.length === 0 ? 0 : latency / records.length,
    ...(withPolling ? { polling: pollingProfile(records) } : {}),
    concurrency: concurrencySeen(),
  };
}

/** The most calls in flight at once: in all, and in one member account (the per-account limit's subject). */
function concurrencySeen(): ConcurrencySeen {
  const n = inFlight.start.length;
  // Ends sort before starts at the same instant: a call that ended frees its place.
  const events: [number, number, number][] = [];
  for (let i = 0; i < n; i += 1) {
    const account = inFlight.account[i] ?? -1;
    events.push([inFlight.start[i] ?? 0, 1, account], [inFlight.end[i] ?? 0, -1, account]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let all = 0;
  let maxAll = 0;
  const perAccount = new Map<number, number>();
  let maxPerAccount = 0;
  for (const [, delta, account] of events) {
    all += delta;
    maxAll = Math.max(maxAll, all);
    if (account < 0) continue;
    const now = (perAccount.get(account) ?? 0) + delta;
    perAccount.set(account, now);
    maxPerAccount = Math.max(maxPerAccount, now);
  }
  return { maxInFlight: maxAll, maxInFlightPerMemberAccount: maxPerAccount };
}

/** Polling calls per (account, Region) per simulated minute, from the call log's simulated times. */
function pollingProfile(records: readonly CallRecord[]): PollingProfile {
  const perLocationMinute = new Map<string, number>();
  const locations = new Set<string>();
  const byOperation: Record<string, number> = {};
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const call of records) {
    if (call.service !== 'ssm' || !POLLING_OPERATIONS.includes(call.operation)) continue;
    const location = `${call.accountId}/${call.region}`;
    locations.add(location);
    const key = `${location}/${Math.floor(call.time / 60_000)}`;
    perLocationMinute.set(key, (perLocationMinute.get(key) ?? 0) + 1);
    byOperation[call.operation] = (byOperation[call.operation] ?? 0) + 1;
    first = Math.min(first, call.time);
    last = Math.max(last, call.time);
  }
  const counts = [...perLocationMinute.values()];
  const total = counts.reduce((s, n) => s + n, 0);
  return {
    locations: locations.size,
    locationMinutes: counts.length,
    maxPerLocationMinute: counts.reduce((m, n) => Math.max(m, n), 0),
    meanPerLocationMinute: counts.length === 0 ? 0 : total / counts.length,
    spanMinutes: counts.length === 0 ? 0 : (last - first) / 60_000,
    byOperation,
  };
}

process.on('message', (raw: unknown) => {
  const command = raw as SandboxCommand;
  void (async () => {
    try {
      switch (command.type) {
        case 'start':
          await send(await start(command.spec));
          break;
        case 'reset':
          reset();
          await send(stats(false));
          break;
        case 'stats':
          await send(stats(command.polling));
          break;
        case 'stop':
          await sandbox?.stop();
          // A normal exit, so that --cpu-prof writes its profile.
          process.disconnect?.();
          process.exit(0);
      }
    } catch (error) {
      await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  })();
});
