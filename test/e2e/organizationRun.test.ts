import { readFile } from 'node:fs/promises';
import { parsePayload, summarizeRun } from '@orgpatch/core';
import { planRun, startRun, trackRun } from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DENIED,
  DEV1,
  DEV2,
  type E2e,
  e2eWorld,
  MGMT,
  NOSTACK,
  ORG_REGIONS,
  orgPayload,
  PROD1,
  parseReportHtml,
  SUSPENDED,
  startE2e,
} from './harness.js';

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

describe('an Organization payload with two waves, against the sandbox', () => {
  it('plans every location with its decision and the reason for each skip', async () => {
    e2e = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    const request = parsePayload(orgPayload());
    const { plan } = await planRun(request, e2e.deps(request));
    const decision = (account: string, region: string) => {
      const d = plan.locations.find((l) => l.accountId === account && l.region === region)?.decision;
      return d?.action === 'skip' ? `skip:${d.reason}` : d?.action === 'fail' ? `fail:${d.code}` : d?.action;
    };
    expect(decision(DEV1, 'us-east-1')).toBe('start');
    expect(decision(DEV1, 'eu-west-1')).toBe('skip:no-instances');
    expect(decision(DEV1, 'ap-east-1')).toBe('skip:region-not-enabled');
    expect(decision(DEV2, 'eu-west-1')).toBe('skip:groups-missing');
    expect(decision(PROD1, 'eu-west-1')).toBe('start');
    expect(decision(NOSTACK, 'us-east-1')).toBe('skip:member-stack-missing');
    expect(decision(SUSPENDED, 'us-east-1')).toBe('skip:account-suspended');
    expect(decision(DENIED, 'us-east-1')).toBe('skip:access-denied');
    // The management account is outside both waves' OUs and not included: not considered at all.
    expect(plan.locations.some((l) => l.accountId === MGMT)).toBe(false);
    // Every account in scope x every Region, exactly once.
    expect(plan.locations).toHaveLength(6 * ORG_REGIONS.length);
    expect(plan.counts).toMatchObject({ start: 4, fail: 0, instances: 9 });
    expect(plan.waves.map((w) => w.name)).toEqual(['dev', 'prod']);
    // The account without member stacks cost one AssumeRole, not one per Region.
    expect(e2e.sandbox.calls.count({ operation: 'ListGroupResources', accountId: NOSTACK })).toBe(0);
  });

  it("runs dev before prod, and the report matches the sandbox's final instance states", async () => {
    e2e = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    const { sandbox } = e2e;
    const request = parsePayload(orgPayload());
    const deps = e2e.deps(request);
    const { record } = await startRun(request, deps);
    // Only the first wave was started.
    const starts = () => sandbox.calls.list({ operation: 'StartAutomationExecution', ok: true });
    expect(new Set(starts().map((c) => c.accountId))).toEqual(new Set([DEV1, DEV2]));
    const tracked = await trackRun(record, deps);
    expect(tracked.finished).toBe(true);
    expect(tracked.record.status).toBe('succeeded');
    const order = starts().map((c) => c.accountId);
    expect(order.slice(0, 2).every((a) => a === DEV1 || a === DEV2)).toBe(true);
    expect(order.slice(2)).toEqual([PROD1, PROD1]);
    // Prod started only after dev's executions ended (simulated time of the calls).
    const devEnd = Math.max(
      ...tracked.record.locations
        .filter((l) => l.wave === 'dev')
        .flatMap((l) => l.executions.map((e) => Date.parse(e.endedAt ?? ''))),
    );
    const prodStart = Math.min(
      ...starts()
        .filter((c) => c.accountId === PROD1)
        .map((c) => c.time),
    );
    expect(prodStart).toBeGreaterThanOrEqual(devEnd);

    // The record's per-instance results against the sandbox's own instance states.
    const summary = summarizeRun(tracked.record);
    let succeeded = 0;
    let failed = 0;
    for (const location of tracked.record.locations.filter((l) => l.executions.length > 0)) {
      const simRegion = sandbox.world.accounts.get(location.accountId)?.regions.get(location.region);
      const recorded = location.executions.flatMap((e) => e.instances);
      expect(recorded.length).toBe(location.instanceCount);
      for (const result of recorded) {
        const sim = simRegion?.instances.get(result.instanceId);
        expect(sim, result.instanceId).toBeDefined();
        if (!sim) continue;
        expect(sim.patchState.snapshotId).toBe(tracked.record.snapshotId);
        expect(sim.patchState.operation).toBe('Install');
        expect(result.patch).toMatchObject({
          installedCount: sim.patchState.installedCount,
          missingCount: sim.patchState.missingCount,
          failedCount: sim.patchState.failedCount,
        });
        if (sim.failsPatching) failed += 1;
        else succeeded += 1;
      }
    }
    expect(summary.instances).toMatchObject({ total: 9, succeeded, failed, inProgress: 0, notStarted: 0 });
    expect(succeeded).toBe(9);

    // The HTML report parses and holds one heat-map cell per account x Region of the plan.
    const html = await readFile(tracked.artifacts?.html ?? '', 'utf8');
    const { cells } = parseReportHtml(html);
    expect(cells).toHaveLength(tracked.record.locations.length);
    expect(new Set(cells.map((c) => `${c.account}/${c.region}`)).size).toBe(6 * ORG_REGIONS.length);
    expect(cells.find((c) => c.account === PROD1 && c.region === 'eu-west-1')?.status).toBe('succeeded');
    expect(cells.find((c) => c.account === NOSTACK && c.region === 'us-east-1')?.status).toBe('skipped');
    const csv = await readFile(tracked.artifacts?.csv ?? '', 'utf8');
    expect(csv.trim().split('\n').length).toBeGreaterThan(1);
  });
});
