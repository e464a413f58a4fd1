import type { OrganizationSnapshot } from './organization.js';
import { decideNextWave, planGroups, type WaveDecision, type WaveTally } from './plan.js';
import { RunRecordError } from './planErrors.js';
import type { Plan, PlanCounts } from './planModel.js';
import type { LocationOutcome, LocationStatus, RunRecord, RunStatus, WaveOutcome, WaveStatus } from './runModel.js';
import { type CreateRunRecordInput, createRunRecord } from './runRecord.js';
import {
  countsByWave,
  type InlineRunPlanning,
  LOCATION_STATUSES,
  type RunManifest,
  type RunPlanGroup,
  type RunPlanning,
  type RunShard,
  recordHeadOf,
  type SplitRunRecordOptions,
  splitRunRecord,
  type WaveLocationCounts,
} from './runShards.js';

/**
 * A sharded run moved forward from its manifest alone: the step engines never hold a whole run.
 * A shard step works on the run as one shard sees it ({@link shardView}), and the manifest learns
 * what changed through the shard's counts ({@link countsDelta}, {@link withCounts}); the waves'
 * and the run's statuses derive from the counts, as a whole record's derive from its locations.
 */

type Head = Omit<RunManifest, 'shards'>;

/** The counts of `after` minus the counts of `before`, per wave and status (waves in `waves` order first). */
export function countsDelta(
  waves: readonly WaveOutcome[],
  before: readonly LocationOutcome[],
  after: readonly LocationOutcome[],
): WaveLocationCounts[] {
  const was = new Map(countsByWave(waves, before).map((c) => [c.wave, c]));
  return countsByWave(waves, after).map((now) => {
    const then = was.get(now.wave);
    const out: Record<string, number | string> = { wave: now.wave };
    for (const s of LOCATION_STATUSES) out[s] = now[s] - (then?.[s] ?? 0);
    return out as WaveLocationCounts;
  });
}

/** `counts` plus `delta`, wave by wave (a wave new to `counts` is added after the others). */
export function addCounts(
  counts: readonly WaveLocationCounts[],
  delta: readonly WaveLocationCounts[],
): WaveLocationCounts[] {
  const sums = new Map<string, Record<LocationStatus, number>>();
  const zero = (): Record<LocationStatus, number> =>
    Object.fromEntries(LOCATION_STATUSES.map((s) => [s, 0])) as Record<LocationStatus, number>;
  for (const c of [...counts, ...delta]) {
    let sum = sums.get(c.wave);
    if (sum === undefined) {
      sum = zero();
      sums.set(c.wave, sum);
    }
    for (const s of LOCATION_STATUSES) sum[s] += c[s];
  }
  return [...sums].map(([wave, sum]) => ({ wave, ...sum }));
}

const ACTIVE: readonly LocationStatus[] = ['planned', 'starting', 'started'];

/** Whether any location counted in `c` is still to start or running. */
function active(c: WaveLocationCounts | undefined): boolean {
  return c !== undefined && ACTIVE.some((s) => c[s] > 0);
}

/**
 * The manifest with new counts, its waves and status derived from them as a whole record's are
 * from its locations: a running wave ends (succeeded, or failed when a location failed) once none of
 * its locations is planned, starting or started.
 */
export function withCounts<M extends Head>(manifest: M, counts: readonly WaveLocationCounts[], now: Date): M {
  const byWave = new Map(counts.map((c) => [c.wave, c]));
  const waves = manifest.waves.map((wave): WaveOutcome => {
    if (wave.status !== 'running') return wave;
    const c = byWave.get(wave.name);
    if (active(c)) return wave;
    const status: WaveStatus = (c?.failed ?? 0) > 0 ? 'failed' : 'succeeded';
    return { ...wave, status, endedAt: now.toISOString() };
  });
  return { ...manifest, counts, waves, status: runStatusOf(waves, counts), updatedAt: now.toISOString() };
}

/** The run's status from its waves and counts (see deriveRunStatus, which reads the locations). */
function runStatusOf(waves: readonly WaveOutcome[], counts: readonly WaveLocationCounts[]): RunStatus {
  const statuses = waves.map((w) => w.status);
  if (statuses.every((s) => s === 'pending')) return 'planned';
  if (statuses.includes('running')) return 'running';
  if (statuses.includes('halted')) return 'halted';
  if (statuses.includes('pending')) return 'running';
  if (counts.some((c) => c.failed > 0) || statuses.includes('failed')) return 'failed';
  return 'succeeded';
}

