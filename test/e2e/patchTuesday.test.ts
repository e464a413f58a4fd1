import { createLambdaRuntime, handleMaintenanceWindowEvent, S3RunStore } from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type E2e, e2eWorld, orgPayload, startE2e } from './harness.js';

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

// The world's clock starts at 2026-11-01T03:00Z, a Sunday: October's Patch Tuesday (the 13th) + 19
// days; November's is the 10th.
const event = (task: string, offsetDays: number) =>
  orgPayload({
    WindowId: 'mw-0123456789abcdef0',
    TaskExecutionId: task,
    PatchTuesday: { OffsetDays: offsetDays, TimeZone: 'Europe/Berlin' },
  });

describe('a maintenance-window invocation with a Patch Tuesday offset, against the sandbox', () => {
  it('starts nothing on a day that is not the go-day and leaves a skip note that says why', async () => {
    e2e = await startE2e(e2eWorld());
    const { sandbox } = e2e;
    const runtime = createLambdaRuntime({
      clients: e2e.clients,
      bucket: 'orgpatch-runs',
      logLevel: 'SILENT',
      now: () => new Date(sandbox.clock.now()),
    });
    sandbox.calls.reset();
    const task = '0b0e8d7a-1234-4abc-9def-0a1b2c3d4e5f';
    const result = await handleMaintenanceWindowEvent(event(task, 0), runtime);
    expect(result).toEqual({
      runId: `mw-${task}`,
      skipped: {
        status: 'skipped-not-patch-day',
        reason:
          '2026-11-01 is not the patch day: runs go ahead on Patch Tuesday + 0 days in Europe/Berlin; the next is 2026-11-10 (Patch Tuesday 2026-11-10)',
      },
    });
    // Nothing read from the Organization, nothing started: only the run store was touched.
    expect(sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
    expect(sandbox.calls.count({ service: 'organizations' })).toBe(0);
    expect(sandbox.calls.count({ service: 'resource-groups' })).toBe(0);

    // The note is what `orgpatch status` lists from the bucket.
    const store = new S3RunStore({ client: e2e.clients.s3('us-east-1'), bucket: 'orgpatch-runs' });
    expect(await store.list()).toEqual([
      {
        runId: `mw-${task}`,
        createdAt: '2026-11-01T03:00:00.000Z',
        status: 'skipped-not-patch-day',
        reason: expect.stringContaining('the next is 2026-11-10'),
      },
    ]);
    expect(await store.get(`mw-${task}`)).toBeUndefined();
  });

  it('runs on the go-day', async () => {
    e2e = await startE2e(e2eWorld());
    const { sandbox } = e2e;
    const runtime = createLambdaRuntime({
      clients: e2e.clients,
      bucket: 'orgpatch-runs',
      logLevel: 'SILENT',
      now: () => new Date(sandbox.clock.now()),
    });
    vi.spyOn(runtime.metrics, 'publishStoredMetrics').mockImplementation(() => runtime.metrics);
    const task = '1b0e8d7a-1234-4abc-9def-0a1b2c3d4e5f';
    const result = await handleMaintenanceWindowEvent(event(task, 19), runtime);
    if ('skipped' in result) throw new Error(`expected the run to go ahead: ${result.skipped.reason}`);
    expect(result.summary.status).toBe('running');
    expect(result.summary.locations.started).toBe(2);
    expect(sandbox.calls.count({ operation: 'StartAutomationExecution', ok: true })).toBe(2);
    const store = new S3RunStore({ client: e2e.clients.s3('us-east-1'), bucket: 'orgpatch-runs' });
    const record = await store.get(result.runId);
    expect(record?.request.patchTuesday).toEqual({ offsetDays: 19, timeZone: 'Europe/Berlin' });
  });
});
