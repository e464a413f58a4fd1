import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccountInfo,
  type AutomationStatus,
  applyLocationEvents,
  assembleRunRecord,
  buildPlan,
  createRunRecord,
  haltWaves,
  type InventoryObservation,
  type LocationEvent,
  locationKey,
  markWaveRunning,
  parsePayload,
  parseRunManifest,
  parseRunShard,
  type RunRecord,
  type RunShard,
  StoredDocumentError,
  type StoredRunManifest,
  splitRunRecord,
} from '../src/index.js';
import { RunRecordError } from '../src/planErrors.js';
import type { RunManifest } from '../src/runShards.js';
import { account, groups, inventoryError, makeOrg, makeRequest, makeScope } from './plan.fixtures.js';

const T0 = new Date('2026-03-01T00:00:00Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
const REGIONS = ['us-east-1', 'us-east-2', 'eu-west-1', 'ap-south-1'];
const KIB = 1024;

/** What one location of a generated Organization holds. */
const observation: fc.Arbitrary<InventoryObservation> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 40 }).map((n) => instancesIn('WebServers', n)) },
  { weight: 1, arbitrary: fc.constant(groups({ WebServers: null, DbServers: null })) },
  { weight: 1, arbitrary: fc.constant(inventoryError('access-denied', 'AccessDeniedException', 'denied')) },
);

function instancesIn(group: string, n: number): InventoryObservation {
  return groups({ [group]: Array.from({ length: n }, (_, i) => `i-${String(i).padStart(17, '0')}`), DbServers: [] });
}

/** A generated run: an Organization, its plan and record, then starts, states and halts applied. */
const runRecordArbitrary: fc.Arbitrary<RunRecord> = fc
  .record({
    accounts: fc.integer({ min: 0, max: 12 }),
    regions: fc.subarray(REGIONS, { minLength: 1 }),
    waves: fc.boolean(),
    suspended: fc.integer({ min: 0, max: 11 }),
    observations: fc.array(observation, { minLength: 48, maxLength: 48 }),
    progress: fc.array(fc.constantFrom('intend', 'start', 'end', 'fail', 'patch', 'none'), {
      minLength: 48,
      maxLength: 48,
    }),
    halt: fc.boolean(),
  })
  .map((g) => {
    const ids = Array.from({ length: g.accounts }, (_, i) => String(222_222_222_222 + i * 7));
    const accounts: AccountInfo[] = ids.map((id, i) =>
      account(
        id,
        ['r-root', i % 2 === 0 ? 'ou-ab12-dev00001' : 'ou-ab12-prod0001'],
        i === g.suspended ? { status: 'SUSPENDED' } : {},
      ),
    );
    const request = parsePayload({
      Targets: [{ Key: 'ResourceGroup', Values: ['WebServers', 'DbServers'] }],
      Regions: g.regions,
      Organization: {
        TargetOus: ['r-root'],
        ...(g.waves
          ? {
              Waves: [
                { Name: 'dev', TargetOus: ['ou-ab12-dev00001'], ErrorThreshold: '0' },
                { Name: 'prod', TargetOus: ['ou-ab12-prod0001'], ErrorThreshold: '1' },
              ],
            }
          : {}),
      },
    });
    const observations = new Map<string, InventoryObservation>();
    ids.forEach((id, a) => {
      g.regions.forEach((region, r) => {
        observations.set(locationKey(id, region), g.observations[(a * 4 + r) % 48] as InventoryObservation);
      });
    });
    const organization = makeOrg(accounts);
    let record = createRunRecord({
      runId: 'run-7',
      createdAt: T0,
      snapshotId: '6a1e0b5d-2d35-4c8b-9a52-4a5c6b7d8e9f',
      idempotencyKey: 'mw-task-7',
      request,
      organization,
      plan: buildPlan({ request, organization, observations }),
    });
    const first = record.waves[0];
    if (first === undefined) return record;
    record = markWaveRunning(record, first.name, at(1));
    const events = record.locations.flatMap((l, i): LocationEvent[] =>
      l.decision.action === 'start' && l.wave === first.name
        ? eventsFor(l, record.plan.locations[i]?.groups.flatMap((gr) => gr.instanceIds) ?? [], g.progress[i % 48])
        : [],
    );
    record = applyLocationEvents(record, events, at(2));
    return g.halt && record.waves.length > 1 ? haltWaves(record, record.waves[1]?.name ?? '', 'halted', at(3)) : record;
  });