/** The tally of each wave from the manifest's counts: every location but the skipped ones were to run. */
function tallyOf(manifest: Head): (wave: string) => WaveTally {
  const byWave = new Map(manifest.counts.map((c) => [c.wave, c]));
  return (wave) => {
    const c = byWave.get(wave);
    if (c === undefined) return { failed: 0, total: 0 };
    let total = 0;
    for (const s of LOCATION_STATUSES) if (s !== 'skipped') total += c[s];
    return { failed: c.failed, total };
  };
}

/** nextWaveDecision from the manifest's counts; `wait` while the run still has groups to plan. */
export function nextManifestDecision(manifest: Head): WaveDecision {
  if (manifest.planning !== undefined) return { action: 'wait' };
  return decideNextWave(manifest, tallyOf(manifest));
}

/** Marks a pending wave running in the manifest; a wave with nothing to start ends at once (from its counts). */
export function markManifestWaveRunning<M extends Head>(manifest: M, wave: string, now: Date): M {
  const current = manifest.waves.find((w) => w.name === wave);
  if (current === undefined) throw new RunRecordError(manifest.runId, `there is no wave "${wave}"`);
  if (current.status === 'running') return manifest;
  if (current.status !== 'pending') {
    throw new RunRecordError(manifest.runId, `wave "${wave}" is ${current.status} and cannot start again`);
  }
  const waves = manifest.waves.map((w) =>
    w.name === wave
      ? {
          name: w.name,
          status: 'running' as const,
          ...(w.held !== undefined ? { held: { ...w.held, until: now.toISOString() } } : {}),
        }
      : w,
  );
  return withCounts({ ...manifest, waves }, manifest.counts, now);
}

/**
 * Halts `fromWave` and every pending wave after it, with `reason`; `fromWave` itself too when it is
 * running (a health gate closed while it ran: its starts that remain are not made). Their planned
 * locations are marked halted shard by shard ({@link settleShardLocations}).
 */
export function haltManifestWaves<M extends Head>(manifest: M, fromWave: string, reason: string, now: Date): M {
  const from = manifest.waves.findIndex((w) => w.name === fromWave);
  if (from < 0) throw new RunRecordError(manifest.runId, `there is no wave "${fromWave}"`);
  const waves = manifest.waves.map((w, i) =>
    i < from || !(w.status === 'pending' || (i === from && w.status === 'running'))
      ? w
      : { name: w.name, status: 'halted' as const, reason, ...(w.held !== undefined ? { held: w.held } : {}) },
  );
  return withCounts({ ...manifest, waves }, manifest.counts, now);
}

/** The run as one shard sees it: the manifest's head with the shard's locations (for the run logic of a record). */
export function shardView(manifest: Head, shard: Pick<RunShard, 'plannedLocations' | 'locations'>): RunRecord {
  return { ...recordHeadOf(manifest as RunManifest, shard.plannedLocations), locations: shard.locations };
}

/** The shard's locations of halted waves that never started, halted with their wave's reason. */
export function settleShardLocations(manifest: Head, locations: readonly LocationOutcome[]): LocationOutcome[] {
  const halted = new Map(manifest.waves.filter((w) => w.status === 'halted').map((w) => [w.name, w.reason]));
  return locations.map((l) => {
    if (l.status !== 'planned' || !halted.has(l.wave)) return l;
    const reason = halted.get(l.wave);
    return { ...l, status: 'halted' as const, ...(reason !== undefined ? { reason } : {}) };
  });
}

/** The sum of two plan counts (the plans of two groups). */
function addPlanCounts(a: PlanCounts, b: PlanCounts): PlanCounts {
  return {
    locations: a.locations + b.locations,
    start: a.start + b.start,
    skip: a.skip + b.skip,
    fail: a.fail + b.fail,
    instances: a.instances + b.instances,
  };
}

/** What {@link beginShardedRun} needs: a run record's identity, and what discovery found. */
export interface BeginShardedRunInput extends Omit<CreateRunRecordInput, 'plan'> {
  /** The most accounts in one plan group. */
  readonly accountsPerGroup: number;
}

/** A run planned a group at a time, as {@link beginShardedRun} makes it: its manifest and its plan groups. */
export interface BegunShardedRun {
  /**
   * Its waves assigned, no location yet; while there are groups to plan, `planning` with no group
   * listed: the store lists each of `groups` in it as it writes them (see ShardedRunStore.create).
   */
  readonly manifest: RunManifest;
  /** The plan groups, in plan order: each a batch of at most `accountsPerGroup` accounts. */
  readonly groups: readonly RunPlanGroup[];
}

/**
 * A run that is planned a group at a time: its manifest (waves assigned, no location yet) and its
 * plan groups, each holding the accounts one `plan` step observes. Without any account to plan (a
 * scope that matched none), the manifest has no `planning`: the plan is whole, and empty.
 */
