import { StoredDocumentError, type ValidationIssue } from './errors.js';
import type { AccountInfo } from './organization.js';
import { RunRecordError } from './planErrors.js';
import type { Plan, PlannedLocation } from './planModel.js';
import type { LocationOutcome, LocationStatus, RunRecord, WaveOutcome } from './runModel.js';

/**
 * A run record in parts, so that a store keeps a run of any size as small objects and rewrites only
 * the parts that changed: one **manifest** (everything but the locations, and an index of the
 * shards) and **shards**, each holding the plan locations and location outcomes of a bounded
 * batch of accounts. {@link splitRunRecord} cuts a record; {@link assembleRunRecord} puts it back
 * together, exactly.
 *
 * Where the cuts fall depends only on what never changes during a run (the plan's locations, their
 * groups and instances), so a change in one location changes one shard, whatever else happened.
 */

/** A shard as the manifest lists it: which accounts and how many locations it holds. */
export interface RunShardSummary {
  /** Its number: shards are numbered from 0 in record order. */
  readonly id: number;
  /** The account of its first location, and of its last (an account's locations are consecutive). */
  readonly firstAccountId: string;
  readonly lastAccountId: string;
  /** Distinct accounts in it. */
  readonly accounts: number;
  readonly locations: number;
}

/** How many of a wave's locations are in each status. */
export type WaveLocationCounts = { readonly wave: string } & { readonly [S in LocationStatus]: number };

/**
 * Everything in a run record but its locations (`plan.locations` and `locations`), with the
 * location counts per wave and status, and the index of the shards that hold the locations.
 */
export interface RunManifest {
  readonly schemaVersion: 2;
  readonly runId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly status: RunRecord['status'];
  readonly dryRun: boolean;
  readonly snapshotId: string;
  readonly idempotencyKey: string;
  readonly request: RunRecord['request'];
  readonly organization: RunRecord['organization'];
  readonly plan: Omit<Plan, 'locations'>;
  readonly waves: readonly WaveOutcome[];
  readonly compliance?: RunRecord['compliance'];
  /** Per wave (the record's waves in order, then any other wave a location names), by status. */
  readonly counts: readonly WaveLocationCounts[];
  readonly shards: readonly RunShardSummary[];
  /**
   * Present while a run planned a group at a time (the step engines) has groups left to plan: which
   * groups there are (each stored beside the manifest, see {@link RunPlanGroup}) and which are
   * planned. Gone once all are: the plan is whole.
   */
  readonly planning?: RunPlanning | InlineRunPlanning;
  /**
   * `steps` for a run kept by the step engines (a shard at a time): only they may write it, never a
   * writer of whole records, which would undo what their concurrent shard commits wrote.
   */
  readonly engine?: 'steps';
}

/**
 * The plan groups of a run planned a group at a time (see {@link RunManifest.planning}). Each group's
 * accounts are a {@link RunPlanGroup} of their own, written once before the manifest: the manifest
 * stays small while the run plans, whatever the size of the Organization.
 */
export interface RunPlanning {
  /** The account the orchestrator runs in (the blog's single account when the payload names no Organization part). */
  readonly callerAccountId: string;
  /** Group `n` is `groups[n]`: how many accounts it has and the hash of its stored text. */
  readonly groups: readonly RunPlanGroupEntry[];
  /** The numbers of the groups planned so far, ascending. */
  readonly planned: readonly number[];
}

/**
 * The plan groups as a manifest still planning kept them inline before plan groups were stored on
 * their own (every discovered account in the manifest): read, and planned, as they are.
 */
export interface InlineRunPlanning {
  readonly callerAccountId: string;
  /** The accounts discovery found, as it found them (their names, states and OU paths). */
  readonly accounts: readonly AccountInfo[];
  /** Group `n` is `groups[n]`: the ids of its accounts, in plan order. */
  readonly groups: readonly (readonly string[])[];
  readonly planned: readonly number[];
}

/** A plan group as the manifest lists it. */
export interface RunPlanGroupEntry {
  /** How many accounts it has. */
  readonly accounts: number;
  /** SHA-256 of its stored text, lowercase hex: the text read back must hash to it. */
  readonly sha256: string;
}

/**
 * One plan group of a run still planning: the accounts its `plan` step observes, written once, with
 * the manifest that lists it, and never changed.
 */
