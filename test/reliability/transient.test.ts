import { parsePayload } from '@orgpatch/core';
import { startRun, trackRun } from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import { DENIED, type E2e, e2eWorld, orgPayload, startE2e } from '../e2e/harness.js';

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

describe('transient is retried, permanent is reported', () => {
  it('starts every location through 60% server errors on StartAutomationExecution, each exactly once', async () => {
    e2e = await startE2e(e2eWorld(), {
      accessDenied: [{ accountId: DENIED, service: 'resource-groups' }],
      serverErrorRateByOperation: { 'ssm:StartAutomationExecution': 0.6 },
      // Server errors alone: with SSM's API rates on too (the sandbox's default), each retried start
      // also waits out the 1-per-second bucket in real time.
      throttle: [],
      seed: 7,
    });
    const request = parsePayload(orgPayload());
    const deps = e2e.deps(request);
    const { record } = await startRun(request, deps);
    const tracked = await trackRun(record, deps, { until: 'done' });
    const toStart = tracked.record.locations.filter((l) => l.decision.action === 'start');
    expect(toStart.length).toBeGreaterThan(0);
    for (const l of toStart) {
      expect(l.error).toBeUndefined();
      expect(l.executions).toHaveLength(1);
    }
    expect(tracked.record.status).toBe('succeeded');
    // Some starts were refused and retried: the SDK's retries, then the run's own passes.
    expect(e2e.sandbox.calls.count({ operation: 'StartAutomationExecution', ok: false })).toBeGreaterThan(0);
  });

  it('reads an execution as Unknown while reads fail, and never records it failed unless AWS says so', async () => {
    e2e = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    const request = parsePayload(orgPayload());
    const deps = e2e.deps(request);
    const { record } = await startRun(request, deps);
    e2e.sandbox.faults.set({ accessDenied: [{ accountId: record.locations[0]?.accountId ?? '', service: 'ssm' }] });
    const stalled = await trackRun(record, deps, { until: 'done', maxPolls: 8 });
    expect(stalled.finished).toBe(false);
    const unread = stalled.record.locations.flatMap((l) => l.executions).filter((x) => x.status === 'Unknown');
    expect(unread.length).toBeGreaterThan(0);
    expect(stalled.record.locations.filter((l) => l.status === 'failed')).toEqual([]);

    e2e.sandbox.faults.set({ accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    const done = await trackRun(stalled.record.runId, deps, { until: 'done' });
    expect(done.record.status).toBe('succeeded');
  });
});