export function beginShardedRun(input: BeginShardedRunInput): BegunShardedRun {
  const { waves, groups } = planGroups(input.request, input.organization, input.accountsPerGroup);
  const head = createRunRecord({
    ...input,
    plan: { waves, locations: [], counts: { locations: 0, start: 0, skip: 0, fail: 0, instances: 0 } },
  });
  const { manifest } = splitRunRecord(head, { accountsPerShard: 1, estimatedBytesPerShard: 1 });
  const byId = new Map(input.organization.accounts.map((a) => [a.id, a]));
  const planGroupsOf = groups.map(
    (accountIds, group): RunPlanGroup => ({
      schemaVersion: 2,
      runId: input.runId,
      group,
      accountIds,
      accounts: accountIds.flatMap((id) => {
        const found = byId.get(id);
        return found === undefined ? [] : [found];
      }),
    }),
  );
  return {
    manifest: {
      ...manifest,
      engine: 'steps',
      ...(groups.length === 0
        ? {}
        : { planning: { callerAccountId: input.organization.callerAccountId, groups: [], planned: [] } }),
    },
    groups: planGroupsOf,
  };
}

/** Whether a manifest's plan groups are the inline ones of a manifest written before plan groups were stored on their own. */
export function isInlinePlanning(planning: RunPlanning | InlineRunPlanning): planning is InlineRunPlanning {
  return 'accounts' in planning;
}

/**
 * The plan group `group` of a manifest that keeps its groups inline (see {@link InlineRunPlanning}),
 * as a stored plan group: what {@link groupOrganization} reads.
 */
export function inlinePlanGroup(manifest: Head, planning: InlineRunPlanning, group: number): RunPlanGroup {
  const accountIds = planning.groups[group] ?? [];
  const ids = new Set(accountIds);
  return {
    schemaVersion: 2,
    runId: manifest.runId,
    group,
    accountIds,
    accounts: planning.accounts.filter((a) => ids.has(a.id)),
  };
}

/**
 * The Organization as plan group `group` sees it, for {@link buildPlan} and {@link requiredInventory}
 * with `onlyAccounts`: the group's discovered accounts only (an account's wave, and the accounts a
 * plan inspects, depend on the account alone). `planGroup` is the group as stored.
 * @throws RunRecordError naming the run and the group when the manifest is not planning that group.
 */
export function groupOrganization(
  manifest: Head,
  group: number,
  planGroup: RunPlanGroup,
): { readonly organization: OrganizationSnapshot; readonly onlyAccounts: ReadonlySet<string> } {
  const planning = manifest.planning;
  if (planning === undefined || planning.groups[group] === undefined || planGroup.group !== group) {
    throw new RunRecordError(
      manifest.runId,
      planning === undefined
        ? `it is planned already, so there is no group ${group} to plan`
        : `it has ${planning.groups.length} plan groups, not a group ${group}`,
    );
  }
  return {
    organization: {
      ...(manifest.organization.organizationId !== undefined
        ? { organizationId: manifest.organization.organizationId }
        : {}),
      managementAccountId: manifest.organization.managementAccountId,
      callerAccountId: planning.callerAccountId,
      partition: manifest.organization.partition,
      accounts: planGroup.accounts,
    },
    onlyAccounts: new Set(planGroup.accountIds),
  };
}

/** The most shards one plan group may be cut into (a shard of one location each, for a group of 100 accounts in 100 Regions). */
const SHARDS_PER_GROUP = 10_000;

/**
 * The shards of one planned group: its plan's locations as a new run's, cut within `bounds`, numbered
 * `group * SHARDS_PER_GROUP + n` so that the shards of all groups, in group order, are in plan order.
 */
export function groupShards(
  manifest: Head,
  group: number,
  organization: OrganizationSnapshot,
  plan: Plan,
  bounds: SplitRunRecordOptions,
): RunShard[] {
  const record = createRunRecord({
    runId: manifest.runId,
    createdAt: new Date(manifest.createdAt),
    snapshotId: manifest.snapshotId,
    idempotencyKey: manifest.idempotencyKey,
    request: manifest.request,
    // With the discovered accounts: each location keeps its account's OU path (the reports roll up by OU).
    organization,
    plan,
  });
  const { shards } = splitRunRecord(record, bounds);
  if (shards.length > SHARDS_PER_GROUP) {
    throw new RunRecordError(
      manifest.runId,
      `plan group ${group} needs ${shards.length} shards, more than ${SHARDS_PER_GROUP}`,
    );
  }
  return shards.map((s) => ({ ...s, id: group * SHARDS_PER_GROUP + s.id }));
}

