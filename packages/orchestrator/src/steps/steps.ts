import {
  addCounts,
  bakeRemainingMs,
  beginShardedRun,
  buildPlan,
  type ClosedGate,
  closedGate,
  countsDelta,
  gatingAlarms,
  groupOrganization,
  groupShards,
  haltManifestWaves,
  holdManifestWave,
  inlinePlanGroup,
  isInlinePlanning,
  leaseScopeFor,
  markManifestWaveRunning,
  nextManifestDecision,
  type PatchRequest,
  type PreflightReader,
  parsePayload,
  type RunPlanGroup,
  type RunRecord,
  type RunShard,
  type RunStore,
  type RunSummary,
  requestAlarms,
  requestDifferences,
  requiredInventory,
  runNotification,
  type ShardedRunStore,
  type StoredRunManifest,
  type StoredRunShardEntry,
  settleShardLocations,
  shardView,
  summarizeRun,
  summaryBuilder,
  withCounts,
  withPlannedGroup,
} from '@orgpatch/core';
import {
  DryRunViolationError,
  HealthGateError,
  RunNotFoundError,
  RunRequestMismatchError,
  RunStoreError,
} from '../errors.js';
import type { RunDeps } from '../run/deps.js';
import { runIdFor, snapshotIdFor } from '../run/ids.js';
import type { AccountLimiter } from '../run/limiter.js';
import { skipUnlessPatchDay } from '../run/patchDayGate.js';
import { discoveryScope, observeLocations } from '../run/planRun.js';
import { logPreflight, runPreflight } from '../run/preflight.js';
import { writeStoredReports } from '../run/reports.js';
import { deleteExpiredSnapshots } from '../run/snapshotRetention.js';
import { holdLease } from '../run/startRun.js';
import { DEFAULT_BACKOFF, type PollBackoff, pollRound, readPatchStates } from '../run/trackRun.js';
import { startWave } from '../run/waves.js';
import { SHARD_BOUNDS } from '../store/shardedRecords.js';
import type {
  BeginInput,
  BeginOutput,
  FinishInput,
  FinishOutput,
  NextInput,
  NextOutput,
  PlanInput,
  PollInput,
  SettleInput,
  ShardStepOutput,
  StartInput,
} from './contract.js';
import { recordRunCompliance } from './runSnapshot.js';

/** What the steps need: a run's ports, with a store that keeps runs a shard at a time. */
export interface StepDeps extends RunDeps {
  /** One limiter over every step in flight (the in-process engine shares one); each step makes its own otherwise. */
  readonly limiter?: AccountLimiter;
  /** The poll backoff `next` answers `wait` with. @default DEFAULT_BACKOFF */
  readonly backoff?: PollBackoff;
  /**
   * `orgpatch doctor`'s reads: given, a dry run's `plan` step also runs the preflight on each group's
   * plan and logs its verdict and problems (the maintenance window's dry run checks what a run needs).
   */
  readonly preflight?: PreflightReader;
}

/** The most accounts in one plan group: a group's plan is cut into shards of at most as many. */
const ACCOUNTS_PER_GROUP = SHARD_BOUNDS.accountsPerShard;

const FINISHED = new Set(['succeeded', 'failed', 'halted']);

function shardedOf(store: RunStore): ShardedRunStore {
  if (store.sharded === undefined) {
    throw new RunStoreError('This run store does not keep runs a shard at a time, so the step engines cannot use it.');
  }
  return store.sharded;
}

async function manifestOf(deps: StepDeps, runId: string): Promise<StoredRunManifest> {
  const manifest = await shardedOf(deps.store).manifest(runId);
  if (manifest === undefined) throw new RunNotFoundError(runId, 'the run store');
  return manifest;
}

const clock = (deps: StepDeps): (() => Date) => deps.now ?? (() => new Date());

/**
 * `begin`: validates the payload (a PayloadValidationError names the field; nothing is read or
 * started), then either resumes the run already recorded under the run id (only with the same
 * request), or discovers the Organization and records a new run, its plan groups still to plan. A
 * run that may start automations takes its Organization's lease before it is recorded.
 */