function eventsFor(
  location: { readonly accountId: string; readonly region: string },
  instanceIds: readonly string[],
  progress: string | undefined,
): LocationEvent[] {
  if (progress === 'none') return [];
  const executionId = `exec-${location.accountId}-${location.region}`;
  const intended: LocationEvent = {
    kind: 'start-intended',
    location,
    intents: [
      { group: 'WebServers', clientToken: `token-${executionId}`, recordedAt: at(2).toISOString(), attempts: 0 },
    ],
  };
  if (progress === 'intend') return [intended];
  if (progress === 'fail') {
    return [intended, { kind: 'start-failed', location, error: { code: 'ValidationException', message: 'no' } }];
  }
  const started: LocationEvent = {
    kind: 'started',
    location,
    execution: {
      executionId,
      clientToken: `token-${executionId}`,
      group: 'WebServers',
      status: 'InProgress',
      startedAt: at(2).toISOString(),
      instances: [],
    },
  };
  if (progress === 'start') return [intended, started];
  const status: AutomationStatus = instanceIds.length % 2 === 0 ? 'Success' : 'Failed';
  const ended: LocationEvent = {
    kind: 'execution-state',
    location,
    executionId,
    state: {
      executionId,
      status,
      endedAt: at(3).toISOString(),
      children: instanceIds.map((instanceId, i) => ({ executionId: `${executionId}-${i}`, instanceId, status })),
    },
  };
  if (progress === 'end') return [intended, started, ended];
  const states = new Map(
    instanceIds.map((id) => [
      id,
      {
        operation: 'Install' as const,
        installedCount: 3,
        missingCount: 0,
        failedCount: 0,
        installedPendingRebootCount: 0,
      },
    ]),
  );
  return [intended, started, ended, { kind: 'patch-states', location, states }];
}

const bounds = fc.record({
  accountsPerShard: fc.integer({ min: 1, max: 5 }),
  estimatedBytesPerShard: fc.integer({ min: 1, max: 200 }).map((k) => k * KIB),
});

/** The manifest and shards as a store writes them and reads them back: JSON, then validated. */
function storedAndReadBack(
  manifest: RunManifest,
  shards: readonly RunShard[],
): { manifest: StoredRunManifest; shards: RunShard[] } {
  const stored: StoredRunManifest = {
    ...manifest,
    revision: 3,
    shards: manifest.shards.map((entry) => ({ ...entry, revision: 1 + (entry.id % 3), sha256: 'ab'.repeat(32) })),
  };
  const read = parseRunManifest(JSON.parse(JSON.stringify(stored)), 'manifest.json', { runId: manifest.runId });
  return {
    manifest: read,
    shards: shards.map((s) =>
      parseRunShard(JSON.parse(JSON.stringify(s)), `shards/${s.id}.json`, { runId: s.runId, id: s.id }),
    ),
  };
}

