import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@orgpatch/cli';
import { type Sandbox, startSandbox } from '@orgpatch/sandbox';
import { type CliRun, cliRunner } from '@orgpatch/test-support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DENIED, DEV1, e2eWorld, MGMT, NOSTACK, orgPayload, parseReportHtml } from './harness.js';

let sandbox: Sandbox;
let dir: string;
let payload: string;

const orgpatch = cliRunner(main);
/** `orgpatch <args>` in the test folder, pointed at the sandbox. */
function cli(args: string[]): Promise<CliRun> {
  return orgpatch(args, { env: sandbox.env('us-east-1'), cwd: dir });
}

beforeAll(async () => {
  // A fast clock (half a simulated hour per real second): the CLI waits in real time. Not faster:
  // the CLI judges session expiry by the real clock, and an hour-long session must outlast a call.
  sandbox = await startSandbox({
    world: e2eWorld(),
    timeScale: 1800,
    faults: { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] },
  });
  dir = await mkdtemp(join(tmpdir(), 'orgpatch-cli-e2e-'));
  payload = join(dir, 'payload.json');
  await writeFile(payload, JSON.stringify(orgPayload()));
});
afterAll(async () => {
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the orgpatch CLI against the sandbox', () => {
  it("plan prints every location's decision, and nothing is started", async () => {
    const r = await cli(['plan', payload]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(DEV1);
    expect(r.stdout).toContain('skip: member-stack-missing');
    expect(r.stdout).toMatch(/18 locations: 4 to start \(9 instances\)/);
    expect(sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
    const j = await cli(['plan', payload, '--json']);
    const out = JSON.parse(j.stdout) as {
      plan: { locations: { accountId: string; region: string; decision: { action: string; reason?: string } }[] };
    };
    expect(out.plan.locations.find((l) => l.accountId === NOSTACK)?.decision).toMatchObject({
      action: 'skip',
      reason: 'member-stack-missing',
    });
  });

  it('run --wait tracks to the end, writes the reports and status reads them back', async () => {
    const r = await cli(['run', payload, '--wait', '--poll', '0.05', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      runId: string;
      summary: { status: string };
      artifacts: { html: string; json: string; csv: string };
    };
    expect(out.summary.status).toBe('succeeded');
    const { cells } = parseReportHtml(await readFile(out.artifacts.html, 'utf8'));
    expect(cells).toHaveLength(18);
    const status = await cli(['status', out.runId, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ runId: out.runId, status: 'succeeded' });
    const md = await cli(['report', out.runId, '--format', 'md']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain(out.runId);
    // Rendered again from the run's shards: the same bytes as the reports the run wrote.
    for (const format of ['json', 'csv'] as const) {
      const again = join(dir, `again.${format}`);
      expect((await cli(['report', out.runId, '--format', format, '--out', again])).code).toBe(0);
      expect(await readFile(again, 'utf8')).toBe(await readFile(out.artifacts[format], 'utf8'));
    }
  });

  it('run --dry-run records the plan and starts nothing', async () => {
    sandbox.calls.reset();
    const r = await cli(['run', payload, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dry run');
    expect(sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
  });

  it('exits 3 and says what to do when the caller may not list the Organization', async () => {
    sandbox.faults.set({ accessDenied: [{ accountId: MGMT, service: 'organizations' }] });
    try {
      const r = await cli(['plan', payload]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        /may not list the Organization .*Run orgpatch from the management account, or from a delegated administrator account/,
      );
    } finally {
      sandbox.faults.set({ accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    }
  });
});
