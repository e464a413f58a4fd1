import { AUTOMATION_ROLE_NAME, type parsePayload } from '@orgpatch/core';
import {
  AwsPreflightReader,
  createLambdaRuntime,
  handleMaintenanceWindowEvent,
  runStepWithDeps,
} from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DENIED, type E2e, e2eWorld, orgPayload, PROD1, startE2e } from './harness.js';

let e2e: E2e | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await e2e?.stop();
  e2e = undefined;
});

const TASK = '5c1f9e8b-2345-4bcd-8ef0-1b2c3d4e5f60';

describe('a dry run through the maintenance-window Lambda', () => {
  it('runs the preflight on the same plan, logs each problem and returns the verdict, starting nothing', async () => {
    e2e = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    e2e.sandbox.world.accounts.get(PROD1)?.roles.delete(AUTOMATION_ROLE_NAME);
    const runtime = createLambdaRuntime({ clients: e2e.clients, bucket: 'orgpatch-runs', logLevel: 'SILENT' });
    vi.spyOn(runtime.metrics, 'publishStoredMetrics').mockImplementation(() => runtime.metrics);
    const warnings: Record<string, unknown>[] = [];
    vi.spyOn(runtime.logger, 'warn').mockImplementation((message, ...extra) => {
      warnings.push({ message, ...Object.assign({}, ...extra.filter((e) => typeof e === 'object')) });
    });

    const event = orgPayload({ WindowId: 'mw-0123456789abcdef0', TaskExecutionId: TASK, DryRun: true });
    const result = await handleMaintenanceWindowEvent(event, runtime);
    if (!('summary' in result)) throw new Error(`the dry run was skipped: ${JSON.stringify(result)}`);

    expect(result.summary.status).toBe('planned');
    expect(result.preflight?.ok).toBe(false);
    expect(result.preflight?.counts.errors).toBe(1);
    const problems = warnings.filter((w) => w.message === 'Preflight problem');
    expect(problems).toContainEqual(
      expect.objectContaining({ accountId: PROD1, check: 'automation-role', severity: 'error' }),
    );
    // The unreachable accounts are skipped by the payload (SkipUnreachable): listed, as warnings.
    expect(problems.filter((p) => p.check === 'execution-role').map((p) => p.severity)).toEqual(['warning']);
    expect(e2e.sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
    // One discovery for the plan and the preflight together.
    expect(e2e.sandbox.calls.count({ operation: 'DescribeOrganization' })).toBeLessThanOrEqual(1);
  });
});

describe("a dry run through the state machine's steps", () => {
  it('runs the preflight on each plan group and logs each problem, starting nothing', async () => {
    e2e = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    const world = e2e;
    world.sandbox.world.accounts.get(PROD1)?.roles.delete(AUTOMATION_ROLE_NAME);
    const warnings: Record<string, unknown>[] = [];
    const logger = {
      info: () => undefined,
      error: () => undefined,
      warn: (message: string, ...extra: Record<string, unknown>[]) => {
        warnings.push({ message, ...Object.assign({}, ...extra) });
      },
    };
    const payload = orgPayload({ WindowId: 'mw-0123456789abcdef0', TaskExecutionId: TASK, DryRun: true });
    // The step Lambda's deps: the run's AWS ports and the preflight's reads (stepHandler.ts).
    const depsFor = (request: ReturnType<typeof parsePayload>, runId: string) => {
      const deps = world.deps(request, { runId });
      return {
        ...deps,
        logger,
        preflight: new AwsPreflightReader({ clients: world.clients, credentials: deps.credentials }),
      };
    };
    const begun = (await runStepWithDeps({ step: 'begin', payload }, world.store, depsFor)) as unknown as {
      runId: string;
      groups: number[];
    };
    for (const group of begun.groups) {
      await runStepWithDeps({ step: 'plan', runId: begun.runId, group }, world.store, depsFor);
    }
    const problems = warnings.filter((w) => w.message === 'Preflight problem');
    expect(problems).toContainEqual(
      expect.objectContaining({ accountId: PROD1, check: 'automation-role', severity: 'error' }),
    );
    expect(world.sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
  });
});