export interface RunPlanGroup {
  readonly schemaVersion: 2;
  readonly runId: string;
  /** Its number: the index of its entry in the manifest's `planning.groups`. */
  readonly group: number;
  /** Its accounts' ids, in plan order (an account the payload names that discovery did not find among them). */
  readonly accountIds: readonly string[];
  /** The accounts among them that discovery found, as it found them (names, states and OU paths). */
  readonly accounts: readonly AccountInfo[];
}

/** One shard: the plan locations and the location outcomes of its accounts, in record order. */
export interface RunShard {
  readonly schemaVersion: 2;
  readonly runId: string;
  readonly id: number;
  readonly plannedLocations: readonly PlannedLocation[];
  /** `locations[i]` is the outcome of `plannedLocations[i]`. */
  readonly locations: readonly LocationOutcome[];
}

/** A shard in a stored manifest: where its text is, by the manifest revision that wrote it and its hash. */
export interface StoredRunShardEntry extends RunShardSummary {
  /** The manifest revision that wrote this version of the shard. */
  readonly revision: number;
  /** SHA-256 of the shard's stored text, lowercase hex: the text read back must hash to it. */
  readonly sha256: string;
}

/** A manifest as a store keeps it: numbered by revision (1 for the first write), and its shards located. */
export interface StoredRunManifest extends Omit<RunManifest, 'shards'> {
  readonly revision: number;
  readonly shards: readonly StoredRunShardEntry[];
}

/** How {@link splitRunRecord} bounds a shard. */
export interface SplitRunRecordOptions {
  /** The most accounts in one shard. */
  readonly accountsPerShard: number;
  /**
   * The most bytes a shard may be estimated to reach by the end of the run (see
   * {@link estimatedLocationBytes}). An account estimated over it alone is spread over several
   * shards, a location at a time; a single location over it gets a shard of its own.
   */
  readonly estimatedBytesPerShard: number;
}

const KIB = 1024;

/**
 * What a location is estimated to take as JSON by the end of its run, from what never changes: 1 KiB
 * for the location itself (names, decision, status, reason), 1 KiB per target group (its execution,
 * intent and failure message), and 1 KiB per instance in each group (its id in the plan and its
 * result: child execution id, status, patch counts and a failure message of several hundred
 * characters). Measured with 200-character failure messages, a finished location takes about half
 * of that (the arithmetic is in the orchestrator's README, "Run store").
 */
function estimatedLocationBytes(location: PlannedLocation): number {
  let members = 0;
  for (const group of location.groups) members += group.instanceIds.length;
  return KIB * (1 + location.groups.length + Math.max(members, location.instanceCount));
}

/** Where one shard's locations start and end in the record (`end` excluded). */
interface Cut {
  readonly start: number;
  readonly end: number;
}

/**
 * The record's locations cut into shards: whole accounts, at most `accountsPerShard` of them and at
 * most `estimatedBytesPerShard`, except an account estimated over the budget alone, which is cut
 * between its locations.
 */
function cuts(planned: readonly PlannedLocation[], options: SplitRunRecordOptions): Cut[] {
  const budget = options.estimatedBytesPerShard;
  const weights = planned.map(estimatedLocationBytes);
  const out: Cut[] = [];
  let start = 0;
  let accounts = 0;
  let bytes = 0;
  const close = (end: number): void => {
    if (end > start) out.push({ start, end });
    start = end;
    accounts = 0;
    bytes = 0;
  };
  let i = 0;
  while (i < planned.length) {
    const accountId = planned[i]?.accountId;
    let end = i;
    let accountBytes = 0;
    while (end < planned.length && planned[end]?.accountId === accountId) {
      accountBytes += weights[end] ?? 0;
      end += 1;
    }
    if (accountBytes > budget) {
      close(i);
      for (let k = i; k < end; k += 1) {
        const weight = weights[k] ?? 0;
        if (k > start && bytes + weight > budget) close(k);
        bytes += weight;
      }
      close(end);
    } else {
      if (accounts >= options.accountsPerShard || bytes + accountBytes > budget) close(i);
      accounts += 1;
      bytes += accountBytes;
    }
    i = end;
  }
  close(planned.length);
  return out;
}