export async function begin(input: BeginInput, deps: StepDeps, parsed?: PatchRequest): Promise<BeginOutput> {
  // The CLI parses (and may amend, as --dry-run does) the payload itself.
  const request = parsed ?? parsePayload(input.payload);
  const now = clock(deps);
  const runId = input.runId ?? runIdFor(request.taskExecutionId, now());
  const sharded = shardedOf(deps.store);
  let existing = await sharded.manifest(runId);
  if (existing === undefined && request.taskExecutionId !== undefined) {
    // A window's invocation goes ahead only on its Patch Tuesday go-day (a resumed run always does).
    const note = await skipUnlessPatchDay(request, deps.store, { runId, now: now() });
    if (note !== undefined) {
      deps.logger?.info('Not the patch day: nothing started', { runId, reason: note.reason });
      return { runId, dryRun: request.dryRun, resumed: false, groups: [], skipped: note.reason };
    }
  }
  if (existing === undefined) await checkAlarmsExist(request, deps);
  if (existing === undefined) {
    const whole = await deps.store.get(runId);
    if (whole !== undefined) {
      // A run recorded whole (by an orgpatch before manifests): written again, it is a manifest and shards.
      sameRequest(runId, whole.request, request);
      await deps.store.put(whole);
      existing = await manifestOf(deps, runId);
    }
  }
  if (existing !== undefined) {
    sameRequest(runId, existing.request, request);
    deps.logger?.info('Resuming run', { runId, status: existing.status });
    if (FINISHED.has(existing.status)) await deps.store.releaseLease(leaseScopeFor(existing.organization), runId);
    else if (!existing.dryRun) await holdLease(existing, deps, now());
    return { runId, dryRun: existing.dryRun, resumed: true, groups: unplanned(existing), skipped: null };
  }
  const organization = await deps.directory.discover(discoveryScope(request));
  deps.onProgress?.({ phase: 'discover', accounts: organization.accounts.length, done: true });
  const { manifest, groups } = beginShardedRun({
    runId,
    createdAt: now(),
    snapshotId: snapshotIdFor(request.snapshotId, request.taskExecutionId),
    idempotencyKey: request.taskExecutionId ?? runId,
    request,
    organization,
    accountsPerGroup: ACCOUNTS_PER_GROUP,
  });
  // A dry run takes no lease: it starts nothing, so it can plan beside a run in progress.
  if (!manifest.dryRun) await holdLease(manifest, deps, now());
  const created = await sharded.create(manifest, groups);
  deps.logger?.info('Run recorded', { runId, dryRun: created.dryRun, groups: created.planning?.groups.length ?? 0 });
  return { runId, dryRun: created.dryRun, resumed: false, groups: unplanned(created), skipped: null };
}

/**
 * Every alarm the waves name must exist before a run is recorded: a gate that cannot be read is a
 * plan error, never a silent pass.
 * @throws HealthGateError naming the waves' missing alarms.
 */
async function checkAlarmsExist(request: PatchRequest, deps: StepDeps): Promise<void> {
  const names = requestAlarms(request);
  if (names.length === 0) return;
  if (deps.alarms === undefined) {
    throw new HealthGateError(
      'The waves name CloudWatch alarms, but this run has no alarm reader (RunDeps.alarms): nothing was started.',
    );
  }
  const found = await deps.alarms.read(names);
  const missing = (request.organization?.waves ?? []).flatMap((w) =>
    (w.alarms ?? []).filter((a) => !found.has(a)).map((a) => `"${a}" (wave "${w.name}")`),
  );
  if (missing.length > 0) {
    throw new HealthGateError(
      `No CloudWatch alarm ${missing.join(', ')} in the orchestrator's account and Region: a health gate must be an alarm that exists. Create it, or fix the name in the wave's Alarms; nothing was started.`,
    );
  }
}

/** Why the health gate of `wave` is closed now, or undefined when it is open (or the wave has none). */
async function gateOf(manifest: StoredRunManifest, wave: string, deps: StepDeps): Promise<ClosedGate | undefined> {
  const alarms = gatingAlarms(manifest, wave);
  if (alarms.length === 0) return undefined;
  if (deps.alarms === undefined) {
    return {
      kind: 'missing',
      alarm: alarms[0] ?? '',
      reason: `Health gate of wave "${wave}": this run has no alarm reader, so its alarms cannot be read`,
    };
  }
  return closedGate(alarms, await deps.alarms.read(alarms), wave);
}

