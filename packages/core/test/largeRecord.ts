import { DEFAULT_WAVE_NAME } from '../src/plan.js';
import type { PlannedLocation } from '../src/planModel.js';
import { REGIONS as REGION_TABLE } from '../src/regions.js';
import type { LocationOutcome, RunRecord } from '../src/runModel.js';
import { makeRequest } from './plan.fixtures.js';

/** The 16 first Regions enabled by default in the aws partition (core's Region table). */
const REGIONS = REGION_TABLE.filter((r) => r.partition === 'aws' && !r.optIn)
  .slice(0, 16)
  .map((r) => r.code);

/** How {@link largeRunRecord} shapes a run. */
export interface LargeRunShape {
  readonly accounts: number;
  /** How many Regions (at most 16). */
  readonly regions: number;
  /** Every n-th location failed (one instance failed); the one after it halted. */
  readonly failEvery: number;
}

/** One account's plan locations and outcomes, `a`-th of the run: the i-th location of the run is account `a`'s Region `i % regions`. */
function accountLocations(
  a: number,
  regions: readonly string[],
  failEvery: number,
): { planned: PlannedLocation[]; locations: LocationOutcome[] } {
  const planned: PlannedLocation[] = [];
  const locations: LocationOutcome[] = [];
  const accountId = accountIdAt(a);
  const ouPath = ['r-ab12', `ou-ab12-team${String(a % 20).padStart(4, '0')}`];
  const accountName = `workload-${a}`;
  for (const [r, region] of regions.entries()) {
    const i = a * regions.length + r;
    const base = { accountId, accountName, region, wave: DEFAULT_WAVE_NAME };
    if (i % 5 === 4) {
      const decision = { action: 'skip' as const, reason: 'no-instances' as const, detail: 'WebServers is empty' };
      planned.push({
        ...base,
        groups: [{ name: 'WebServers', exists: true, instanceIds: [] }],
        instanceCount: 0,
        decision,
      });
      locations.push({
        ...base,
        ouPath,
        instanceCount: 0,
        decision,
        status: 'skipped',
        reason: 'No instances.',
        executions: [],
      });
      continue;
    }
    const instanceIds = [0, 1, 2].map((k) => `i-${accountId.slice(-6)}${String(i).padStart(6, '0')}${k}`);
    const decision = { action: 'start' as const, groups: ['WebServers'] };
    planned.push({
      ...base,
      groups: [{ name: 'WebServers', exists: true, instanceIds }],
      instanceCount: 3,
      decision,
    });
    const failed = i % failEvery === 0;
    const halted = i % failEvery === 1;
    if (halted) {
      locations.push({
        ...base,
        ouPath,
        instanceCount: 3,
        decision,
        status: 'halted',
        reason: 'Wave "default" exceeded its error threshold.',
        executions: [],
      });
      continue;
    }
    const executionId = `exec-${String(i).padStart(10, '0')}`;
    locations.push({
      ...base,
      ouPath,
      instanceCount: 3,
      decision,
      status: failed ? 'failed' : 'succeeded',
      ...(failed ? { reason: 'The automation execution failed: step PatchLinux failed on 1 instance.' } : {}),
      executions: [
        {
          executionId,
          clientToken: `tok-${i}`,
          group: 'WebServers',
          status: failed ? 'Failed' : 'Success',
          startedAt: '2026-03-01T00:01:00.000Z',
          endedAt: '2026-03-01T00:09:00.000Z',
          instances: instanceIds.map((instanceId, k) => ({
            instanceId,
            executionId: `${executionId}-${k}`,
            status: failed && k === 0 ? 'Failed' : 'Success',
            ...(failed && k === 0 ? { failureMessage: 'exit code 1: yum could not reach its repository' } : {}),
            patch: {
              operation: 'Install',
              installedCount: 40,
              missingCount: 0,
              failedCount: failed && k === 0 ? 2 : 0,
              installedPendingRebootCount: 0,
            },
          })),
        },
      ],
    });
  }
  return { planned, locations };
}

function accountIdAt(a: number): string {
  return String(100_000_000_000 + a * 7);
}

/** A run of {@link largeRunShards}: its record without the locations, and passes over its shards. */
export interface LargeRun {
  readonly head: Omit<RunRecord, 'plan' | 'locations'> & { readonly plan: Omit<RunRecord['plan'], 'locations'> };
  /** A pass over the run's shards, each made when it is reached: the run is never whole in memory. */
  readonly shards: () => Generator<{ plannedLocations: PlannedLocation[]; locations: LocationOutcome[] }>;
  /** How many locations are in `status` (failed and halted), and how many there are. */
  readonly counts: { readonly failed: number; readonly halted: number; readonly locations: number };
}

/**
 * The run of {@link largeRunRecord}, made a shard of `accountsPerShard` accounts at a time: what it
 * keeps is its head (with every account id, in the plan's wave) and the counts, computed without
 * making a location.
 */
export function largeRunShards(shape: LargeRunShape, accountsPerShard = 100): LargeRun {
  const regions = REGIONS.slice(0, shape.regions);
  const request = makeRequest({ regions });
  const accountIds = Array.from({ length: shape.accounts }, (_, a) => accountIdAt(a));
  const total = shape.accounts * regions.length;
  let failed = 0;
  let halted = 0;
  let skipped = 0;
  for (let i = 0; i < total; i += 1) {
    if (i % 5 === 4) skipped += 1;
    else if (i % shape.failEvery === 0) failed += 1;
    else if (i % shape.failEvery === 1) halted += 1;
  }
  const start = total - skipped;
  const status = failed > 0 ? 'halted' : 'succeeded';
  return {
    head: {
      schemaVersion: 1,
      runId: `run-large-${shape.accounts}`,
      createdAt: '2026-03-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:10:00.000Z',
      status,
      dryRun: false,
      snapshotId: '6a1e0b5d-2d35-4c8b-9a52-4a5c6b7d8e9f',
      idempotencyKey: `run-large-${shape.accounts}`,
      request,
      organization: { organizationId: 'o-example', managementAccountId: '111111111111', partition: 'aws' },
      plan: {
        waves: [{ name: DEFAULT_WAVE_NAME, errorThreshold: request.maxErrors, accountIds }],
        counts: { locations: total, start, skip: skipped, fail: 0, instances: 3 * start },
      },
      waves: [{ name: DEFAULT_WAVE_NAME, status }],
    },
    shards: function* () {
      for (let first = 0; first < shape.accounts; first += accountsPerShard) {
        const plannedLocations: PlannedLocation[] = [];
        const locations: LocationOutcome[] = [];
        for (let a = first; a < Math.min(shape.accounts, first + accountsPerShard); a += 1) {
          const account = accountLocations(a, regions, shape.failEvery);
          plannedLocations.push(...account.planned);
          locations.push(...account.locations);
        }
        yield { plannedLocations, locations };
      }
    },
    counts: { failed, halted, locations: total },
  };
}

/**
 * A finished run of any size, made directly (no plan is built, no sandbox): accounts in 20 OUs under
 * the root, 3 instances a location patched, every 5th location skipped for having no instances, every
 * `failEvery`-th failed with one failed instance and the next one halted.
 */
export function largeRunRecord(shape: LargeRunShape): RunRecord {
  const run = largeRunShards(shape);
  const planned: PlannedLocation[] = [];
  const locations: LocationOutcome[] = [];
  for (const shard of run.shards()) {
    for (const p of shard.plannedLocations) planned.push(p);
    for (const l of shard.locations) locations.push(l);
  }
  const { head } = run;
  return { ...head, plan: { waves: head.plan.waves, locations: planned, counts: head.plan.counts }, locations };
}
