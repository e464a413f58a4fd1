import { parsePayload } from '@orgpatch/core';
import { createAwsRunDeps, LocalRunStore, planRun, startRun, trackRun } from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import { DENIED, DEV1, DEV2, type E2e, e2eWorld, orgPayload, PROD1, startE2e } from './harness.js';

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

const TASK = '7f1d2c3b-aaaa-4bbb-8ccc-0123456789ab';

describe('resilience against the sandbox', () => {
  it('survives a throttling storm: every location planned and started, none failed for throttling', async () => {
    e2e = await startE2e(e2eWorld(), {
      accessDenied: [{ accountId: DENIED, service: 'resource-groups' }],
      // A storm: each account may list group resources three times a second (burst 1), while orgpatch
      // reads its three Regions at once; StartAutomationExecution is one bucket for everybody.
      throttle: [
        {
          service: 'resource-groups',
          operation: 'ListGroupResources',
          rate: 3,
          burst: 1,
          bucketBy: ['account', 'operation'],
        },
        { service: 'ssm', operation: 'StartAutomationExecution', rate: 4, burst: 1, bucketBy: ['operation'] },
      ],
    });
    const request = parsePayload(orgPayload({ Concurrency: { Global: 16, PerAccount: 4 } }));
    const deps = e2e.deps(request);
    const planned = await planRun(request, deps);
    expect(planned.plan.counts).toMatchObject({ start: 4, fail: 0 });
    const { record } = await startRun(request, deps, { planned });
    expect(record.locations.filter((l) => l.status === 'failed')).toEqual([]);
    const throttled = e2e.sandbox.calls.list({ ok: false }).filter((c) => /Throttl|TooManyRequests/.test(c.outcome));
    // Each account's concurrent reads collided in its bucket: refused, then retried by the SDK.
    expect(throttled.filter((c) => c.operation === 'ListGroupResources').length).toBeGreaterThanOrEqual(2);
  });

  it('runs the same task execution twice and starts nothing new the second time', async () => {
    e2e = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    const { sandbox } = e2e;
    const request = parsePayload(orgPayload({ TaskExecutionId: TASK }));
    const first = await startRun(request, e2e.deps(request));
    const ids = first.record.locations.flatMap((l) => l.executions.map((e) => e.executionId)).sort();
    expect(ids).toHaveLength(2);
    sandbox.calls.reset();

    // A retried invocation: same task execution id, same store, fresh clients and credentials.
    const second = await startRun(request, e2e.deps(request));
    expect(second.resumed).toBe(true);
    expect(second.record.runId).toBe(first.record.runId);
    expect(sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
    expect(sandbox.calls.count({ service: 'organizations' })).toBe(0);

    // Even with the record lost (another store), the ClientTokens return the same executions.
    const elsewhere = createAwsRunDeps(request, {
      clients: e2e.clients,
      store: new LocalRunStore(`${e2e.store.root}-other`),
      credentialClock: () => sandbox.clock.now(),
    });
    const third = await startRun(request, elsewhere);
    expect(third.resumed).toBe(false);
    expect(third.record.locations.flatMap((l) => l.executions.map((e) => e.executionId)).sort()).toEqual(ids);
    expect(sandbox.calls.count({ operation: 'StartAutomationExecution', ok: true })).toBe(2);
    // The same task execution re-run with a changed payload: SSM refuses the reused tokens, and the
    // record says why instead of starting a second patch.
    const changed = parsePayload(
      orgPayload({ TaskExecutionId: TASK, Document: { Parameters: { Operation: ['Scan'] } } }),
    );
    const mismatch = await startRun(
      changed,
      createAwsRunDeps(changed, {
        clients: e2e.clients,
        store: new LocalRunStore(`${e2e.store.root}-third`),
        credentialClock: () => sandbox.clock.now(),
      }),
    );
    const refused = mismatch.record.locations.filter((l) => l.error);
    expect(refused).toHaveLength(2);
    expect(refused[0]?.error).toMatchObject({ code: 'IdempotentParameterMismatchError' });
    expect(refused[0]?.error?.message).toMatch(/ClientToken .* was already used with different parameters/);
    // SSM holds two automations for the task execution (plus their children), not four.
    const parents = [DEV1, DEV2].reduce(
      (n, account) => n + sandbox.calls.count({ operation: 'StartAutomationExecution', accountId: account, ok: true }),
      0,
    );
    expect(parents).toBe(2);
  });

  it('stops at a failing first wave: prod is halted and never started', async () => {
    e2e = await startE2e(e2eWorld({ devFails: true }), {
      accessDenied: [{ accountId: DENIED, service: 'resource-groups' }],
    });
    const request = parsePayload(orgPayload());
    const deps = e2e.deps(request);
    const { record } = await startRun(request, deps);
    const tracked = await trackRun(record, deps);
    expect(tracked.record.status).toBe('halted');
    expect(tracked.record.waves.map((w) => `${w.name}:${w.status}`)).toEqual(['dev:failed', 'prod:halted']);
    expect(tracked.record.waves[1]?.reason).toMatch(/Wave "dev" had 2 failed locations of 2/);
    expect(e2e.sandbox.calls.count({ operation: 'StartAutomationExecution', accountId: PROD1 })).toBe(0);
    const prod = tracked.record.locations.find((l) => l.accountId === PROD1 && l.region === 'us-east-1');
    expect(prod?.status).toBe('halted');
    const dev = tracked.record.locations.find((l) => l.accountId === DEV1 && l.region === 'us-east-1');
    expect(dev?.executions[0]?.instances.every((i) => i.status === 'Failed')).toBe(true);
  });

  it('refreshes member-account credentials that expire mid-run (clock-aware renewal)', async () => {
    e2e = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    const { sandbox } = e2e;
    const request = parsePayload(orgPayload());
    // Each poll round moves simulated time 20 minutes: the hour-long sessions expire during the run.
    const deps = e2e.deps(request, { pollMs: 20 * 60_000 });
    const { record } = await startRun(request, deps);
    const assumedAtStart = sandbox.calls.count({ operation: 'AssumeRole', ok: true });
    sandbox.advance(2 * 3_600_000);
    const tracked = await trackRun(record, deps);
    expect(tracked.record.status).toBe('succeeded');
    expect(sandbox.calls.count({ operation: 'AssumeRole', ok: true })).toBeGreaterThan(assumedAtStart);
    expect(sandbox.calls.count({ outcome: 'ExpiredTokenException' })).toBe(0);
  });

  it('recovers when AWS says a session expired although the orchestrator thought it fresh (clock drift)', async () => {
    e2e = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    const { sandbox } = e2e;
    const request = parsePayload(orgPayload());
    // A clock frozen at the start: the orchestrator never renews on its own.
    const frozen = sandbox.clock.now();
    const deps = e2e.deps(request, { credentialClock: () => frozen });
    const { record } = await startRun(request, deps);
    sandbox.advance(2 * 3_600_000);
    const tracked = await trackRun(record, deps);
    expect(tracked.record.status).toBe('succeeded');
    const expired = sandbox.calls.list({ ok: false }).filter((c) => /Expired/.test(c.outcome));
    expect(expired.length).toBeGreaterThan(0);
    // After each refusal the orchestrator assumed the role again and the call went through.
    expect(tracked.record.locations.filter((l) => l.executions.length > 0).every((l) => l.status === 'succeeded')).toBe(
      true,
    );
  });
});