const HALTED = '; the waves left were not started';

function sameRequest(runId: string, stored: PatchRequest, request: PatchRequest): void {
  const differences = requestDifferences(stored, request);
  if (differences.length > 0) throw new RunRequestMismatchError(runId, differences);
}

function unplanned(manifest: StoredRunManifest): number[] {
  const planning = manifest.planning;
  if (planning === undefined) return [];
  const done = new Set(planning.planned);
  return planning.groups.map((_, i) => i).filter((i) => !done.has(i));
}

/** Plan group `group` of a manifest still planning: stored on its own, or inline in a manifest written before that. */
async function planGroupOf(deps: StepDeps, manifest: StoredRunManifest, group: number): Promise<RunPlanGroup> {
  const planning = manifest.planning;
  if (planning !== undefined && isInlinePlanning(planning)) return inlinePlanGroup(manifest, planning, group);
  const entry = planning?.groups[group];
  if (entry === undefined) {
    throw new RunStoreError(
      `Run ${manifest.runId} has ${planning?.groups.length ?? 0} plan groups still to plan, not a group ${group}: plan only the groups its manifest lists.`,
    );
  }
  return shardedOf(deps.store).planGroup(manifest.runId, group, entry);
}

/** `plan`: observes one group's accounts in every Region, builds its plan and stores its shards. Planned already: nothing. */
export async function plan(input: PlanInput, deps: StepDeps): Promise<ShardStepOutput> {
  const manifest = await manifestOf(deps, input.runId);
  if (manifest.planning === undefined || manifest.planning.planned.includes(input.group)) {
    return { runId: input.runId, shards: [], changed: false };
  }
  let planGroup: RunPlanGroup;
  try {
    planGroup = await planGroupOf(deps, manifest, input.group);
  } catch (error) {
    // A step repeated beside the one that planned the group (and, with the last, deleted the groups).
    if (!(await manifestOf(deps, input.runId)).planning?.planned.includes(input.group)) throw error;
    return { runId: input.runId, shards: [], changed: false };
  }
  const { organization, onlyAccounts } = groupOrganization(manifest, input.group, planGroup);
  const request = manifest.request;
  const locations = requiredInventory({ request, organization, onlyAccounts });
  const observations = await observeLocations(request, locations, deps);
  const groupPlan = buildPlan({ request, organization, observations, onlyAccounts });
  if ((request.dryRun || manifest.dryRun) && deps.preflight !== undefined) {
    const { report } = await runPreflight(
      request,
      { ...deps, preflight: deps.preflight },
      { planned: { organization, observations, plan: groupPlan } },
    );
    if (deps.logger) logPreflight(deps.logger, report);
  }
  const shards = groupShards(manifest, input.group, organization, groupPlan, SHARD_BOUNDS);
  const now = clock(deps);
  await shardedOf(deps.store).commit(input.runId, {
    shards: shards.map((shard) => ({ shard })),
    change: (fresh) => withPlannedGroup(fresh, input.group, groupPlan, shards, now()),
  });
  deps.logger?.info('Group planned', { runId: input.runId, group: input.group, ...groupPlan.counts });
  return { runId: input.runId, shards: shards.map((s) => s.id), changed: true };
}

/** The index of a wave in plan order, by name. */
function waveOrder(manifest: StoredRunManifest): Map<string, number> {
  return new Map(manifest.waves.map((w, i) => [w.name, i]));
}

/** The wave of each account the plan assigned one. */
function waveOfAccount(manifest: StoredRunManifest): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of manifest.plan.waves) for (const id of w.accountIds) out.set(id, w.name);
  return out;
}

/**
 * The shards that may hold locations of `wave`: shards are in plan order (by wave, then account),
 * so a shard holds the waves from its first account's to its last account's.
 */
function shardsOfWave(manifest: StoredRunManifest, wave: string): number[] {
  const order = waveOrder(manifest);
  const waveOf = waveOfAccount(manifest);
  const target = order.get(wave) ?? -1;
  return manifest.shards
    .filter((e) => {
      const first = order.get(waveOf.get(e.firstAccountId) ?? '');
      const last = order.get(waveOf.get(e.lastAccountId) ?? '');
      // An account the waves do not name (a named account discovery did not find) could be anywhere.
      if (first === undefined || last === undefined) return true;
      return first <= target && target <= last;
    })
    .map((e) => e.id);
}

