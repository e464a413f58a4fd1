import { type Location, parsePayload, type SnapshotCleaner } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { startRun } from '../src/run/startRun.js';
import { trackRun } from '../src/run/trackRun.js';
import { account, FakeDirectory, FakeInventory, fakeDeps, groups } from '../src/testing.js';

const DAY = 86_400_000;

/** A cleaner that records its calls; `fail` makes one account's cleanup throw. */
function recordingCleaner(fail?: string) {
  const calls: { location: Location; createdBefore: Date; keepRunId: string }[] = [];
  const cleaner: SnapshotCleaner = {
    deleteExpired: async (location, createdBefore, keepRunId) => {
      calls.push({ location, createdBefore, keepRunId });
      if (location.accountId === fail) throw new Error('AccessDenied');
      return { deleted: ['snap-0123456789abcdef0'], failed: [] };
    },
  };
  return { cleaner, calls };
}

async function runWith(payload: Record<string, unknown>, cleaner: SnapshotCleaner) {
  const deps = {
    ...fakeDeps({
      directory: new FakeDirectory({
        organizationId: 'o-abcdefghij',
        managementAccountId: '999999999999',
        callerAccountId: '999999999999',
        partition: 'aws',
        accounts: [account('111111111111', ['r-ab12']), account('222222222222', ['r-ab12'])],
      }),
      inventory: new FakeInventory((location) =>
        location.region === 'eu-west-1' ? groups('WebServers') : groups('WebServers', 'i-0123456789abcdef0'),
      ),
    }),
    snapshots: cleaner,
  };
  const request = parsePayload({
    Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
    Regions: ['us-east-1', 'eu-west-1'],
    Organization: { TargetOus: ['r-ab12'] },
    ...payload,
  });
  const { record } = await startRun(request, deps);
  return trackRun(record, deps);
}

describe('the retention of pre-patch snapshots', () => {
  it('cleans every started location when the run ends, RetainDays back, keeping the run’s own', async () => {
    const { cleaner, calls } = recordingCleaner();
    const tracked = await runWith({ Snapshot: { Before: true, RetainDays: 3 } }, cleaner);
    expect(tracked.record.status).toBe('succeeded');
    // Only the started locations (us-east-1 holds instances; eu-west-1 is empty and skipped).
    expect(calls.map((c) => `${c.location.accountId}/${c.location.region}`).sort()).toEqual([
      '111111111111/us-east-1',
      '222222222222/us-east-1',
    ]);
    for (const c of calls) {
      expect(c.keepRunId).toBe(tracked.record.runId);
      const end = Date.parse(tracked.record.updatedAt);
      expect(Math.abs(end - 3 * DAY - c.createdBefore.getTime())).toBeLessThan(60_000);
    }
  });

  it('cleans nothing for a run without Snapshot', async () => {
    const { cleaner, calls } = recordingCleaner();
    await runWith({}, cleaner);
    expect(calls).toEqual([]);
  });

  it('never lets a failed cleanup change the run’s outcome', async () => {
    const { cleaner, calls } = recordingCleaner('111111111111');
    const tracked = await runWith({ Snapshot: { RetainDays: 1 } }, cleaner);
    expect(calls).toHaveLength(2);
    expect(tracked.record.status).toBe('succeeded');
  });
});
