import type { Location } from './inventory.js';
import type { OrganizationSnapshot } from './organization.js';
import { describeSkipReason, locationKey } from './plan.js';
import { RunRecordError, UnknownExecutionError, UnknownLocationError } from './planErrors.js';
import type { Plan, PlanDecision } from './planModel.js';
import type { ExecutionState } from './ports.js';
import type { PatchRequest } from './request.js';
import type {
  AutomationStatus,
  ExecutionRecord,
  InstancePatchSummary,
  InstanceResult,
  LocationOutcome,
  LocationStatus,
  RunRecord,
  RunStatus,
  StartIntent,
  WaveOutcome,
  WaveStatus,
} from './runModel.js';

/**
 * The run record's life: created from the plan, then changed only through the pure functions here,
 * each returning a new record (the input is never modified). Every update re-derives the location's
 * status, its wave's status and the run's status, so the three always agree.
 */

const TERMINAL_STATUSES: ReadonlySet<AutomationStatus> = new Set<AutomationStatus>([
  'Success',
  'TimedOut',
  'Cancelled',
  'Failed',
  'Rejected',
  'ChangeCalendarOverrideRejected',
  'CompletedWithSuccess',
  'CompletedWithFailure',
  'Exited',
]);

const SUCCESS_STATUSES: ReadonlySet<AutomationStatus | 'Unknown'> = new Set(['Success', 'CompletedWithSuccess']);

/** true once an automation (or child) execution can change no more (Success, Failed, TimedOut, Cancelled, ...). */
export function isTerminalAutomationStatus(status: AutomationStatus | 'Unknown'): boolean {
  return status !== 'Unknown' && TERMINAL_STATUSES.has(status);
}

/** true for the statuses SSM uses for a successful execution. */
export function isSuccessfulAutomationStatus(status: AutomationStatus | 'Unknown'): boolean {
  return SUCCESS_STATUSES.has(status);
}

const TERMINAL_LOCATION: ReadonlySet<LocationStatus> = new Set(['skipped', 'succeeded', 'failed', 'halted']);

/** true for a location status that no longer changes. */
export function isTerminalLocationStatus(status: LocationStatus): boolean {
  return TERMINAL_LOCATION.has(status);
}

/** What {@link createRunRecord} needs. */
export interface CreateRunRecordInput {
  readonly runId: string;
  readonly createdAt: Date;
  readonly snapshotId: string;
  readonly idempotencyKey: string;
  readonly request: PatchRequest;
  readonly organization: OrganizationSnapshot;
  readonly plan: Plan;
}

function skipReasonText(decision: Extract<PlanDecision, { action: 'skip' }>): string {
  const sentence = describeSkipReason(decision.reason);
  return decision.detail ? `${sentence} (${decision.detail})` : sentence;
}

/**
 * A new run record: every planned location, with status `planned` (start), `skipped` (with the
 * reason in words) or `failed` (with the plan's error); every wave `pending`; the run `planned`.
 */
export function createRunRecord(input: CreateRunRecordInput): RunRecord {
  const createdAt = input.createdAt.toISOString();
  const ouPaths = new Map(input.organization.accounts.map((a) => [a.id, a.ouPath]));
  const locations: LocationOutcome[] = input.plan.locations.map((l) => {
    const ouPath = ouPaths.get(l.accountId);
    const base = {
      accountId: l.accountId,
      accountName: l.accountName,
      ...(ouPath !== undefined ? { ouPath } : {}),
      region: l.region,
      wave: l.wave,
      instanceCount: l.instanceCount,
      decision: l.decision,
      executions: [],
    };
    if (l.decision.action === 'start') return { ...base, status: 'planned' };
    if (l.decision.action === 'skip') return { ...base, status: 'skipped', reason: skipReasonText(l.decision) };
    return {
      ...base,
      status: 'failed',
      reason: l.decision.message,
      error: { code: l.decision.code, message: l.decision.message },
    };
  });
  const record: RunRecord = {
    schemaVersion: 1,
    runId: input.runId,
    createdAt,
    updatedAt: createdAt,
    status: 'planned',
    dryRun: input.request.dryRun,
    snapshotId: input.snapshotId,
    idempotencyKey: input.idempotencyKey,
    request: input.request,
    organization: {
      ...(input.organization.organizationId !== undefined ? { organizationId: input.organization.organizationId } : {}),
      managementAccountId: input.organization.managementAccountId,
      partition: input.organization.partition,
    },
    plan: input.plan,
    waves: input.plan.waves.map((w) => ({ name: w.name, status: 'pending' })),
    locations,
  };
  return record;
}