/** The shards that may hold locations of the waves with locations starting or started: the ones to poll. */
function shardsToPoll(manifest: StoredRunManifest): number[] {
  const ran = manifest.counts.filter((c) => c.starting + c.started > 0).map((c) => c.wave);
  const ids = new Set(ran.flatMap((w) => shardsOfWave(manifest, w)));
  return manifest.shards.map((e) => e.id).filter((id) => ids.has(id));
}

/** Whether any location is still starting or running, anywhere in the run. */
function anyRunning(manifest: StoredRunManifest): boolean {
  return manifest.counts.some((c) => c.starting + c.started > 0);
}

/**
 * `next`: what the run does next, decided from the manifest alone: plan the groups left; start the
 * running wave's planned locations; wait and poll while anything runs; start the next wave, or halt
 * the rest (recording why), when the one before is over; finish when nothing is left. A dry run
 * only ever plans and finishes.
 */
export async function next(input: NextInput, deps: StepDeps): Promise<NextOutput> {
  const { runId } = input;
  const sharded = shardedOf(deps.store);
  const now = clock(deps);
  let manifest = await manifestOf(deps, runId);
  for (let guard = 0; guard <= manifest.waves.length + 1; guard += 1) {
    if (manifest.planning !== undefined) return { action: 'plan', runId, groups: unplanned(manifest) };
    const all = manifest.shards.map((e) => e.id);
    if (manifest.dryRun || manifest.request.dryRun) return { action: 'finish', runId, shards: all };
    const running = manifest.waves.find((w) => w.status === 'running');
    if (running !== undefined) {
      // A health gate closed while the wave runs: its starts that remain are not made, and the rest halt.
      const closed = await gateOf(manifest, running.name, deps);
      if (closed !== undefined) {
        const reason = `${closed.reason}${HALTED}`;
        deps.logger?.warn('Health gate closed', { runId, wave: running.name, reason });
        manifest = await sharded.commit(runId, {
          shards: [],
          change: (fresh) => haltManifestWaves(fresh, running.name, reason, now()),
        });
        continue;
      }
      const counts = manifest.counts.find((c) => c.wave === running.name);
      if ((counts?.planned ?? 0) > 0) {
        return { action: 'start', runId, wave: running.name, shards: shardsOfWave(manifest, running.name) };
      }
      return waitFor(manifest, input, deps);
    }
    const decision = nextManifestDecision(manifest);
    if (decision.action === 'start') {
      const closed = await gateOf(manifest, decision.wave, deps);
      if (closed?.kind === 'missing') {
        const reason = `${closed.reason}${HALTED}`;
        deps.logger?.warn('Health gate closed', { runId, wave: decision.wave, reason });
        manifest = await sharded.commit(runId, {
          shards: [],
          change: (fresh) => haltManifestWaves(fresh, decision.wave, reason, now()),
        });
        continue;
      }
      if (closed !== undefined) {
        // An alarm in ALARM before the wave starts holds it (and every later one) until it clears.
        const reason = `${closed.reason}: wave "${decision.wave}" is held until it clears`;
        if (!manifest.waves.some((w) => w.name === decision.wave && w.reason === reason)) {
          deps.logger?.warn('Wave held by its health gate', { runId, wave: decision.wave, reason });
          manifest = await sharded.commit(runId, {
            shards: [],
            change: (fresh) => holdManifestWave(fresh, decision.wave, reason, now()),
          });
        }
        return waitFor(manifest, input, deps);
      }
      // The wave before bakes first: its gate is read again when the bake is over.
      const baking = bakeRemainingMs(manifest, decision.wave, now());
      if (baking > 0) return waitFor(manifest, input, deps, baking);
      deps.logger?.info('Starting wave', { runId, wave: decision.wave });
      manifest = await sharded.commit(runId, {
        shards: [],
        change: (fresh) => markManifestWaveRunning(fresh, decision.wave, now()),
      });
      continue;
    }
    if (decision.action === 'halt') {
      const from = manifest.waves.find((w) => w.status === 'pending');
      if (from !== undefined) {
        deps.logger?.warn('Halting waves', { runId, fromWave: from.name, reason: decision.reason });
        manifest = await sharded.commit(runId, {
          shards: [],
          change: (fresh) => haltManifestWaves(fresh, from.name, decision.reason, now()),
        });
      }
      continue;
    }
    if (anyRunning(manifest)) return waitFor(manifest, input, deps);
    return { action: 'finish', runId, shards: all };
  }
  throw new RunStoreError(`Run ${runId}: its waves did not settle while deciding the next step; read it again.`);
}