describe('splitRunRecord and assembleRunRecord', () => {
  it('give back the record they were given, through JSON and validation, whatever the bounds', () => {
    fc.assert(
      fc.property(runRecordArbitrary, bounds, (record, options) => {
        const { manifest, shards } = splitRunRecord(record, options);
        expect(assembleRunRecord(manifest, shards)).toEqual(record);
        const read = storedAndReadBack(manifest, shards);
        expect(assembleRunRecord(read.manifest, read.shards)).toEqual(record);
      }),
      { numRuns: 150 },
    );
  });

  it('keep every shard within its bounds, and cut an account only when it alone is over the byte estimate', () => {
    fc.assert(
      fc.property(runRecordArbitrary, bounds, (record, options) => {
        const { manifest, shards } = splitRunRecord(record, options);
        expect(shards.flatMap((s) => s.locations)).toEqual(record.locations);
        for (const [i, shard] of shards.entries()) {
          expect(shard.locations.length).toBeGreaterThan(0);
          const entry = manifest.shards[i];
          expect(entry?.accounts).toBeLessThanOrEqual(options.accountsPerShard);
          expect(entry?.id).toBe(i);
          if ((entry?.accounts ?? 0) > 1) expect(estimate(shard)).toBeLessThanOrEqual(options.estimatedBytesPerShard);
        }
        // An account in two shards is one estimated over the budget on its own.
        const shardsOf = new Map<string, number>();
        for (const s of shards)
          for (const id of new Set(s.locations.map((l) => l.accountId))) shardsOf.set(id, (shardsOf.get(id) ?? 0) + 1);
        for (const [id, n] of shardsOf) {
          if (n > 1) {
            const all = record.plan.locations.filter((l) => l.accountId === id);
            expect(all.reduce((sum, l) => sum + estimateLocation(l), 0)).toBeGreaterThan(
              options.estimatedBytesPerShard,
            );
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('change one shard when one location changes: the cuts depend only on the plan', () => {
    fc.assert(
      fc.property(runRecordArbitrary, bounds, fc.nat(), (record, options, pick) => {
        const startable = record.locations.filter((l) => l.decision.action === 'start' && l.status === 'planned');
        fc.pre(startable.length > 0);
        const target = startable[pick % startable.length] as RunRecord['locations'][number];
        const changed = applyLocationEvents(record, eventsFor(target, ['i-1'], 'intend'), at(9));
        const before = splitRunRecord(record, options).shards;
        const after = splitRunRecord(changed, options).shards;
        expect(after.length).toBe(before.length);
        const differing = after.filter((s, i) => JSON.stringify(s) !== JSON.stringify(before[i]));
        expect(differing).toHaveLength(1);
        expect(
          differing[0]?.locations.some((l) => l.accountId === target.accountId && l.region === target.region),
        ).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

/** The split's estimate, restated: 1 KiB for the location, each group and each instance in each group. */
function estimateLocation(l: RunRecord['plan']['locations'][number]): number {
  const members = l.groups.reduce((n, g) => n + g.instanceIds.length, 0);
  return KIB * (1 + l.groups.length + Math.max(members, l.instanceCount));
}
const estimate = (shard: RunShard): number => shard.plannedLocations.reduce((n, l) => n + estimateLocation(l), 0);

/** A record with one account whose locations hold `instances` instances each, in every Region of REGIONS. */
function heavyRecord(instances: number): RunRecord {
  const request = makeRequest({ regions: REGIONS, organization: makeScope() });
  const organization = makeOrg([account('222222222222'), account('333333333333')]);
  const observations = new Map(
    ['222222222222', '333333333333'].flatMap((id) =>
      REGIONS.map((r) => [locationKey(id, r), instancesIn('WebServers', id.startsWith('2') ? instances : 1)] as const),
    ),
  );
  return createRunRecord({
    runId: 'run-8',
    createdAt: T0,
    snapshotId: 's',
    idempotencyKey: 'k',
    request,
    organization,
    plan: buildPlan({ request, organization, observations }),
  });
}

describe('splitRunRecord', () => {
  it('spreads an account estimated over the budget over shards of its own, a location at a time', () => {
    // 4 locations of (1 + 2 groups + 100 instances) KiB = 103 KiB each; the budget holds two of them.
    const { manifest } = splitRunRecord(heavyRecord(100), { accountsPerShard: 100, estimatedBytesPerShard: 210 * KIB });
    expect(manifest.shards).toEqual([
      { id: 0, firstAccountId: '222222222222', lastAccountId: '222222222222', accounts: 1, locations: 2 },
      { id: 1, firstAccountId: '222222222222', lastAccountId: '222222222222', accounts: 1, locations: 2 },
      { id: 2, firstAccountId: '333333333333', lastAccountId: '333333333333', accounts: 1, locations: 4 },
    ]);
    // A location over the budget on its own gets a shard of its own.
    expect(
      splitRunRecord(heavyRecord(100), { accountsPerShard: 100, estimatedBytesPerShard: 50 * KIB }).shards.map(
        (s) => s.locations.length,
      ),
    ).toEqual([1, 1, 1, 1, 4]);
  });

  it('holds no shard for a run without locations, and counts per wave and status in the manifest', () => {
    const empty = { ...heavyRecord(1), plan: { ...heavyRecord(1).plan, locations: [] }, locations: [] };
    expect(splitRunRecord(empty, { accountsPerShard: 1, estimatedBytesPerShard: KIB })).toMatchObject({
      manifest: { schemaVersion: 2, shards: [], counts: [{ wave: 'default', planned: 0, skipped: 0, halted: 0 }] },
      shards: [],
    });
    expect(
      splitRunRecord(heavyRecord(1), { accountsPerShard: 1, estimatedBytesPerShard: KIB }).manifest.counts,
    ).toEqual([
      { wave: 'default', planned: 8, starting: 0, skipped: 0, started: 0, succeeded: 0, failed: 0, halted: 0 },
    ]);
  });

  it('refuses a record whose outcomes do not follow its plan, and bounds that bound nothing', () => {
    const record = heavyRecord(1);
    expect(() =>
      splitRunRecord(
        { ...record, locations: record.locations.slice(1) },
        { accountsPerShard: 1, estimatedBytesPerShard: KIB },
      ),
    ).toThrow(new RunRecordError('run-8', expect.any(String) as unknown as string).constructor as typeof Error);
    expect(() =>
      splitRunRecord(
        { ...record, locations: [...record.locations].reverse() },
        { accountsPerShard: 1, estimatedBytesPerShard: KIB },
      ),
    ).toThrow(
      /location 0 is account 333333333333, Region ap-south-1, but plan location 0 is account 222222222222, Region us-east-1/,
    );
    expect(() => splitRunRecord(record, { accountsPerShard: 0, estimatedBytesPerShard: KIB })).toThrow(RangeError);
    expect(() => splitRunRecord(record, { accountsPerShard: 1, estimatedBytesPerShard: 0 })).toThrow(RangeError);
  });
});

describe('assembleRunRecord', () => {
  const { manifest, shards } = splitRunRecord(heavyRecord(3), {
    accountsPerShard: 1,
    estimatedBytesPerShard: 64 * KIB,
  });

  it('refuses shards that are not the ones the manifest lists, naming the manifest and the place', () => {
    const cases: [readonly RunShard[], RegExp][] = [
      [shards.slice(1), /- shards\[0\]: lists shard 0 of run "run-8", but was given shard 1 of run "run-8"/],
      [shards.slice(0, 1), /- shards\[1\]: is listed, but its shard was not given/],
      [[...shards, shards[0] as RunShard], /- shards: lists 2 shards, but 3 were given/],
      [
        [{ ...(shards[0] as RunShard), locations: shards[0]?.locations.slice(1) ?? [] }, shards[1] as RunShard],
        /- shards\[0\]\.locations: is 4, but the shard holds 3/,
      ],
      [[{ ...(shards[0] as RunShard), runId: 'run-9' }, shards[1] as RunShard], /given shard 0 of run "run-9"/],
    ];
    for (const [given, problem] of cases) {
      expect(() => assembleRunRecord(manifest, given, 's3://b/runs/run-8/manifest.json')).toThrow(problem);
      expect(() => assembleRunRecord(manifest, given)).toThrow(StoredDocumentError);
    }
  });

  it('refuses counts that are not what the shards hold', () => {
    const counts = (c: RunManifest['counts']) => () => assembleRunRecord({ ...manifest, counts: c }, shards);
    expect(counts([{ ...(manifest.counts[0] as RunManifest['counts'][number]), planned: 3 }])).toThrow(
      /- counts\[0\]\.planned: is 3, but the shards hold 8 \(the manifest and its shards were not written together\)/,
    );
    expect(counts([])).toThrow(/- counts\[0\]\.wave: is null, but the shards hold wave "default"/);
    expect(
      counts([...manifest.counts, { ...(manifest.counts[0] as RunManifest['counts'][number]), wave: 'x' }]),
    ).toThrow(/- counts\[1\]\.wave: is "x", but the shards hold no further wave/);
  });
});

describe('parseRunManifest and parseRunShard', () => {
  const record = heavyRecord(2);
  const { manifest, shards } = splitRunRecord(record, { accountsPerShard: 1, estimatedBytesPerShard: 64 * KIB });
  const stored = (changes: Record<string, unknown> = {}): unknown =>
    JSON.parse(
      JSON.stringify({
        ...manifest,
        revision: 2,
        shards: manifest.shards.map((e) => ({ ...e, revision: 2, sha256: 'a'.repeat(64) })),
        ...changes,
      }),
    );
  const source = 's3://bucket/runs/run-8/manifest.json';

  it('read back what was stored', () => {
    expect(parseRunManifest(stored(), source, { runId: 'run-8' })).toEqual(stored());
    const shard = shards[1] as RunShard;
    expect(parseRunShard(JSON.parse(JSON.stringify(shard)), 'shards/1.json', { runId: 'run-8', id: 1 })).toEqual(shard);
  });

  it('refuse a manifest that is not one, or not this run, naming the object and the path', () => {
    const entries = (stored() as StoredRunManifest).shards;
    const cases: [unknown, RegExp][] = [
      [{ ...(stored() as object), extra: 1 }, /- \(root\): Unrecognized key: "extra"/],
      [JSON.parse(JSON.stringify(record)), /- schemaVersion: /],
      [stored({ runId: 'run-9' }), /- runId: is "run-9", but the manifest was read as run "run-8"/],
      [
        stored({ shards: [...entries].reverse() }),
        /- shards\[1\]\.id: is 0, but shards are numbered in ascending order \(the one before is 1\)/,
      ],
      [
        stored({ shards: entries.map((e) => ({ ...e, revision: 3 })) }),
        /- shards\[0\]\.revision: is 3, later than the manifest's own revision 2/,
      ],
      [
        stored({ shards: entries.map((e) => ({ ...e, sha256: '../../etc' })) }),
        /- shards\[0\]\.sha256: must be 64 lowercase hex digits/,
      ],
      [
        stored({ request: { ...manifest.request, resourceGroups: ['Everything'] } }),
        /- request\.resourceGroups: differs from what the request means/,
      ],
    ];
    for (const [value, problem] of cases) {
      expect(() => parseRunManifest(value, source, { runId: 'run-8' })).toThrow(problem);
      expect(() => parseRunManifest(value, source, { runId: 'run-8' })).toThrow(
        `The run record ${source} is not valid`,
      );
    }
  });

  it('refuse a shard that is not the one asked for, or whose outcomes do not follow its plan locations', () => {
    const shard = JSON.parse(JSON.stringify(shards[0])) as RunShard;
    const parse = (value: unknown) => () => parseRunShard(value, 'shards/0.json', { runId: 'run-8', id: 0 });
    expect(parse({ ...shard, id: 1 })).toThrow(/- id: is 1, but the shard was read as shard 0/);
    expect(parse({ ...shard, runId: 'run-1' })).toThrow(/- runId: is "run-1", but the shard was read as run "run-8"/);
    expect(parse({ ...shard, locations: shard.locations.slice(1) })).toThrow(
      /- locations: holds 3 outcomes for 4 plan locations/,
    );
    expect(parse({ ...shard, locations: [...shard.locations].reverse() })).toThrow(
      /- locations\[0\]: is account 222222222222, Region ap-south-1, but plannedLocations\[0\] is account 222222222222, Region us-east-1/,
    );
    expect(parse({ ...shard, locations: [{ ...shard.locations[0], status: 'lost' }] })).toThrow(
      /- locations\[0\]\.status: /,
    );
  });
});
