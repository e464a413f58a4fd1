import { parsePayload } from '@orgpatch/core';
import {
  createLambdaRuntime,
  handleMaintenanceWindowEvent,
  RunOverlapError,
  RunRequestMismatchError,
  startRun,
  trackRun,
} from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import { DENIED, DEV1, DEV2, type E2e, e2eWorld, orgPayload, startE2e } from '../e2e/harness.js';

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

const TASK = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

async function world(): Promise<E2e> {
  return startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
}

describe('a resumed run is the same run', () => {
  it('refuses to resume an Install run as a dry run, and starts nothing', async () => {
    e2e = await world();
    const install = parsePayload(orgPayload({ TaskExecutionId: TASK }));
    // The real run: killed after its first wave's starts (here: simply not tracked further).
    const first = await startRun(install, e2e.deps(install));
    expect(first.record.dryRun).toBe(false);
    e2e.sandbox.calls.reset();

    // The operator reruns the same task execution "to see where it stands".
    const dry = parsePayload(
      orgPayload({
        TaskExecutionId: TASK,
        DryRun: true,
        Document: { Parameters: { Operation: ['Scan'], RebootOption: ['NoReboot'] } },
      }),
    );
    const attempt = startRun(dry, e2e.deps(dry));
    await expect(attempt).rejects.toBeInstanceOf(RunRequestMismatchError);
    await expect(attempt).rejects.toThrow(/DryRun, Operation differ.*start a new run/);
    expect(e2e.sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
  });

  it('never calls StartAutomationExecution for a dry run, even tracked to the end', async () => {
    e2e = await world();
    const dry = parsePayload(orgPayload({ TaskExecutionId: TASK, DryRun: true }));
    const deps = e2e.deps(dry);
    const { record } = await startRun(dry, deps);
    const tracked = await trackRun(record.runId, deps, { until: 'done' });
    expect(tracked.record.dryRun).toBe(true);
    expect(e2e.sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
    expect(await e2e.store.listInProgress()).toEqual([]);
  });
});

describe('runs do not overlap', () => {
  it('refuses a second run on the same Organization while the first holds its lease, naming the holder', async () => {
    e2e = await world();
    const request = parsePayload(orgPayload());
    const first = await startRun(request, e2e.deps(request), { runId: 'first-run' });
    e2e.sandbox.calls.reset();
    const second = startRun(request, e2e.deps(request), { runId: 'second-run' });
    await expect(second).rejects.toBeInstanceOf(RunOverlapError);
    await expect(second).rejects.toThrow(/Run first-run is in progress on the Organization o-e2etest0001/);
    expect(e2e.sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);

    // A dry run plans beside it: it starts nothing and takes no lease.
    const dry = parsePayload(orgPayload({ DryRun: true }));
    await expect(startRun(dry, e2e.deps(dry), { runId: 'dry-beside' })).resolves.toMatchObject({ resumed: false });

    // Once the first run ends, its lease is released and the next run goes ahead.
    await trackRun(first.record.runId, e2e.deps(request), { until: 'done' });
    const third = await startRun(request, e2e.deps(request), { runId: 'third-run' });
    expect(third.record.locations.some((l) => l.accountId === DEV1 || l.accountId === DEV2)).toBe(true);
    expect(third.record.status).toBe('running');
  });

  it("makes the blog's single-account run and an Organization run over that account take turns", async () => {
    e2e = await world();
    const blog = parsePayload({
      Document: {
        Name: 'OrgPatch-RunPatchBaseline',
        Version: '1',
        Parameters: { AutomationAssumeRole: ['arn:aws:iam::100000000000:role/OrgPatchAutomationRole'] },
      },
      Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
      Regions: ['us-east-1'],
    });
    await startRun(blog, e2e.deps(blog), { runId: 'blog-run' });
    const org = parsePayload(orgPayload());
    await expect(startRun(org, e2e.deps(org), { runId: 'org-run' })).rejects.toThrow(/Run blog-run is in progress/);
  });

  it('refuses a Lambda invocation whose {{TASK_EXECUTION_ID}} was left unfilled, before any AWS call', async () => {
    e2e = await world();
    const runtime = createLambdaRuntime({ clients: e2e.clients, bucket: 'orgpatch-runs', logLevel: 'SILENT' });
    for (let i = 0; i < 3; i += 1) {
      await expect(handleMaintenanceWindowEvent(orgPayload(), runtime)).rejects.toThrow(
        /TaskExecutionId: The maintenance window did not fill in \{\{TASK_EXECUTION_ID\}\}/,
      );
    }
    expect(e2e.sandbox.calls.size).toBe(0);
  });
});