/** `wait`: the poll backoff (or, baking, the bake time left, read again at least every backoff maximum). */
function waitFor(manifest: StoredRunManifest, input: NextInput, deps: StepDeps, bakingMs?: number): NextOutput {
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  const quiet = input.revision === manifest.revision ? (input.quietRounds ?? 0) + 1 : 0;
  const ms =
    bakingMs !== undefined
      ? Math.min(backoff.maxMs, bakingMs)
      : Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** quiet);
  return {
    action: 'wait',
    runId: manifest.runId,
    seconds: Math.max(1, Math.round(ms / 1000)),
    quietRounds: quiet,
    revision: manifest.revision,
    shards: shardsToPoll(manifest),
  };
}

/**
 * A shard as a step works on it: the manifest as read, the shard's entry and text, and a `put` that
 * commits the shard's locations (and the change in the manifest's counts) to the store.
 */
class ShardSession {
  private constructor(
    private readonly deps: StepDeps,
    private manifest: StoredRunManifest,
    private entry: StoredRunShardEntry,
    private shard: RunShard,
  ) {}

  static async open(deps: StepDeps, runId: string, id: number): Promise<ShardSession> {
    const manifest = await manifestOf(deps, runId);
    const entry = manifest.shards.find((e) => e.id === id);
    if (entry === undefined) {
      throw new RunStoreError(
        `Run ${runId} has no shard ${id} (its shards: ${manifest.shards.map((e) => e.id).join(', ') || 'none'}): the step was given a shard of another run or plan.`,
      );
    }
    return new ShardSession(deps, manifest, entry, await shardedOf(deps.store).shard(runId, entry));
  }

  get head(): StoredRunManifest {
    return this.manifest;
  }

  /** The run as this shard sees it. */
  view(): RunRecord {
    return shardView(this.manifest, this.shard);
  }

  /** Commits `record`'s locations (a view of this shard) as the shard's new version. */
  readonly put = async (record: RunRecord): Promise<void> => {
    const before = this.shard;
    const shard: RunShard = { ...before, locations: record.locations };
    const now = clock(this.deps);
    const written = await shardedOf(this.deps.store).commit(this.manifest.runId, {
      shards: [{ shard, base: this.entry }],
      change: (fresh) =>
        withCounts(fresh, addCounts(fresh.counts, countsDelta(fresh.waves, before.locations, shard.locations)), now()),
    });
    const entry = written.shards.find((e) => e.id === shard.id);
    if (entry === undefined) throw new RunStoreError(`Run ${written.runId} lost shard ${shard.id} while writing it`);
    this.manifest = written;
    this.entry = entry;
    this.shard = shard;
  };
}

/**
 * `start`: starts the planned locations of a running wave in one shard: intents committed first,
 * then StartAutomationExecution with their ClientTokens, then the answers committed. A wave that is
 * not running (a halted one, or a gate that has not opened) starts nothing.
 * @throws DryRunViolationError for a dry run: it never starts anything.
 */
export async function start(input: StartInput, deps: StepDeps): Promise<ShardStepOutput> {
  const session = await ShardSession.open(deps, input.runId, input.shard);
  const head = session.head;
  if (head.dryRun || head.request.dryRun) throw new DryRunViolationError(`shard ${input.shard}`, 'every Region');
  const wave = head.waves.find((w) => w.name === input.wave);
  if (wave?.status !== 'running') {
    deps.logger?.warn('Start refused: the wave is not running', { runId: input.runId, wave: input.wave });
    return { runId: input.runId, shards: [], changed: false };
  }
  // The gate is read again before this shard's starts: an alarm that fired since `next` stops them.
  const closed = await gateOf(head, input.wave, deps);
  if (closed !== undefined) {
    deps.logger?.warn('Start refused: the health gate closed', {
      runId: input.runId,
      wave: input.wave,
      reason: closed.reason,
    });
    return { runId: input.runId, shards: [], changed: false };
  }
  const before = session.view();
  const after = await startWave(before, input.wave, { ...deps, store: session });
  return { runId: input.runId, shards: [input.shard], changed: after !== before };
}

