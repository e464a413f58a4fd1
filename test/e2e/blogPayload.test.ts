import { readFile } from 'node:fs/promises';
import { AUTOMATION_DOCUMENT_NAME, parsePayload, summarizeRun } from '@orgpatch/core';
import { startRun, trackRun } from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import { type E2e, e2eWorld, MGMT, startE2e } from './harness.js';

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

describe('the blog payload (one account, its listed Regions)', () => {
  it("patches the caller's own account in each listed Region that has instances, without Organizations or AssumeRole", async () => {
    e2e = await startE2e(e2eWorld());
    // examples/payload.json as the blog wrote it, with the member document and the account's own automation role.
    const blog = JSON.parse(await readFile(new URL('../../examples/payload.json', import.meta.url), 'utf8')) as Record<
      string,
      unknown
    >;
    const payload = {
      ...blog,
      TaskExecutionId: '0c3a1b2c-1111-4222-8333-944455556666',
      Document: {
        Name: AUTOMATION_DOCUMENT_NAME,
        Version: '1',
        Parameters: { AutomationAssumeRole: [`arn:aws:iam::${MGMT}:role/OrgPatchAutomationRole`], Operation: ['Scan'] },
      },
    };
    const request = parsePayload(payload);
    expect(request.organization).toBeUndefined();
    const deps = e2e.deps(request);
    const { record } = await startRun(request, deps);
    const tracked = await trackRun(record, deps);
    expect(tracked.record.status).toBe('succeeded');
    expect(tracked.record.locations.map((l) => `${l.accountId}/${l.region}:${l.status}`)).toEqual([
      `${MGMT}/us-east-2:succeeded`,
      `${MGMT}/us-east-1:succeeded`,
    ]);
    expect(summarizeRun(tracked.record).instances).toMatchObject({ total: 3, succeeded: 3 });
    const calls = e2e.sandbox.calls;
    // Organizations is asked only which Organization the account is in: its run leases that scope.
    expect(calls.list({ service: 'organizations' }).map((c) => c.operation)).toEqual(['DescribeOrganization']);
    expect(tracked.record.organization.organizationId).toBe('o-e2etest0001');
    expect(calls.count({ operation: 'AssumeRole' })).toBe(0);
    expect(calls.count({ operation: 'StartAutomationExecution', ok: true })).toBe(2);
    // Scan reports only: the sandbox's instances still miss their patches.
    const instance = [...(e2e.sandbox.world.accounts.get(MGMT)?.regions.get('us-east-1')?.instances.values() ?? [])][0];
    expect(instance?.patchState.operation).toBe('Scan');
    expect(instance?.patchState.missingCount).toBe(4);
  });
});