/** Status of a location from its executions and start error (for locations that were started or tried). */
function deriveLocationStatus(outcome: LocationOutcome): LocationStatus {
  if ((outcome.intents?.length ?? 0) > 0) return 'starting';
  if (outcome.executions.length === 0) {
    if (outcome.error !== undefined) return 'failed';
    // The last intent was answered without an execution (cannot happen) or withdrawn: back to planned.
    return outcome.status === 'starting' ? 'planned' : outcome.status;
  }
  if (outcome.executions.some((e) => !isTerminalAutomationStatus(e.status))) return 'started';
  if (outcome.error !== undefined) return 'failed';
  return outcome.executions.every((e) => isSuccessfulAutomationStatus(e.status)) ? 'succeeded' : 'failed';
}

function failureReason(outcome: LocationOutcome): string | undefined {
  const failed = outcome.executions.find(
    (e) => isTerminalAutomationStatus(e.status) && !isSuccessfulAutomationStatus(e.status),
  );
  if (failed === undefined) return outcome.reason;
  const why = failed.failureMessage ? `: ${failed.failureMessage}` : '';
  return `Automation execution ${failed.executionId} (group ${failed.group}) ended ${failed.status}${why}`;
}

/** Wave statuses from their locations: a running wave ends when all its locations are terminal. */
function deriveWaves(waves: readonly WaveOutcome[], locations: readonly LocationOutcome[]): WaveOutcome[] {
  return waves.map((wave) => {
    if (wave.status !== 'running') return wave;
    const own = locations.filter((l) => l.wave === wave.name);
    if (!own.every((l) => isTerminalLocationStatus(l.status))) return wave;
    const status: WaveStatus = own.some((l) => l.status === 'failed') ? 'failed' : 'succeeded';
    return { ...wave, status };
  });
}

/**
 * The run's status from its waves: `planned` until a wave starts; `running` while a wave runs or
 * waves remain; at the end `halted` if waves were halted, `failed` if any location failed,
 * `succeeded` otherwise.
 */
export function deriveRunStatus(record: Pick<RunRecord, 'waves' | 'locations'>): RunStatus {
  const statuses = record.waves.map((w) => w.status);
  if (statuses.every((s) => s === 'pending')) return 'planned';
  if (statuses.includes('running')) return 'running';
  if (statuses.includes('halted')) return 'halted';
  if (statuses.includes('pending')) return 'running';
  if (record.locations.some((l) => l.status === 'failed') || statuses.includes('failed')) return 'failed';
  return 'succeeded';
}

/** Re-derives waves and run status and stamps the update time. */
function settle(
  record: RunRecord,
  locations: readonly LocationOutcome[],
  updatedAt: string,
  waves = record.waves,
): RunRecord {
  const derivedWaves = deriveWaves(waves, locations);
  const status = deriveRunStatus({ waves: derivedWaves, locations });
  return { ...record, locations, waves: derivedWaves, status, updatedAt };
}

type LocationChange = (outcome: LocationOutcome) => LocationOutcome;

/**
 * Applies changes to locations in one pass over the record: O(locations + changes), however many
 * changes, so recording the thousands of starts of a large run stays linear. Changes to the same
 * location apply in the order given.
 */
function updateLocations(
  record: RunRecord,
  changes: readonly { readonly location: Location; readonly change: LocationChange }[],
  updatedAt: string,
): RunRecord {
  if (changes.length === 0) return record;
  const byKey = new Map<string, LocationChange[]>();
  for (const { location, change } of changes) {
    const key = locationKey(location.accountId, location.region);
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [change]);
    else list.push(change);
  }
  let applied = 0;
  const locations = record.locations.map((current) => {
    const list = byKey.get(locationKey(current.accountId, current.region));
    if (list === undefined) return current;
    applied += 1;
    let next = current;
    for (const change of list) {
      const changed = change(next);
      const status = deriveLocationStatus(changed);
      const reason = status === 'failed' ? failureReason(changed) : changed.reason;
      next = { ...changed, status, ...(reason !== undefined ? { reason } : {}) };
    }
    return next;
  });
  if (applied < byKey.size) {
    const known = new Set(record.locations.map((l) => locationKey(l.accountId, l.region)));
    const missing = changes.find(({ location }) => !known.has(locationKey(location.accountId, location.region)));
    if (missing) throw new UnknownLocationError(record.runId, missing.location.accountId, missing.location.region);
  }
  return settle(record, locations, updatedAt);
}

