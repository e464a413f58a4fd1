import { formatRateValue, rateExceeded } from './rates.js';
import type { RunCompliance } from './runCompliance.js';
import type { InstanceResult, LocationOutcome, RunRecord, RunStatus, WaveOutcome, WaveStatus } from './runModel.js';
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
  /** Its health gate held it before it started (see WaveOutcome.held). */
  readonly held?: WaveOutcome['held'];
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
  /** Compliance before and after the run (a finished run's snapshot), when the run has it. */
  readonly compliance?: RunCompliance;
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

/** Mutable counts, added to a location at a time. */
type Tally = { -readonly [K in keyof LocationCounts]: number } & {
  instances: { -readonly [K in keyof InstanceCounts]: number };
};

function emptyTally(): Tally {
  return {
    total: 0,
    planned: 0,
    starting: 0,
    skipped: 0,
    started: 0,
    succeeded: 0,
    failed: 0,
    halted: 0,
    instances: { total: 0, succeeded: 0, failed: 0, inProgress: 0, notStarted: 0 },
  };
}

/** Adds one location to a tally: its status, and its instances' results. */
function addLocation(tally: Tally, o: LocationOutcome): void {
  tally.total += 1;
  tally[o.status] += 1;
  if (o.decision.action !== 'start') return;
  const i = tally.instances;
  const results = instanceResultsOf(o);
  const settled = isTerminalLocationStatus(o.status);
  for (const r of results) {
    if (isSuccessfulAutomationStatus(r.status)) i.succeeded += 1;
    else if (isTerminalAutomationStatus(r.status)) i.failed += 1;
    else if (r.status === 'Unknown' && settled) i.notStarted += 1;
    else i.inProgress += 1;
    i.total += 1;
  }
  const missing = Math.max(0, o.instanceCount - results.length);
  i.notStarted += missing;
  i.total += missing;
}

function locationCounts(t: Tally): LocationCounts {
  const { instances: _i, ...counts } = t;
  return counts;
}

/** What a summary is made from besides the locations: the record's head (a record, or a manifest). */
type SummaryHead = Pick<
  RunRecord,
  'runId' | 'status' | 'dryRun' | 'createdAt' | 'updatedAt' | 'waves' | 'request' | 'compliance'
> & {
  readonly plan: { readonly waves: RunRecord['plan']['waves'] };
};

/**
 * A run's summary built a location at a time, so that a run kept as shards is summarized one shard
 * in memory at a time: {@link RunSummaryBuilder.add} each location (in record order), then
 * {@link RunSummaryBuilder.summary}. What it keeps grows with the accounts, not the locations.
 */
export interface RunSummaryBuilder {
  add(location: LocationOutcome): void;
  summary(): RunSummary;
}

/** A {@link RunSummaryBuilder} for the run `head` describes. */
export function summaryBuilder(head: SummaryHead): RunSummaryBuilder {
  const all = emptyTally();
  const accounts = new Map<string, { name: string; tally: Tally }>();
  const regions = new Map<string, Tally>();
  const waves = new Map<string, Tally>();
  const tallyOf = <K>(map: Map<K, Tally>, key: K): Tally => {
    let t = map.get(key);
    if (t === undefined) {
      t = emptyTally();
      map.set(key, t);
    }
    return t;
  };
  return {
    add(l) {
      addLocation(all, l);
      let account = accounts.get(l.accountId);
      if (account === undefined) {
        account = { name: l.accountName, tally: emptyTally() };
        accounts.set(l.accountId, account);
      }
      addLocation(account.tally, l);
      addLocation(tallyOf(regions, l.region), l);
      addLocation(tallyOf(waves, l.wave), l);
    },
    summary() {
      const regionOrder = new Map(head.request.regions.map((r, i) => [r, i]));
      const regionNames = [...regions.keys()].sort(
        (a, b) => (regionOrder.get(a) ?? Number.MAX_SAFE_INTEGER) - (regionOrder.get(b) ?? Number.MAX_SAFE_INTEGER),
      );
      const planned = new Map(head.plan.waves.map((w) => [w.name, w]));
      return {
        runId: head.runId,
        status: head.status,
        dryRun: head.dryRun,
        createdAt: head.createdAt,
        updatedAt: head.updatedAt,
        locations: locationCounts(all),
        instances: { ...all.instances },
        accounts: [...accounts.keys()].sort().map((accountId) => {
          const a = accounts.get(accountId) as { name: string; tally: Tally };
          return {
            accountId,
            accountName: a.name,
            locations: locationCounts(a.tally),
            instances: { ...a.tally.instances },
          };
        }),
        regions: regionNames.map((region) => {
          const t = regions.get(region) as Tally;
          return { region, locations: locationCounts(t), instances: { ...t.instances } };
        }),
        waves: head.waves.map((w) => {
          const plannedWave = planned.get(w.name);
          const t = waves.get(w.name) ?? emptyTally();
          const total = t.total - t.skipped;
          const evaluation = plannedWave
            ? { failed: t.failed, total, exceeded: rateExceeded(plannedWave.errorThreshold, t.failed, total) }
            : { failed: 0, total: 0, exceeded: false };
          return {
            name: w.name,
            status: w.status,
            ...(w.reason !== undefined ? { reason: w.reason } : {}),
            ...(w.held !== undefined ? { held: w.held } : {}),
            errorThreshold: plannedWave ? formatRateValue(plannedWave.errorThreshold) : '',
            ...evaluation,
            locations: locationCounts(t),
          };
        }),
        ...(head.compliance === undefined ? {} : { compliance: head.compliance }),
      };
    },
  };
}

/** The run's numbers, for the Lambda's result, the CLI's summary, metrics and the reports. */
export function summarizeRun(record: RunRecord): RunSummary {
  const builder = summaryBuilder(record);
  for (const l of record.locations) builder.add(l);
  return builder.summary();
}

/**
 * A wave's note for people: why it halted, that its threshold was exceeded, or how long its health
 * gate held it before it started.
 */
export function waveNote(w: WaveSummary): string {
  if (w.reason !== undefined) return w.reason;
  if (w.exceeded) return 'error threshold exceeded';
  if (w.held?.until !== undefined) {
    const minutes = Math.round((Date.parse(w.held.until) - Date.parse(w.held.since)) / 60_000);
    const why = w.held.reason
      .replace(/^Health gate of wave ".*?": /, '')
      .replace(/: wave ".*" is held until it clears$/, '');
    return `held ${minutes} min by its health gate (${why}), then started`;
  }
  return '';
}