/**
 * `poll`: reads the running executions of one shard once, and starts again what a crash or a
 * transient failure left unstarted in a running wave (same ClientTokens).
 */
export async function poll(input: PollInput, deps: StepDeps): Promise<ShardStepOutput> {
  const session = await ShardSession.open(deps, input.runId, input.shard);
  const now = clock(deps);
  const before = session.view();
  let current = await pollRound(before, deps, now);
  if (current !== before) await session.put(current);
  if (!(session.head.dryRun || session.head.request.dryRun)) {
    for (const wave of session.head.waves) {
      if (wave.status === 'running') {
        const unstarted = current.locations.some(
          (l) => l.wave === wave.name && (l.status === 'planned' || l.status === 'starting'),
        );
        if (unstarted) current = await startWave(session.view(), wave.name, { ...deps, store: session });
      } else if (current.locations.some((l) => l.wave === wave.name && l.status === 'starting')) {
        // Halted while starts were in flight: those are answered (same ClientTokens), no new one is made.
        current = await startWave(session.view(), wave.name, { ...deps, store: session }, { onlyIntended: true });
      }
    }
  }
  return { runId: input.runId, shards: [input.shard], changed: current !== before };
}

/**
 * `settle`: once nothing runs, marks the shard's locations of halted waves halted and reads the
 * patch states of its instances that ran.
 */
export async function settle(input: SettleInput, deps: StepDeps): Promise<ShardStepOutput> {
  const session = await ShardSession.open(deps, input.runId, input.shard);
  const before = session.view();
  const halted = settleShardLocations(session.head, before.locations);
  let current: RunRecord = { ...before, locations: halted };
  current = await readPatchStates(current, deps, clock(deps));
  const changed = current.locations.some((l, i) => l !== before.locations[i]);
  if (changed) await session.put(current);
  // The retention of pre-patch snapshots (a request with Snapshot), in this shard's locations: best
  // effort, and repeating it deletes nothing twice.
  await deleteExpiredSnapshots(current, deps, clock(deps)());
  return { runId: input.runId, shards: changed ? [input.shard] : [], changed };
}

/**
 * `finish`: the run is over: its lease is released and its reports written.
 * @throws RunStoreError when locations are still to start or running (the engine called it early).
 */
export async function finish(input: FinishInput, deps: StepDeps): Promise<FinishOutput> {
  const manifest = await manifestOf(deps, input.runId);
  if (!manifest.dryRun && (anyRunning(manifest) || !FINISHED.has(manifest.status))) {
    throw new RunStoreError(
      `Run ${input.runId} is ${manifest.status} with locations still to start or running: it cannot finish yet.`,
    );
  }
  if (!manifest.dryRun) await deps.store.releaseLease(leaseScopeFor(manifest.organization), input.runId);
  await recordRunCompliance(manifest, deps);
  // From the shards, a pass at a time: the run is never assembled whole to be reported.
  const reports = await writeStoredReports(input.runId, deps.store);
  deps.onProgress?.({ phase: 'report', artifacts: Object.values(reports) });
  deps.logger?.info('Run finished', { runId: input.runId, status: manifest.status });
  const notification = JSON.stringify(runNotification(await summarizeStoredRun(deps.store, input.runId), reports));
  return { runId: input.runId, status: manifest.status, counts: manifest.counts, reports, notification };
}

/**
 * The summary of a stored run, built a shard at a time (for a run kept as a manifest and shards), or
 * from the whole record (a run recorded whole).
 */
export async function summarizeStoredRun(store: RunStore, runId: string): Promise<RunSummary> {
  const run = store.readShards ? await store.readShards(runId) : undefined;
  if (run === undefined) {
    const record = await store.get(runId);
    if (record === undefined) throw new RunNotFoundError(runId, 'the run store');
    return summarizeRun(record);
  }
  const builder = summaryBuilder(run.manifest);
  for await (const shard of run.shards()) for (const l of shard.locations) builder.add(l);
  return builder.summary();
}