function updateLocation(record: RunRecord, location: Location, updatedAt: string, change: LocationChange): RunRecord {
  return updateLocations(record, [{ location, change }], updatedAt);
}

/**
 * Something that happened in one location, for {@link applyLocationEvents}: an execution started,
 * a start failed, an execution's state was read, or patch states were read.
 */
export type LocationEvent =
  | { readonly kind: 'start-intended'; readonly location: Location; readonly intents: readonly StartIntent[] }
  | { readonly kind: 'started'; readonly location: Location; readonly execution: ExecutionRecord }
  | {
      readonly kind: 'start-failed';
      readonly location: Location;
      readonly error: { readonly code: string; readonly message: string };
      /**
       * The group whose start failed, and whether the error was transient (throttling, 5xx, network):
       * a transient failure keeps the intent (its attempts counted) to be retried with the same
       * ClientToken; a permanent one withdraws the location's intents and fails it.
       */
      readonly transient?: { readonly group: string };
    }
  | {
      readonly kind: 'execution-read-failed';
      readonly location: Location;
      readonly executionId: string;
      readonly error: { readonly code: string; readonly message: string };
    }
  | {
      readonly kind: 'execution-state';
      readonly location: Location;
      readonly executionId: string;
      readonly state: ExecutionState;
    }
  | {
      readonly kind: 'patch-states';
      readonly location: Location;
      readonly states: ReadonlyMap<string, InstancePatchSummary>;
    };

/**
 * Applies many location events at once, in one pass over the record (the batch form of
 * {@link recordStarted}, {@link recordStartFailed}, {@link recordExecutionState} and
 * {@link recordPatchStates}). Use it when a fan-out produces many results: applying them one at a
 * time costs O(locations) each.
 *
 * @example
 * ```ts
 * record = applyLocationEvents(record, [
 *   { kind: 'started', location, execution },
 *   { kind: 'start-failed', location: other, error: { code: 'ThrottlingException', message } },
 * ], new Date());
 * ```
 */
export function applyLocationEvents(record: RunRecord, events: readonly LocationEvent[], now: Date): RunRecord {
  const nowText = now.toISOString();
  return updateLocations(
    record,
    events.map((event) => ({ location: event.location, change: changeFor(record.runId, event, nowText) })),
    nowText,
  );
}

function changeFor(runId: string, event: LocationEvent, nowText: string): LocationChange {
  switch (event.kind) {
    case 'start-intended':
      return intendedChange(runId, event.intents);
    case 'started':
      return startedChange(runId, event.execution);
    case 'start-failed':
      return event.transient
        ? transientStartFailureChange(event.transient.group, event.error)
        : startFailedChange(event.error);
    case 'execution-read-failed':
      return readFailedChange(runId, event.executionId, event.error, nowText);
    case 'execution-state':
      return executionStateChange(runId, event.executionId, event.state, nowText);
    case 'patch-states':
      return patchStatesChange(event.states);
  }
}

/** Records one automation execution started in a location (one per target group); the location becomes `started`. */
export function recordStarted(record: RunRecord, location: Location, execution: ExecutionRecord): RunRecord {
  return updateLocation(record, location, execution.startedAt, startedChange(record.runId, execution));
}

function assertStartable(runId: string, o: LocationOutcome): void {
  if (o.decision.action !== 'start') {
    throw new RunRecordError(
      runId,
      `account ${o.accountId}, Region ${o.region} was planned as ${o.decision.action}, so nothing may be started there`,
    );
  }
}

