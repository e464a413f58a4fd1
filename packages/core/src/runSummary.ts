import { evaluateWave } from './plan.js';
import { formatRateValue } from './rates.js';
import type { InstanceResult, LocationOutcome, LocationStatus, RunRecord, RunStatus, WaveStatus } from './runModel.js';
import {
  isSuccessfulAutomationStatus,
  isTerminalAutomationStatus,
  isTerminalLocationStatus,
  worse,
} from './runRecord.js';

/** A run's numbers: locations and instances overall, per account, per Region and per wave. */

/** Locations by status. */
export interface LocationCounts {
  readonly total: number;
  readonly planned: number;
  readonly starting: number;
  readonly skipped: number;
  readonly started: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly halted: number;
}

/**
 * Instances by result, counted once per (account, Region, instance).
 * - succeeded: its execution ended Success (patched or scanned);
 * - failed: its execution ended otherwise (Failed, TimedOut, Cancelled, ...);
 * - inProgress: still running;
 * - notStarted: counted by inventory in a location that was to be patched but has no result for it
 *   (its wave was halted, the start failed, a dry run, or no child execution reported it).
 */
export interface InstanceCounts {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly inProgress: number;
  readonly notStarted: number;
}

/** A wave in the summary: its status and how it stands against its threshold. */
export interface WaveSummary {
  readonly name: string;
  readonly status: WaveStatus;
  readonly reason?: string;
  readonly errorThreshold: string;
  readonly failed: number;
  readonly total: number;
  readonly exceeded: boolean;
  readonly locations: LocationCounts;
}

/** The numbers of a run: locations and instances overall, per account, per Region and per wave. */
export interface RunSummary {
  readonly runId: string;
  readonly status: RunStatus;
  readonly dryRun: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly locations: LocationCounts;
  readonly instances: InstanceCounts;
  /** By account id. */
  readonly accounts: readonly {
    readonly accountId: string;
    readonly accountName: string;
    readonly locations: LocationCounts;
    readonly instances: InstanceCounts;
  }[];
  /** In the request's Region order. */
  readonly regions: readonly {
    readonly region: string;
    readonly locations: LocationCounts;
    readonly instances: InstanceCounts;
  }[];
  readonly waves: readonly WaveSummary[];
}

/** The distinct instance results of a location (the worst one when an instance is in two groups). */
export function instanceResultsOf(outcome: LocationOutcome): InstanceResult[] {
  const byId = new Map<string, InstanceResult>();
  for (const execution of outcome.executions) {
    for (const instance of execution.instances) {
      const seen = byId.get(instance.instanceId);
      byId.set(instance.instanceId, seen === undefined ? instance : worse(seen, instance));
    }
  }
  return [...byId.values()];
}

function countInstances(outcomes: readonly LocationOutcome[]): InstanceCounts {
  let succeeded = 0;
  let failed = 0;
  let inProgress = 0;
  let notStarted = 0;
  for (const o of outcomes) {
    if (o.decision.action !== 'start') continue;
    const results = instanceResultsOf(o);
    const settled = isTerminalLocationStatus(o.status);
    for (const r of results) {
      if (isSuccessfulAutomationStatus(r.status)) succeeded += 1;
      else if (isTerminalAutomationStatus(r.status)) failed += 1;
      else if (r.status === 'Unknown' && settled) notStarted += 1;
      else inProgress += 1;
    }
    notStarted += Math.max(0, o.instanceCount - results.length);
  }
  return { total: succeeded + failed + inProgress + notStarted, succeeded, failed, inProgress, notStarted };
}

function countLocations(outcomes: readonly LocationOutcome[]): LocationCounts {
  const of = (s: LocationStatus): number => outcomes.filter((o) => o.status === s).length;
  return {
    total: outcomes.length,
    planned: of('planned'),
    starting: of('starting'),
    skipped: of('skipped'),
    started: of('started'),
    succeeded: of('succeeded'),
    failed: of('failed'),
    halted: of('halted'),
  };
}

/** The locations by a key, each group in record order. */
function groupBy(
  locations: readonly LocationOutcome[],
  key: (l: LocationOutcome) => string,
): Map<string, LocationOutcome[]> {
  const groups = new Map<string, LocationOutcome[]>();
  for (const l of locations) {
    const group = groups.get(key(l));
    if (group === undefined) groups.set(key(l), [l]);
    else group.push(l);
  }
  return groups;
}

/** The run's numbers, for the Lambda's result, the CLI's summary, metrics and the reports. */
export function summarizeRun(record: RunRecord): RunSummary {
  const accountIds = [...new Set(record.locations.map((l) => l.accountId))].sort();
  const regionOrder = new Map(record.request.regions.map((r, i) => [r, i]));
  const regions = [...new Set(record.locations.map((l) => l.region))].sort(
    (a, b) => (regionOrder.get(a) ?? Number.MAX_SAFE_INTEGER) - (regionOrder.get(b) ?? Number.MAX_SAFE_INTEGER),
  );
  const planned = new Map(record.plan.waves.map((w) => [w.name, w]));
  // Grouped in one pass: a run may have 80,000 locations of 5,000 accounts.
  const byAccount = groupBy(record.locations, (l) => l.accountId);
  const byRegion = groupBy(record.locations, (l) => l.region);
  return {
    runId: record.runId,
    status: record.status,
    dryRun: record.dryRun,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    locations: countLocations(record.locations),
    instances: countInstances(record.locations),
    accounts: accountIds.map((accountId) => {
      const own = byAccount.get(accountId) ?? [];
      return {
        accountId,
        accountName: own[0]?.accountName ?? accountId,
        locations: countLocations(own),
        instances: countInstances(own),
      };
    }),
    regions: regions.map((region) => {
      const own = byRegion.get(region) ?? [];
      return { region, locations: countLocations(own), instances: countInstances(own) };
    }),
    waves: record.waves.map((w) => {
      const plannedWave = planned.get(w.name);
      const evaluation = plannedWave
        ? evaluateWave({ wave: plannedWave, outcomes: record.locations })
        : { failed: 0, total: 0, exceeded: false };
      return {
        name: w.name,
        status: w.status,
        ...(w.reason !== undefined ? { reason: w.reason } : {}),
        errorThreshold: plannedWave ? formatRateValue(plannedWave.errorThreshold) : '',
        ...evaluation,
        locations: countLocations(record.locations.filter((l) => l.wave === w.name)),
      };
    }),
  };
}