/**
 * The manifest once group `group` is planned: its shards listed (after the groups before it), its plan
 * counts and location counts added, and `planning` gone once every group is planned.
 */
export function withPlannedGroup<M extends Head & { readonly shards: readonly { readonly id: number }[] }>(
  manifest: M,
  group: number,
  plan: Plan,
  shards: readonly RunShard[],
  now: Date,
): M {
  const planning = manifest.planning;
  if (planning === undefined || planning.planned.includes(group)) return manifest;
  const planned = [...planning.planned, group].sort((a, b) => a - b);
  const counts = addCounts(
    manifest.counts,
    countsByWave(
      manifest.waves,
      shards.flatMap((s) => s.locations),
    ),
  );
  const { planning: _done, ...rest } = manifest;
  const next = {
    ...rest,
    plan: { ...manifest.plan, counts: addPlanCounts(manifest.plan.counts, plan.counts) },
    ...(planned.length === planning.groups.length ? {} : { planning: { ...planning, planned } }),
  } as M;
  return withCounts(next, counts, now);
}

/** A CloudWatch alarm's state as a health gate reads it. */
export interface AlarmState {
  readonly name: string;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly reason: string;
  readonly updatedAt?: string;
}

/** The alarms that gate `wave`: those named by it and by every wave before it, in order, once each. */
export function gatingAlarms(manifest: Pick<Head, 'request' | 'waves'>, wave: string): string[] {
  const specs = new Map((manifest.request.organization?.waves ?? []).map((w) => [w.name, w]));
  const names = new Set<string>();
  for (const w of manifest.waves) {
    for (const name of specs.get(w.name)?.alarms ?? []) names.add(name);
    if (w.name === wave) break;
  }
  return [...names];
}

/** Every alarm the request's waves name, once each. */
export function requestAlarms(request: Head['request']): string[] {
  return [...new Set((request.organization?.waves ?? []).flatMap((w) => w.alarms ?? []))];
}

/** Why a health gate is closed: an alarm in ALARM, or one that no longer exists. */
export interface ClosedGate {
  readonly kind: 'alarm' | 'missing';
  readonly alarm: string;
  /** In words, with the alarm's name and state reason. */
  readonly reason: string;
}

/**
 * Why a health gate is closed, or undefined when it is open: the first of `alarms` that no longer
 * exists (a gate never passes on an alarm it cannot see), else the first in ALARM (its name and
 * state reason).
 */
export function closedGate(
  alarms: readonly string[],
  states: ReadonlyMap<string, AlarmState>,
  wave: string,
): ClosedGate | undefined {
  const missing = alarms.find((name) => !states.has(name));
  if (missing !== undefined) {
    return {
      kind: 'missing',
      alarm: missing,
      reason: `Health gate of wave "${wave}": alarm "${missing}" no longer exists, so its state cannot be known`,
    };
  }
  for (const name of alarms) {
    const state = states.get(name);
    if (state?.state === 'ALARM') {
      return {
        kind: 'alarm',
        alarm: name,
        reason: `Health gate of wave "${wave}": alarm "${name}" is in ALARM (${state.reason})`,
      };
    }
  }
  return undefined;
}

/**
 * A pending wave held by its closed gate: the reason is kept on the wave (reports show it) until the
 * gate opens and the wave starts. Unchanged when it already says so.
 */
export function holdManifestWave<M extends Head>(manifest: M, wave: string, reason: string, now: Date): M {
  if (manifest.waves.some((w) => w.name === wave && w.reason === reason)) return manifest;
  const since = now.toISOString();
  const waves = manifest.waves.map((w) =>
    w.name === wave && w.status === 'pending'
      ? { name: w.name, status: w.status, reason, held: { reason, since: w.held?.since ?? since } }
      : w,
  );
  return { ...manifest, waves, updatedAt: now.toISOString() };
}

/**
 * How long `wave` must still wait for the bake time of the wave before it (from that wave's end), in
 * milliseconds; 0 when it need not.
 */
export function bakeRemainingMs(manifest: Pick<Head, 'request' | 'waves'>, wave: string, now: Date): number {
  const index = manifest.waves.findIndex((w) => w.name === wave);
  const before = index > 0 ? manifest.waves[index - 1] : undefined;
  if (before?.endedAt === undefined) return 0;
  const minutes = manifest.request.organization?.waves.find((w) => w.name === before.name)?.bakeMinutes ?? 0;
  return Math.max(0, Date.parse(before.endedAt) + minutes * 60_000 - now.getTime());
}