/** Adds intents for groups that have neither an intent nor an execution yet. */
function intendedChange(runId: string, intents: readonly StartIntent[]): LocationChange {
  return (o) => {
    assertStartable(runId, o);
    const taken = new Set([...(o.intents ?? []).map((i) => i.group), ...o.executions.map((e) => e.group)]);
    const added = intents.filter((i) => !taken.has(i.group));
    return added.length === 0 ? o : { ...o, intents: [...(o.intents ?? []), ...added] };
  };
}

/** Removes the intent of `group` (answered), dropping the field when none is left. */
function withoutIntent(o: LocationOutcome, group: string): LocationOutcome {
  const intents = (o.intents ?? []).filter((i) => i.group !== group);
  const { intents: _gone, ...rest } = o;
  return intents.length > 0 ? { ...rest, intents } : rest;
}

function startedChange(runId: string, execution: ExecutionRecord): LocationChange {
  return (o) => {
    assertStartable(runId, o);
    const others = o.executions.filter((e) => e.executionId !== execution.executionId);
    return { ...withoutIntent(o, execution.group), executions: [...others, execution] };
  };
}

function transientStartFailureChange(
  group: string,
  error: { readonly code: string; readonly message: string },
): LocationChange {
  return (o) => ({
    ...o,
    intents: (o.intents ?? []).map((i) =>
      i.group === group
        ? { ...i, attempts: i.attempts + 1, lastError: { code: error.code, message: error.message } }
        : i,
    ),
  });
}

function readFailedChange(
  runId: string,
  executionId: string,
  error: { readonly code: string; readonly message: string },
  nowText: string,
): LocationChange {
  return (o) => {
    const execution = o.executions.find((e) => e.executionId === executionId);
    if (execution === undefined) throw new UnknownExecutionError(runId, o.accountId, o.region, executionId);
    const updated: ExecutionRecord = {
      ...execution,
      status: 'Unknown',
      readError: {
        code: error.code,
        message: error.message,
        count: (execution.readError?.count ?? 0) + 1,
        at: nowText,
      },
    };
    return { ...o, executions: o.executions.map((e) => (e.executionId === executionId ? updated : e)) };
  };
}

/** Records that StartAutomationExecution failed in a location: it becomes `failed` with the error. */
export function recordStartFailed(
  record: RunRecord,
  location: Location,
  error: { readonly code: string; readonly message: string },
  now?: Date,
): RunRecord {
  return updateLocation(record, location, now?.toISOString() ?? record.updatedAt, startFailedChange(error));
}

function startFailedChange(error: { readonly code: string; readonly message: string }): LocationChange {
  // A permanent failure withdraws every start not yet made in the location (they would fail alike).
  return ({ intents: _withdrawn, ...o }) => ({
    ...o,
    error: { code: error.code, message: error.message },
    reason: `StartAutomationExecution failed (${error.code}): ${error.message}`,
  });
}

/** The worse of two results for one instance (failed over running over succeeded). */
export function worse(a: InstanceResult, b: InstanceResult): InstanceResult {
  const rank = (r: InstanceResult): number =>
    isSuccessfulAutomationStatus(r.status) ? 0 : isTerminalAutomationStatus(r.status) ? 2 : 1;
  return rank(b) > rank(a) ? b : a;
}

/**
 * Records what DescribeAutomationExecutions reported for an execution and its per-instance
 * children. The location becomes `succeeded` when all its executions succeeded, `failed` when they
 * are all terminal and one did not succeed, and stays `started` otherwise.
 */
export function recordExecutionState(
  record: RunRecord,
  location: Location,
  executionId: string,
  state: ExecutionState,
  now: Date,
): RunRecord {
  const nowText = now.toISOString();
  return updateLocation(record, location, nowText, executionStateChange(record.runId, executionId, state, nowText));
}

