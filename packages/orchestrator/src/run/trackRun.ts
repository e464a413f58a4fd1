import type { ExecutionState, LocationEvent, LocationOutcome, RunRecord } from '@orgpatch/core';
import {
  applyLocationEvents,
  isTerminalAutomationStatus,
  isTerminalLocationStatus,
  leaseScopeFor,
  locationKey,
  nextWaveDecision,
} from '@orgpatch/core';
import { awsErrorCode, awsErrorMessage } from '../aws/awsErrors.js';
import { RunNotFoundError } from '../errors.js';
import { type RunDeps, realSleep } from './deps.js';
import { type AccountLimiter, createAccountLimiter, mapLimited } from './limiter.js';
import { type ReportFormat, writeReports } from './reports.js';
import { deleteExpiredSnapshots } from './snapshotRetention.js';
import { holdLease, LEASE_TTL_MS } from './startRun.js';
import { advanceWaves } from './waves.js';

/** How often to poll: start at `initialMs`, multiply by `factor` after a round without news, cap at `maxMs`. */
export interface PollBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

/** Polling for a real Organization: 5 s, doubling to a minute while nothing changes. */
export const DEFAULT_BACKOFF: PollBackoff = { initialMs: 5_000, maxMs: 60_000, factor: 2 };

/** Options of {@link trackRun}. */
export interface TrackRunOptions {
  /** `done`: poll until the run ends (CLI `--wait`); `round`: one poll round, then return (the scheduled Lambda). @default 'done' */
  readonly until?: 'done' | 'round';
  /** At most this many poll rounds. @default 100_000 */
  readonly maxPolls?: number;
  /** @default DEFAULT_BACKOFF */
  readonly backoff?: PollBackoff;
  /** Write the reports when the run ends. @default true */
  readonly writeReports?: boolean;
}

/** What {@link trackRun} did. */
export interface TrackRunResult {
  readonly record: RunRecord;
  /** true when the run ended (every wave done or halted, patch states read). */
  readonly finished: boolean;
  readonly rounds: number;
  /** Where the reports went, when written. */
  readonly artifacts?: Readonly<Record<ReportFormat, string>>;
}

const FINISHED = new Set(['succeeded', 'failed', 'halted']);

/**
 * Follows a run until its executions end: each round reads every running execution once (one call
 * each; children are listed once, when the parent ends), starts the next wave when one ends, or halts
 * the rest when a threshold or the budget is crossed. When all is over it reads the instances' patch
 * states, stores the record and writes the reports (report.html, .csv, .md, .json).
 */
export async function trackRun(
  run: string | RunRecord,
  deps: RunDeps,
  options: TrackRunOptions = {},
): Promise<TrackRunResult> {
  let record = typeof run === 'string' ? await deps.store.get(run) : run;
  if (!record) throw new RunNotFoundError(run as string, 'the run store');
  if (record.dryRun) return { record, finished: true, rounds: 0 };
  if (FINISHED.has(record.status)) {
    // Over before any polling (nothing was started, or every start failed): nothing to read, but
    // the reports are still owed. Rendering again is harmless for a run tracked to its end before.
    // A process that died between the last write and the release leaves the lease held: let it go
    // (a no-op unless this run holds it).
    await deps.store.releaseLease(leaseScopeFor(record.organization), record.runId);
    // Written again as it is: a writer that lost a race (or died) after re-creating its
    // in-progress marker would otherwise leave a finished run tracked forever.
    await deps.store.put(record);
    if (options.writeReports === false) return { record, finished: true, rounds: 0 };
    return { record, finished: true, rounds: 0, artifacts: await writeReports(record, deps.store) };
  }
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? realSleep;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const maxPolls = options.maxPolls ?? 100_000;
  let delay = backoff.initialMs;
  let leaseRenewedAt = Number.NEGATIVE_INFINITY;

  for (let round = 1; ; round += 1) {
    const before = record.updatedAt;
    // A run that is followed keeps its Organization (renewed in the first round and then whenever a
    // quarter of the lease has passed); one that is abandoned lets it go when the lease expires.
    if (now().getTime() - leaseRenewedAt >= LEASE_TTL_MS / 4) {
      await holdLease(record, deps, now());
      leaseRenewedAt = now().getTime();
    }
    record = await pollRound(record, deps, now);
    // Also starts a planned run whose first invocation died before its first start, and answers
    // intents a crash left unanswered (same ClientTokens).
    record = await advanceWaves(record, deps);
    const progress = progressOf(record);
    deps.onProgress?.({ phase: 'track', done: progress.done, total: progress.total, round });

    if (
      nextWaveDecision(record).action === 'done' &&
      !record.locations.some((l) => l.status === 'started' || l.status === 'starting')
    ) {
      record = await readPatchStates(record, deps, now);
      await deps.store.put(record);
      await deleteExpiredSnapshots(record, deps, now());
      await deps.store.releaseLease(leaseScopeFor(record.organization), record.runId);
      deps.logger?.info('Run finished', { runId: record.runId, status: record.status });
      if (options.writeReports === false) return { record, finished: true, rounds: round };
      const artifacts = await writeReports(record, deps.store);
      deps.onProgress?.({ phase: 'report', artifacts: Object.values(artifacts) });
      return { record, finished: true, rounds: round, artifacts };
    }
    if (record.updatedAt !== before) await deps.store.put(record);
    if (options.until === 'round' || round >= maxPolls) return { record, finished: false, rounds: round };
    // News resets the backoff; a quiet round lengthens it.
    delay = record.updatedAt !== before ? backoff.initialMs : Math.min(backoff.maxMs, delay * backoff.factor);
    await sleep(delay);
  }
}

