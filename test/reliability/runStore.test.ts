import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { parsePayload } from '@orgpatch/core';
import {
  createAwsRunDeps,
  createLambdaRuntime,
  handleMaintenanceWindowEvent,
  runEngine,
  trackInProgressRuns,
} from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DENIED, type E2e, e2eWorld, orgPayload, startE2e } from '../e2e/harness.js';

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

const BUCKET = 'orgpatch-runs';
const task = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

async function world(): Promise<{ e2e: E2e; runtime: ReturnType<typeof createLambdaRuntime> }> {
  const started = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
  const runtime = createLambdaRuntime({ clients: started.clients, bucket: BUCKET, logLevel: 'SILENT' });
  vi.spyOn(runtime.metrics, 'publishStoredMetrics').mockImplementation(() => runtime.metrics);
  return { e2e: started, runtime };
}

/** Runs one maintenance-window invocation and tracks it to its end. */
async function finishedRun(
  w: { e2e: E2e; runtime: ReturnType<typeof createLambdaRuntime> },
  n: number,
): Promise<string> {
  const { runId } = await handleMaintenanceWindowEvent(
    orgPayload({ WindowId: 'mw-0123456789abcdef0', TaskExecutionId: task(n) }),
    w.runtime,
  );
  for (let i = 0; i < 50 && (await w.runtime.store().listInProgress()).length > 0; i += 1) {
    w.e2e.sandbox.advance(10 * 60_000);
    await trackInProgressRuns(w.runtime);
  }
  return runId;
}

describe('tracking reads only what is in progress', () => {
  it('reads one record per run in progress, however many finished runs the bucket keeps', async () => {
    const w = await world();
    e2e = w.e2e;
    const costOfARound = async (): Promise<number> => {
      await handleMaintenanceWindowEvent(
        orgPayload({ WindowId: 'mw-0123456789abcdef0', TaskExecutionId: task(99) }),
        w.runtime,
      );
      w.e2e.sandbox.calls.reset();
      await trackInProgressRuns(w.runtime);
      const gets = w.e2e.sandbox.calls.count({ operation: 'GetObject' });
      // Finish it, so the next measure starts from the same point.
      for (let i = 0; i < 50 && (await w.runtime.store().listInProgress()).length > 0; i += 1) {
        w.e2e.sandbox.advance(10 * 60_000);
        await trackInProgressRuns(w.runtime);
      }
      return gets;
    };
    const before = await costOfARound();
    for (let n = 1; n <= 4; n += 1) await finishedRun(w, n);
    expect((await w.runtime.store().list()).length).toBeGreaterThanOrEqual(5);
    // A fresh task execution id for the second measure (the first one is finished).
    const after = await (async () => {
      await handleMaintenanceWindowEvent(
        orgPayload({ WindowId: 'mw-0123456789abcdef0', TaskExecutionId: task(98) }),
        w.runtime,
      );
      w.e2e.sandbox.calls.reset();
      await trackInProgressRuns(w.runtime);
      return w.e2e.sandbox.calls.count({ operation: 'GetObject' });
    })();
    expect(after).toBe(before);
    expect(w.e2e.sandbox.calls.count({ operation: 'ListObjectsV2' })).toBe(1);
  });
});

describe('records are untrusted input', () => {
  it('never acts on a dry-run record edited into an Install run: it is not in the in-progress index', async () => {
    const w = await world();
    e2e = w.e2e;
    const { runId } = await handleMaintenanceWindowEvent(
      orgPayload({ WindowId: 'mw-0123456789abcdef0', TaskExecutionId: task(1), DryRun: true }),
      w.runtime,
    );
    const s3 = w.e2e.clients.s3('us-east-1');
    const key = `runs/${runId}/manifest.json`;
    const stored = JSON.parse(
      (await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString()) ?? '{}',
    );
    const edited = {
      ...stored,
      dryRun: false,
      status: 'running',
      request: { ...stored.request, dryRun: false, operation: 'Install' },
    };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(edited) }));
    w.e2e.sandbox.calls.reset();
    const pass = await trackInProgressRuns(w.runtime);
    expect(pass.runs).toEqual([]);
    expect(w.e2e.sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
  });

  it('refuses a run record in progress whose request was edited into something core rejects, starting nothing', async () => {
    const w = await world();
    e2e = w.e2e;
    const { runId } = await handleMaintenanceWindowEvent(
      orgPayload({ WindowId: 'mw-0123456789abcdef0', TaskExecutionId: task(2) }),
      w.runtime,
    );
    const s3 = w.e2e.clients.s3('us-east-1');
    const key = `runs/${runId}/manifest.json`;
    const stored = JSON.parse(
      (await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString()) ?? '{}',
    );
    // Thresholds of 100%: not a value core ever writes (it keeps the payload's raw text and kind).
    const waves = stored.request.organization.waves.map((wave: Record<string, unknown>) => ({
      ...wave,
      errorThreshold: { kind: 'percent', value: 100, raw: '100' },
    }));
    const edited = {
      ...stored,
      request: { ...stored.request, organization: { ...stored.request.organization, waves } },
    };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(edited) }));
    w.e2e.sandbox.calls.reset();
    const pass = await trackInProgressRuns(w.runtime);
    expect(pass.runs).toHaveLength(1);
    expect(pass.runs[0]?.error).toMatch(new RegExp(`s3://${BUCKET}/${key}`));
    expect(w.e2e.sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
  });
});

describe('a run kept by the step engine', () => {
  it('is left to its engine by the tracker, and refused to a writer of whole records', async () => {
    const w = await world();
    e2e = w.e2e;
    const store = w.runtime.store();
    const payload = orgPayload({ WindowId: 'mw-0123456789abcdef0', TaskExecutionId: task(77) });
    const deps = createAwsRunDeps(parsePayload(payload), { clients: w.e2e.clients, store, runId: 'steps-run' });
    const { last } = await runEngine(payload, deps, { runId: 'steps-run', startOnly: true });
    expect(last?.action).toBe('wait');
    expect(await store.listInProgress()).toContain('steps-run');
    const before = await store.sharded.manifest('steps-run');
    const tracked = await trackInProgressRuns(w.runtime);
    expect(tracked.runs.find((r) => r.runId === 'steps-run')).toEqual({
      runId: 'steps-run',
      status: 'running',
      finished: false,
    });
    expect((await store.sharded.manifest('steps-run'))?.revision).toBe(before?.revision);
    const record = await store.get('steps-run');
    if (record === undefined) throw new Error('no record');
    await expect(store.put(record)).rejects.toThrow(/kept by the step engine/);
  });
});