function executionStateChange(
  runId: string,
  executionId: string,
  state: ExecutionState,
  nowText: string,
): LocationChange {
  return (o) => {
    const execution = o.executions.find((e) => e.executionId === executionId);
    if (execution === undefined) {
      throw new UnknownExecutionError(runId, o.accountId, o.region, executionId);
    }
    const previous = new Map(execution.instances.map((i) => [i.instanceId, i]));
    const fromChildren = new Map<string, InstanceResult>();
    for (const child of state.children) {
      const patch = previous.get(child.instanceId)?.patch;
      const result: InstanceResult = {
        instanceId: child.instanceId,
        executionId: child.executionId,
        status: child.status,
        ...(child.failureMessage !== undefined ? { failureMessage: child.failureMessage } : {}),
        ...(patch !== undefined ? { patch } : {}),
      };
      const seen = fromChildren.get(child.instanceId);
      fromChildren.set(child.instanceId, seen === undefined ? result : worse(seen, result));
    }
    const kept = execution.instances.filter((i) => !fromChildren.has(i.instanceId));
    const instances = [...kept, ...fromChildren.values()].sort((a, b) =>
      a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0,
    );
    const terminal = isTerminalAutomationStatus(state.status);
    const endedAt = state.endedAt ?? (terminal ? (execution.endedAt ?? nowText) : undefined);
    const failureMessage = state.failureMessage ?? execution.failureMessage;
    const updated: ExecutionRecord = {
      executionId: execution.executionId,
      clientToken: execution.clientToken,
      group: execution.group,
      status: state.status,
      startedAt: execution.startedAt,
      ...(endedAt !== undefined ? { endedAt } : {}),
      ...(failureMessage !== undefined ? { failureMessage } : {}),
      instances,
    };
    return { ...o, executions: o.executions.map((e) => (e.executionId === executionId ? updated : e)) };
  };
}

/**
 * Attaches patch states (DescribeInstancePatchStates) to a location's instances. An instance the
 * executions did not report is added to the first execution with status `Unknown`, so no state
 * read is lost.
 */
export function recordPatchStates(
  record: RunRecord,
  location: Location,
  states: ReadonlyMap<string, InstancePatchSummary>,
  now?: Date,
): RunRecord {
  return updateLocation(record, location, now?.toISOString() ?? record.updatedAt, patchStatesChange(states));
}

function patchStatesChange(states: ReadonlyMap<string, InstancePatchSummary>): LocationChange {
  return (o) => {
    const known = new Set(o.executions.flatMap((e) => e.instances.map((i) => i.instanceId)));
    const unknown = [...states.keys()].filter((id) => !known.has(id)).sort();
    const executions = o.executions.map((e, index) => {
      const updated = e.instances.map((i) => {
        const patch = states.get(i.instanceId);
        return patch === undefined ? i : { ...i, patch };
      });
      const added: InstanceResult[] =
        index === 0
          ? unknown.map((instanceId) => ({ instanceId, status: 'Unknown', patch: states.get(instanceId) }))
          : [];
      return { ...e, instances: [...updated, ...added] };
    });
    return { ...o, executions };
  };
}

function waveIndexOf(record: RunRecord, wave: string): number {
  const index = record.waves.findIndex((w) => w.name === wave);
  if (index < 0) {
    throw new RunRecordError(
      record.runId,
      `there is no wave "${wave}" (waves: ${record.waves.map((w) => `"${w.name}"`).join(', ')})`,
    );
  }
  return index;
}

/** Marks a pending wave running. A wave with nothing left to start ends at once (succeeded or failed). */
export function markWaveRunning(record: RunRecord, wave: string, now?: Date): RunRecord {
  const index = waveIndexOf(record, wave);
  const current = record.waves[index];
  if (current === undefined || current.status === 'running') return record;
  if (current.status !== 'pending') {
    throw new RunRecordError(record.runId, `wave "${wave}" is ${current.status} and cannot start again`);
  }
  const waves = record.waves.map((w, i) => (i === index ? { name: w.name, status: 'running' as const } : w));
  return settle(record, record.locations, now?.toISOString() ?? record.updatedAt, waves);
}

/**
 * Halts `fromWave` and every pending wave after it: their waves become `halted` with `reason`, and
 * their locations still `planned` become `halted` with the same reason.
 */
export function haltWaves(record: RunRecord, fromWave: string, reason: string, now?: Date): RunRecord {
  const from = waveIndexOf(record, fromWave);
  const halted = new Set<string>();
  const waves = record.waves.map((w, i) => {
    if (i < from || w.status !== 'pending') return w;
    halted.add(w.name);
    return { name: w.name, status: 'halted' as const, reason };
  });
  const locations = record.locations.map((l) =>
    halted.has(l.wave) && l.status === 'planned' ? { ...l, status: 'halted' as const, reason } : l,
  );
  return settle(record, locations, now?.toISOString() ?? record.updatedAt, waves);
}
