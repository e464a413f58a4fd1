import { parsePayload } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { skipUnlessPatchDay } from '../src/run/patchDayGate.js';
import { startRun } from '../src/run/startRun.js';
import { account, FakeDirectory, FakeInventory, fakeDeps, groups, MemoryRunStore } from '../src/testing.js';

const payload = (extra: Record<string, unknown> = {}) => ({
  TaskExecutionId: '4b0e8d7a-1234-4abc-9def-0a1b2c3d4e5f',
  Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
  Regions: ['us-east-1'],
  Organization: { TargetOus: ['r-ab12'] },
  ...extra,
});
const runId = 'mw-4b0e8d7a-1234-4abc-9def-0a1b2c3d4e5f';
// 2026-11-28 is a Saturday; November's Patch Tuesday is the 10th, + 18 days is the 28th.
const saturday = new Date('2026-11-28T12:00:00.000Z');

describe('skipUnlessPatchDay', () => {
  it('lets a request without PatchTuesday through and writes nothing', async () => {
    const store = new MemoryRunStore();
    expect(await skipUnlessPatchDay(parsePayload(payload()), store, { runId, now: saturday })).toBeUndefined();
    expect(store.objects.size).toBe(0);
  });

  it('lets the go-day through', async () => {
    const store = new MemoryRunStore();
    const request = parsePayload(payload({ PatchTuesday: { OffsetDays: 18 } }));
    expect(await skipUnlessPatchDay(request, store, { runId, now: saturday })).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('skips any other day with a note the listing shows; a retry keeps the first note', async () => {
    const store = new MemoryRunStore();
    const request = parsePayload(payload({ PatchTuesday: { OffsetDays: 17 } }));
    const note = await skipUnlessPatchDay(request, store, { runId, now: saturday });
    expect(note).toMatchObject({ runId, status: 'skipped-not-patch-day', createdAt: saturday.toISOString() });
    expect(note?.reason).toMatch(/^2026-11-28 is not the patch day: .* the next is 2026-12-25 /);
    const later = new Date(saturday.getTime() + 60_000);
    await skipUnlessPatchDay(request, store, { runId, now: later });
    expect(await store.list()).toEqual([
      { runId, createdAt: saturday.toISOString(), status: 'skipped-not-patch-day', reason: note?.reason },
    ]);
  });

  it('never skips a run already recorded under the id (a go-day run retried after midnight)', async () => {
    const deps = fakeDeps({
      directory: new FakeDirectory({
        organizationId: 'o-abcdefghij',
        managementAccountId: '999999999999',
        callerAccountId: '999999999999',
        partition: 'aws',
        accounts: [account('111111111111', ['r-ab12'])],
      }),
      inventory: new FakeInventory(() => groups('WebServers', 'i-0123456789abcdef0')),
    });
    const request = parsePayload(payload({ PatchTuesday: { OffsetDays: 17 } }));
    await startRun(request, deps, { runId });
    expect(await skipUnlessPatchDay(request, deps.store, { runId, now: saturday })).toBeUndefined();
    expect((await deps.store.list()).map((r) => r.status)).not.toContain('skipped-not-patch-day');
  });
});
