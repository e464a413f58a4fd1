import { createLambdaRuntime, takeScheduledSnapshot } from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DENIED, type E2e, e2eWorld, orgPayload, startE2e } from './harness.js';

// Issue 14, item 6: the scheduled compliance snapshot's Lambda path, against the sandbox.

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

describe('the scheduled compliance snapshot', () => {
  it('stores a snapshot beside the runs and publishes its totals as metrics; it starts nothing', async () => {
    e2e = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    const runtime = createLambdaRuntime({ clients: e2e.clients, bucket: 'orgpatch-runs', logLevel: 'SILENT' });
    const metrics: Record<string, number> = {};
    vi.spyOn(runtime.metrics, 'addMetric').mockImplementation((name, _unit, value) => {
      metrics[name] = value;
      return runtime.metrics;
    });
    const published = vi.spyOn(runtime.metrics, 'publishStoredMetrics').mockImplementation(() => runtime.metrics);
    vi.spyOn(runtime.metrics, 'hasStoredMetrics').mockReturnValue(true);

    const result = await takeScheduledSnapshot(orgPayload(), runtime);

    expect(result.snapshotId).toMatch(/^c-\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(result.where).toMatch(/^s3:\/\/orgpatch-runs\//);
    expect(result.totals.nodes).toBeGreaterThan(0);
    // The account whose groups cannot be read is not counted compliant: it is a place not seen.
    expect(result.totals.notSeen).toBeGreaterThan(0);
    expect(metrics).toEqual({
      CriticalNonCompliantNodes: result.totals.critical,
      SecurityNonCompliantNodes: result.totals.security,
      UnmanagedNodes: result.totals.unmanaged,
      OfflineNodes: result.totals.offline,
      StaleScans: result.totals.stale,
      PlacesNotSeen: result.totals.notSeen,
    });
    expect(published).toHaveBeenCalledTimes(1);
    expect(e2e.sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
    const stored = await runtime.store().listSnapshots();
    expect(stored.map((s) => s.snapshotId)).toContain(result.snapshotId);
  });

  it('refuses an invalid payload naming the field, reading nothing', async () => {
    e2e = await startE2e(e2eWorld());
    const runtime = createLambdaRuntime({ clients: e2e.clients, bucket: 'orgpatch-runs', logLevel: 'SILENT' });
    e2e.sandbox.calls.reset();
    await expect(takeScheduledSnapshot(orgPayload({ Regions: ['us-east-9'] }), runtime)).rejects.toThrow(
      /Regions\[0\]/,
    );
    expect(e2e.sandbox.calls.size).toBe(0);
  });
});
