import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@orgpatch/cli';
import { parsePayload, type RunCompliance } from '@orgpatch/core';
import { runEngine } from '@orgpatch/orchestrator';
import { type CliRun, cliRunner } from '@orgpatch/test-support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compliancePayload, complianceWorld } from './complianceWorld.js';
import { type E2e, startE2e } from './harness.js';

/**
 * A finished run takes a compliance snapshot of the nodes it targeted (`c-<run-id>`, stored with the
 * run id) and its reports say critical, security and unmanaged before and after, "before" being the
 * latest snapshot of the Organization stored before the run began.
 */

let e2e: E2e;
let dir: string;
let payload: string;
const orgpatch = cliRunner(main);
function cli(args: string[]): Promise<CliRun> {
  return orgpatch([...args, '--store', e2e.store.root], { env: e2e.sandbox.env('us-east-1'), cwd: dir });
}

beforeAll(async () => {
  e2e = await startE2e(complianceWorld());
  dir = await mkdtemp(join(tmpdir(), 'orgpatch-run-compliance-e2e-'));
  payload = join(dir, 'payload.json');
  await writeFile(payload, JSON.stringify(compliancePayload()));
});
afterAll(async () => {
  await e2e.stop();
  await rm(dir, { recursive: true, force: true });
});

async function run(runId: string, extra: Record<string, unknown> = {}, deps = e2e.deps.bind(e2e)) {
  const body = { ...compliancePayload(), ...extra };
  const request = parsePayload(body);
  const result = await runEngine(body, deps(request, { runId }), { runId });
  const manifest = await e2e.store.sharded?.manifest(runId);
  return { result, compliance: manifest?.compliance as RunCompliance | undefined };
}

const artifact = (runId: string, name: string) => readFile(join(e2e.store.root, runId, name), 'utf8');

describe('a finished run takes a compliance snapshot', () => {
  it('without a snapshot before it, says so and invents no before numbers', async () => {
    const { result, compliance } = await run('r-first');
    expect(result.finished?.status).toBe('succeeded');
    if (!compliance?.taken) throw new Error(`no snapshot: ${JSON.stringify(compliance)}`);
    expect(compliance.before).toBeUndefined();
    expect(compliance.after).toMatchObject({ snapshotId: 'c-r-first', critical: 0, security: 0, unmanaged: 1 });
    const md = await artifact('r-first', 'report.md');
    expect(md).toContain('No snapshot before this run');
    expect(md).not.toMatch(/missing before/i);
    const listing = (await e2e.store.listSnapshots()).find((l) => l.snapshotId === 'c-r-first');
    expect(listing).toMatchObject({ runId: 'r-first' });
  });

  it('compares with the latest snapshot stored before it began: critical, security and unmanaged before and after in every report', async () => {
    // The world unpatched again (a new sandbox and store), its snapshot taken by the CLI first.
    await e2e.stop();
    e2e = await startE2e(complianceWorld());
    const taken = await cli(['compliance', payload]);
    expect(taken.code).toBe(0);
    const [before] = (await e2e.store.listSnapshots()).filter((l) => 'takenAt' in l).map((l) => l.snapshotId);
    const { result, compliance } = await run('r-second');
    expect(result.finished?.status).toBe('succeeded');
    if (!compliance?.taken) throw new Error(`no snapshot: ${JSON.stringify(compliance)}`);
    expect(compliance.before).toMatchObject({ snapshotId: before, critical: 1, security: 1, unmanaged: 1 });
    expect(compliance.after).toMatchObject({ snapshotId: 'c-r-second', critical: 0, security: 0, unmanaged: 1 });
    const line =
      'Critical missing before: 1, after: 0. Security missing before: 1, after: 0. Unmanaged before: 1, after: 1';
    expect(await artifact('r-second', 'report.md')).toContain(line);
    const html = await artifact('r-second', 'report.html');
    expect(html).toContain('<section class="compliance" data-taken="true">');
    expect(html).toContain(line);
    const json = JSON.parse(await artifact('r-second', 'report.json'));
    expect(json.summary.compliance).toEqual(compliance);
    expect(json.record.compliance).toEqual(compliance);
    // `orgpatch report` renders it again from the store, with the same numbers.
    const report = await cli(['report', 'r-second', '--format', 'md']);
    expect(report.stdout).toContain(line);
    // The run's snapshot is the one --compare <run-id> finds.
    const compared = await cli(['compliance', payload, '--compare', 'r-second']);
    expect(compared.code).toBe(0);
    expect(compared.stderr).toContain('Compared with snapshot c-r-second');
  });

  it('a snapshot that cannot be stored does not fail the run: recorded as not taken, with why', async () => {
    // A shard left by a crashed writer under the run's snapshot id: the store refuses to replace it.
    const leftover = join(e2e.store.root, '.compliance', 'c-r-broken', 'shards');
    await mkdir(leftover, { recursive: true });
    await writeFile(join(leftover, '00000.json'), '{}\n');
    const { result, compliance } = await run('r-broken');
    expect(result.finished?.status).toBe('succeeded');
    expect(compliance).toMatchObject({ taken: false });
    expect(compliance?.taken === false && compliance.reason).toMatch(/already stored|never replaced/);
    expect(await artifact('r-broken', 'report.md')).toContain('No compliance snapshot was taken after this run');
  });

  it("a run larger than the step may snapshot (the step Lambda's bound) records why, and still finishes", async () => {
    const bounded = (request: Parameters<typeof e2e.deps>[0], options: Parameters<typeof e2e.deps>[1]) => ({
      ...e2e.deps(request, options),
      runSnapshotMaxAccounts: 1,
    });
    const { result, compliance } = await run('r-large', {}, bounded);
    expect(result.finished?.status).toBe('succeeded');
    expect(compliance).toMatchObject({ taken: false });
    expect(compliance?.taken === false && compliance.reason).toMatch(
      /targets \d+ accounts, more than the 1 a finished run's snapshot is taken for/,
    );
    expect((await e2e.store.listSnapshots()).map((l) => l.snapshotId)).not.toContain('c-r-large');
  });

  it('a dry run takes none', async () => {
    const { result, compliance } = await run('r-dry', { DryRun: true });
    expect(result.finished).toBeDefined();
    expect(compliance).toBeUndefined();
    expect((await e2e.store.listSnapshots()).map((l) => l.snapshotId)).not.toContain('c-r-dry');
    expect(await artifact('r-dry', 'report.md')).not.toContain('## Compliance');
  });
});
