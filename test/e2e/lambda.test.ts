import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createLambdaRuntime, handleMaintenanceWindowEvent, trackInProgressRuns } from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DENIED, type E2e, e2eWorld, orgPayload, startE2e } from './harness.js';

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

const TASK = '4b0e8d7a-1234-4abc-9def-0a1b2c3d4e5f';

describe('the Lambda entry points against the sandbox', () => {
  it('takes the maintenance-window event, starts the first wave, returns the summary; the tracker finishes the run in S3', async () => {
    e2e = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    const { sandbox } = e2e;
    const runtime = createLambdaRuntime({ clients: e2e.clients, bucket: 'orgpatch-runs', logLevel: 'SILENT' });
    const published: unknown[] = [];
    vi.spyOn(runtime.metrics, 'publishStoredMetrics').mockImplementation(() => {
      published.push(runtime.metrics.serializeMetrics());
      runtime.metrics.clearMetrics();
      return runtime.metrics;
    });

    const event = orgPayload({ WindowId: 'mw-0123456789abcdef0', TaskExecutionId: TASK });
    const result = await handleMaintenanceWindowEvent(event, runtime);
    if ('skipped' in result) throw new Error(`expected a run, got ${result.skipped.reason}`);
    expect(result.runId).toBe(`mw-${TASK}`);
    expect(result.resumed).toBe(false);
    expect(result.summary.status).toBe('running');
    expect(result.summary.locations.started).toBe(2);
    expect(JSON.stringify(published)).toContain('LocationsStarted');

    // The record is in the bucket under runs/<run-id>/: its manifest, and its shards beside it.
    const s3 = e2e.clients.s3('us-east-1');
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: 'orgpatch-runs', Key: `runs/${result.runId}/manifest.json` }),
    );
    expect(JSON.parse((await stored.Body?.transformToString()) ?? '{}').runId).toBe(result.runId);

    // A retried invocation of the same task execution starts nothing.
    sandbox.calls.reset();
    const again = await handleMaintenanceWindowEvent(event, runtime);
    expect('resumed' in again && again.resumed).toBe(true);
    expect(sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);

    // The scheduled tracker, invoked until the run ends (simulated time passes between invocations).
    let status = 'running';
    for (let i = 0; i < 50 && status === 'running'; i += 1) {
      sandbox.advance(10 * 60_000);
      const tracked = await trackInProgressRuns(runtime);
      status = tracked.runs.find((r) => r.runId === result.runId)?.status ?? 'gone';
    }
    expect(status).toBe('succeeded');
    const html = await s3.send(
      new GetObjectCommand({ Bucket: 'orgpatch-runs', Key: `runs/${result.runId}/report.html` }),
    );
    expect(await html.Body?.transformToString()).toMatch(/class="heatmap"/);
    expect(JSON.stringify(published)).toContain('InstancesPatched');
  });

  it('rejects an invalid event and starts nothing', async () => {
    e2e = await startE2e(e2eWorld());
    const runtime = createLambdaRuntime({ clients: e2e.clients, bucket: 'orgpatch-runs', logLevel: 'SILENT' });
    await expect(handleMaintenanceWindowEvent({ ...orgPayload(), Regions: ['us-east-9'] }, runtime)).rejects.toThrow(
      /Regions\[0\]/,
    );
    expect(e2e.sandbox.calls.size).toBe(0);
  });

  it("does not carry a warm invocation's log keys into the next one", async () => {
    e2e = await startE2e(e2eWorld());
    const runtime = createLambdaRuntime({ clients: e2e.clients, bucket: 'orgpatch-runs', logLevel: 'INFO' });
    const lines: Record<string, unknown>[] = [];
    // Powertools writes INFO to stdout and ERROR to stderr, one JSON object a line.
    const capture = (chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) {
        if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      return true;
    };
    const streams = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')];
    for (const spy of streams) spy.mockImplementation(capture);
    vi.spyOn(runtime.metrics, 'publishStoredMetrics').mockImplementation(() => runtime.metrics);
    try {
      const first = await handleMaintenanceWindowEvent(
        orgPayload({ WindowId: 'mw-0123456789abcdef0', TaskExecutionId: TASK }),
        runtime,
      );
      expect(lines.some((l) => l.runId === first.runId)).toBe(true);
      const before = lines.length;
      // The same warm runtime: an invalid event, then a tracking pass.
      await expect(
        handleMaintenanceWindowEvent({ ...orgPayload(), Regions: ['us-east-9'] }, runtime),
      ).rejects.toThrow();
      const invalid = lines.slice(before).find((l) => l.message === 'Invalid payload: nothing started');
      expect(invalid).toBeDefined();
      expect(invalid).not.toHaveProperty('runId');
      const beforeTracking = lines.length;
      await trackInProgressRuns(runtime);
      const summary = lines.slice(beforeTracking).find((l) => l.message === 'Tracking runs');
      expect(summary).toBeDefined();
      expect(summary).not.toHaveProperty('runId');
    } finally {
      for (const spy of streams) spy.mockRestore();
    }
  });
});