/** The record's locations must be its plan's, one for one, as createRunRecord makes them. */
function assertOneForOne(record: RunRecord): void {
  const planned = record.plan.locations;
  const outcomes = record.locations;
  if (planned.length !== outcomes.length) {
    throw new RunRecordError(
      record.runId,
      `it holds ${outcomes.length} location outcomes for ${planned.length} plan locations, so it cannot be split into shards: a record's outcomes follow its plan one for one`,
    );
  }
  const at = planned.findIndex((p, i) => p.accountId !== outcomes[i]?.accountId || p.region !== outcomes[i]?.region);
  if (at >= 0) {
    throw new RunRecordError(
      record.runId,
      `location ${at} is account ${outcomes[at]?.accountId}, Region ${outcomes[at]?.region}, but plan location ${at} is account ${planned[at]?.accountId}, Region ${planned[at]?.region}, so it cannot be split into shards: a record's outcomes follow its plan one for one`,
    );
  }
}

function summaryOf(shard: RunShard): Omit<RunShardSummary, 'id'> {
  const ids = shard.locations.map((l) => l.accountId);
  return {
    firstAccountId: ids[0] ?? '',
    lastAccountId: ids[ids.length - 1] ?? '',
    accounts: new Set(ids).size,
    locations: ids.length,
  };
}

export const LOCATION_STATUSES: readonly LocationStatus[] = [
  'planned',
  'starting',
  'skipped',
  'started',
  'succeeded',
  'failed',
  'halted',
];

/** Location counts per wave and status: the record's waves in order, then other waves in order of appearance. */
export function countsByWave(
  waves: readonly WaveOutcome[],
  locations: readonly LocationOutcome[],
): WaveLocationCounts[] {
  const byWave = new Map<string, Record<LocationStatus, number>>();
  const zero = (): Record<LocationStatus, number> =>
    Object.fromEntries(LOCATION_STATUSES.map((s) => [s, 0])) as Record<LocationStatus, number>;
  for (const wave of waves) if (!byWave.has(wave.name)) byWave.set(wave.name, zero());
  for (const location of locations) {
    let counts = byWave.get(location.wave);
    if (counts === undefined) {
      counts = zero();
      byWave.set(location.wave, counts);
    }
    counts[location.status] += 1;
  }
  return [...byWave].map(([wave, counts]) => ({ wave, ...counts }));
}

/**
 * Cuts a run record into a manifest and shards (see {@link RunManifest}, {@link RunShard}).
 * {@link assembleRunRecord} gives the record back.
 *
 * @throws RunRecordError when the record's location outcomes do not follow its plan locations one
 *   for one (a record made by createRunRecord and its updates always does).
 * @example
 * const { manifest, shards } = splitRunRecord(record, { accountsPerShard: 100, estimatedBytesPerShard: 4 * 1024 ** 2 });
 */
export function splitRunRecord(
  record: RunRecord,
  options: SplitRunRecordOptions,
): { readonly manifest: RunManifest; readonly shards: readonly RunShard[] } {
  if (!(Number.isInteger(options.accountsPerShard) && options.accountsPerShard >= 1)) {
    throw new RangeError(`accountsPerShard must be a whole number of at least 1, not ${options.accountsPerShard}`);
  }
  if (!(options.estimatedBytesPerShard > 0)) {
    throw new RangeError(`estimatedBytesPerShard must be positive, not ${options.estimatedBytesPerShard}`);
  }
  assertOneForOne(record);
  const shards: RunShard[] = cuts(record.plan.locations, options).map((cut, id) => ({
    schemaVersion: 2,
    runId: record.runId,
    id,
    plannedLocations: record.plan.locations.slice(cut.start, cut.end),
    locations: record.locations.slice(cut.start, cut.end),
  }));
  const { locations: _planned, ...plan } = record.plan;
  const { schemaVersion: _v1, plan: _plan, locations, ...head } = record;
  return {
    manifest: {
      ...head,
      schemaVersion: 2,
      plan,
      counts: countsByWave(record.waves, locations),
      shards: shards.map((shard) => ({ id: shard.id, ...summaryOf(shard) })),
    },
    shards,
  };
}

