import {
  applyLocationEvents,
  type LocationEvent,
  REGIONS as REGION_TABLE,
  type RunRecord,
  type StoredRunManifest,
  splitRunRecord,
} from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { SHARD_BOUNDS } from '../src/store/shardedRecords.js';
import { encodeRunDocument } from '../src/store/storedDocuments.js';
import { accountIdOf, plannedRunRecord } from './runRecordFixture.js';

/** No stored object may be larger: the bound the shard size is chosen for. */
const MAX_OBJECT_BYTES = 8_000_000;

/** The 16 first Regions enabled by default in the aws partition (core's Region table). */
const REGIONS_16 = REGION_TABLE.filter((r) => r.partition === 'aws' && !r.optIn)
  .slice(0, 16)
  .map((r) => r.code);

const NOW = new Date('2026-11-28T13:00:00.000Z');

/**
 * One account's locations at the end of a run in which everything was tried and failed: each
 * location's execution and every instance's child failed with a `message`-character failure
 * message, and every instance's patch state was read. The most a finished location holds.
 */
function finishedAccount(regions: readonly string[], instances: number, message: number): RunRecord {
  const record = plannedRunRecord('big', 1, regions, instances);
  const events = record.locations.flatMap((l, i): LocationEvent[] => {
    const location = { accountId: l.accountId, region: l.region };
    const ids = record.plan.locations[i]?.groups.flatMap((g) => g.instanceIds) ?? [];
    const executionId = `a1b2c3d4-0000-4000-8000-${String(i).padStart(12, '0')}`;
    return [
      {
        kind: 'started',
        location,
        execution: {
          executionId,
          clientToken: `c1b2c3d4-0000-5000-8000-${String(i).padStart(12, '0')}`,
          group: 'WebServers',
          status: 'InProgress',
          startedAt: NOW.toISOString(),
          instances: [],
        },
      },
      {
        kind: 'execution-state',
        location,
        executionId,
        state: {
          executionId,
          status: 'CompletedWithFailure',
          endedAt: NOW.toISOString(),
          failureMessage: 'x'.repeat(message),
          children: ids.map((instanceId, c) => ({
            executionId: `${executionId.slice(0, -6)}${String(c).padStart(6, '0')}`,
            instanceId,
            status: 'Failed',
            failureMessage: 'y'.repeat(message),
          })),
        },
      },
      {
        kind: 'patch-states',
        location,
        states: new Map(
          ids.map((id) => [
            id,
            {
              operation: 'Install',
              installedCount: 1234,
              missingCount: 12,
              failedCount: 3,
              installedPendingRebootCount: 2,
              operationEndTime: NOW.toISOString(),
            },
          ]),
        ),
      },
    ];
  });
  return applyLocationEvents(record, events, NOW);
}

/**
 * The finished run of `accounts` accounts that each hold what `template` (one account) holds: the
 * locations are copies of the template's with the account changed, sharing everything else, so a
 * 75 MB record costs little memory.
 */
function organizationOf(template: RunRecord, accounts: number): RunRecord {
  const ids = Array.from({ length: accounts }, (_, n) => accountIdOf(n));
  const [wave] = template.plan.waves;
  return {
    ...template,
    plan: {
      ...template.plan,
      waves: wave ? [{ ...wave, accountIds: ids }] : [],
      locations: ids.flatMap((accountId) =>
        template.plan.locations.map((l) => ({ ...l, accountId, accountName: `acct-${accountId}` })),
      ),
    },
    locations: ids.flatMap((accountId) =>
      template.locations.map((l) => ({ ...l, accountId, accountName: `acct-${accountId}` })),
    ),
  };
}

/**
 * The byte size of each object a store writes for `record`: the manifest and every shard. Sizes
 * are taken from JSON.stringify, whose text has the length of the stored one (encodeRunDocument
 * only sorts the keys) and is made faster.
 */
function storedSizes(record: RunRecord): { manifest: number; shards: number[] } {
  const { manifest, shards } = splitRunRecord(record, SHARD_BOUNDS);
  const stored: StoredRunManifest = {
    ...manifest,
    revision: 1,
    shards: manifest.shards.map((entry) => ({ ...entry, revision: 1, sha256: 'f'.repeat(64) })),
  };
  return {
    manifest: Buffer.byteLength(encodeRunDocument(stored)),
    shards: shards.map((shard) => Buffer.byteLength(`${JSON.stringify(shard)}\n`)),
  };
}

// Each builds and encodes a run of up to 100 MB: seconds on a loaded 2-core machine.
describe('the shard bound', { timeout: 60_000 }, () => {
  it('keeps every object of a finished 5,000-account x 16-Region run under 8 MB', () => {
    // 12 instances per location (the sandbox world's most), all failed with 200-character messages.
    const record = organizationOf(finishedAccount(REGIONS_16, 12, 200), 5_000);
    expect(record.locations).toHaveLength(80_000);
    const sizes = storedSizes(record);
    const total = sizes.shards.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(100_000_000);
    expect(Math.max(...sizes.shards)).toBeLessThan(MAX_OBJECT_BYTES);
    expect(sizes.manifest).toBeLessThan(MAX_OBJECT_BYTES);
    // 5,000 accounts of 16 x 14 KiB (estimated): 18 accounts, about 2.1 MB, per shard.
    expect(sizes.shards).toHaveLength(278);
  });

  it('keeps them under 8 MB with a thousand instances in a location and long failure messages', () => {
    const record = organizationOf(finishedAccount(REGIONS_16.slice(0, 4), 1_000, 600), 3);
    const sizes = storedSizes(record);
    expect(Math.max(...sizes.shards)).toBeLessThan(MAX_OBJECT_BYTES);
    // Each account (4 x 1,002 KiB of estimate) fills a shard: about 3.7 MB.
    expect(sizes.shards).toHaveLength(3);
  });

  it('keeps the manifest of a 10,000-account run small: it grows by the account ids and the shard index', () => {
    const record = organizationOf(plannedRunRecord('big', 1, REGIONS_16, 0), 10_000);
    const sizes = storedSizes(record);
    // 10,000 accounts of 16 skipped locations (32 KiB of estimate each): 100 accounts a shard.
    expect(sizes.shards).toHaveLength(100);
    expect(sizes.manifest).toBeLessThan(200_000);
  });
});