function progressOf(record: RunRecord): { done: number; total: number } {
  const toRun = record.locations.filter((l) => l.decision.action === 'start');
  return { done: toRun.filter((l) => isTerminalLocationStatus(l.status)).length, total: toRun.length };
}

/** Reads every running execution of the record once; returns the record with what changed (the same object when nothing did). */
export async function pollRound(
  record: RunRecord,
  deps: Pick<RunDeps, 'automation' | 'logger'> & { readonly limiter?: AccountLimiter },
  now: () => Date,
): Promise<RunRecord> {
  const running: { location: LocationOutcome; executionId: string }[] = [];
  for (const location of record.locations) {
    for (const execution of location.executions) {
      if (!isTerminalAutomationStatus(execution.status)) running.push({ location, executionId: execution.executionId });
    }
  }
  if (running.length === 0) return record;
  const limiter = deps.limiter ?? createAccountLimiter(record.request.concurrency);
  const events: LocationEvent[] = [];
  await mapLimited(
    running,
    limiter,
    (r) => r.location.accountId,
    async ({ location, executionId }) => {
      const where = { accountId: location.accountId, region: location.region };
      let state: ExecutionState;
      try {
        state = await deps.automation.describe(where, executionId);
      } catch (error) {
        // Not knowing is not failing: the execution is Unknown and read again next round; only
        // AWS's own answer ends it.
        const error_ = { code: awsErrorCode(error), message: awsErrorMessage(error) };
        deps.logger?.warn('Describe failed', { ...where, executionId, ...error_ });
        events.push({ kind: 'execution-read-failed', location: where, executionId, error: error_ });
        return;
      }
      const previous = location.executions.find((e) => e.executionId === executionId);
      if (
        state.status !== previous?.status ||
        previous?.readError !== undefined ||
        isTerminalAutomationStatus(state.status)
      ) {
        events.push({ kind: 'execution-state', location: where, executionId, state });
      }
    },
  );
  if (events.length === 0) return record;
  // One pass over the record for the whole round (see startWave).
  return applyLocationEvents(record, events, now());
}

/** Reads the patch state of every instance of each location that ran, once the run is over. */
export async function readPatchStates(
  record: RunRecord,
  deps: Pick<RunDeps, 'patchStates' | 'logger' | 'onProgress'> & { readonly limiter?: AccountLimiter },
  now: () => Date,
): Promise<RunRecord> {
  const planned = new Map(record.plan.locations.map((l) => [locationKey(l.accountId, l.region), l]));
  const ran = record.locations.filter((l) => l.executions.length > 0);
  const limiter = deps.limiter ?? createAccountLimiter(record.request.concurrency);
  const events: LocationEvent[] = [];
  let done = 0;
  await mapLimited(
    ran,
    limiter,
    (l) => l.accountId,
    async (location) => {
      const where = { accountId: location.accountId, region: location.region };
      const groups = new Set(location.executions.map((e) => e.group));
      const ids = new Set<string>();
      for (const g of planned.get(locationKey(location.accountId, location.region))?.groups ?? []) {
        if (groups.has(g.name)) for (const id of g.instanceIds) ids.add(id);
      }
      for (const e of location.executions) for (const i of e.instances) ids.add(i.instanceId);
      try {
        const states = await deps.patchStates.read(where, [...ids].sort());
        events.push({ kind: 'patch-states', location: where, states });
      } catch (error) {
        deps.logger?.warn('Patch states not read', {
          ...where,
          code: awsErrorCode(error),
          message: awsErrorMessage(error),
        });
      }
      done += 1;
      deps.onProgress?.({ phase: 'patch-states', done, total: ran.length });
    },
  );
  return applyLocationEvents(record, events, now());
}