/** A place where the shards disagree with the manifest, or `undefined`. */
function shardIssue(
  entry: RunShardSummary,
  shard: RunShard | undefined,
  runId: string,
  index: number,
): ValidationIssue | undefined {
  const path = `shards[${index}]`;
  if (shard === undefined) return { path, message: 'is listed, but its shard was not given' };
  if (shard.id !== entry.id || shard.runId !== runId) {
    return {
      path,
      message: `lists shard ${entry.id} of run ${JSON.stringify(runId)}, but was given shard ${shard.id} of run ${JSON.stringify(shard.runId)}`,
    };
  }
  const held = summaryOf(shard);
  const differs = (Object.keys(held) as (keyof typeof held)[]).filter((k) => held[k] !== entry[k]);
  if (differs.length === 0) return undefined;
  return {
    path: `${path}.${differs[0]}`,
    message: `is ${JSON.stringify(entry[differs[0] as keyof typeof held])}, but the shard holds ${JSON.stringify(held[differs[0] as keyof typeof held])}`,
    hint: 'the manifest and its shards were not written together',
  };
}

/** Where the manifest's counts differ from the counts of what the shards hold, or `undefined`. */
function countsIssue(
  said: readonly WaveLocationCounts[],
  held: readonly WaveLocationCounts[],
): ValidationIssue | undefined {
  const hint = 'the manifest and its shards were not written together';
  for (let i = 0; i < Math.max(said.length, held.length); i += 1) {
    const a = said[i];
    const b = held[i];
    if (a === undefined || b === undefined || a.wave !== b.wave) {
      return {
        path: `counts[${i}].wave`,
        message: `is ${JSON.stringify(a?.wave ?? null)}, but the shards hold ${b === undefined ? 'no further wave' : `wave ${JSON.stringify(b.wave)}`}`,
        hint,
      };
    }
    const status = LOCATION_STATUSES.find((s) => a[s] !== b[s]);
    if (status !== undefined) {
      return { path: `counts[${i}].${status}`, message: `is ${a[status]}, but the shards hold ${b[status]}`, hint };
    }
  }
  return undefined;
}

/**
 * The run record a manifest and its shards hold: the inverse of {@link splitRunRecord}. Checks that
 * the shards are the ones the manifest lists, in order, with the accounts and locations it says,
 * and that its counts per wave and status are what the shards hold.
 *
 * @param source where the manifest was read, for the error.
 * @throws StoredDocumentError naming `source` when the shards and the manifest disagree.
 */
export function assembleRunRecord(
  manifest: RunManifest,
  shards: readonly RunShard[],
  source = `the manifest of run ${manifest.runId}`,
): RunRecord {
  const issues: ValidationIssue[] = [];
  manifest.shards.forEach((entry, i) => {
    const issue = shardIssue(entry, shards[i], manifest.runId, i);
    if (issue !== undefined) issues.push(issue);
  });
  if (shards.length > manifest.shards.length) {
    issues.push({ path: 'shards', message: `lists ${manifest.shards.length} shards, but ${shards.length} were given` });
  }
  const plannedLocations = shards.flatMap((s) => s.plannedLocations);
  const locations = shards.flatMap((s) => s.locations);
  if (issues.length === 0) {
    const issue = countsIssue(manifest.counts, countsByWave(manifest.waves, locations));
    if (issue !== undefined) issues.push(issue);
  }
  if (issues.length > 0) throw new StoredDocumentError('run record', source, issues);
  return { ...recordHeadOf(manifest, plannedLocations), locations };
}

/**
 * The record a manifest describes, without its locations, keys in the order of a stored record:
 * `plannedLocations` keeps its place between the plan's waves and counts (a renderer that streams
 * the arrays passes a placeholder).
 */
export function recordHeadOf<T>(manifest: RunManifest, plannedLocations: T) {
  return {
    schemaVersion: 1 as const,
    runId: manifest.runId,
    createdAt: manifest.createdAt,
    updatedAt: manifest.updatedAt,
    status: manifest.status,
    dryRun: manifest.dryRun,
    snapshotId: manifest.snapshotId,
    idempotencyKey: manifest.idempotencyKey,
    request: manifest.request,
    organization: manifest.organization,
    plan: { waves: manifest.plan.waves, locations: plannedLocations, counts: manifest.plan.counts },
    waves: manifest.waves,
    ...(manifest.compliance === undefined ? {} : { compliance: manifest.compliance }),
  };
}
