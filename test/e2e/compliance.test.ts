import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@orgpatch/cli';
import { parsePayload } from '@orgpatch/core';
import { startRun, trackRun } from '@orgpatch/orchestrator';
import { type CliRun, cliRunner } from '@orgpatch/test-support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compliancePayload, complianceWorld, NODE } from './complianceWorld.js';
import { DEV1, type E2e, NOSTACK, startE2e } from './harness.js';

let e2e: E2e;
let dir: string;
let payload: string;
const orgpatch = cliRunner(main);
/** `orgpatch <args> --store <the e2e store>` in the test folder, pointed at the sandbox. */
function cli(args: string[]): Promise<CliRun> {
  return orgpatch([...args, '--store', e2e.store.root], { env: e2e.sandbox.env('us-east-1'), cwd: dir });
}
const snapshotIds = async () =>
  (await e2e.store.listSnapshots()).map((l) => l.snapshotId).filter((id) => id.startsWith('c-2'));

beforeAll(async () => {
  e2e = await startE2e(complianceWorld());
  dir = await mkdtemp(join(tmpdir(), 'orgpatch-compliance-e2e-'));
  payload = join(dir, 'payload.json');
  await writeFile(payload, JSON.stringify(compliancePayload()));
});
afterAll(async () => {
  await e2e.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('orgpatch compliance against the sandbox', () => {
  let first: string;

  it('stores a snapshot, writes every format, names what it did not see, and fails the critical gate', async () => {
    const r = await cli(['compliance', payload, '--fail-on', 'critical', '--out-dir', 'out']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--fail-on critical: 1 node missing Critical patches/);
    const json = JSON.parse(await readFile(join(dir, 'out', 'compliance.json'), 'utf8'));
    first = json.snapshotId;
    expect(await snapshotIds()).toEqual([first]);
    expect(r.stderr).toContain(`Snapshot ${first} stored at`);
    expect(json.rollup.organization).toMatchObject({
      nodes: 7,
      critical: 1,
      security: 1,
      unmanaged: 1,
      offline: 1,
      notSeen: 2,
    });
    const levels = Object.fromEntries(
      json.nodes.map((n: { instanceId: string; level: string }) => [n.instanceId, n.level]),
    );
    expect(levels).toMatchObject({
      [NODE.critical]: 'critical',
      [NODE.security]: 'security',
      [NODE.neverScanned]: 'unknown',
    });
    expect(
      json.notSeen.map((g: { accountId: string; region?: string; reason: string }) => [
        g.accountId,
        g.region,
        g.reason,
      ]),
    ).toEqual([
      [DEV1, 'ap-east-1', 'region-not-enabled'],
      [NOSTACK, undefined, 'member-stack-missing'],
    ]);
    const asff = JSON.parse(await readFile(join(dir, 'out', 'compliance.asff.json'), 'utf8'));
    // critical, security, offline (1 missing) and prod's 3 missing: four non-compliant nodes.
    expect(asff.map((f: { AwsAccountId: string; Id: string }) => f.Id.split('/').at(-1)).sort()).toEqual(
      [NODE.critical, NODE.security, NODE.offline, NODE.other].sort(),
    );
    const csv = await readFile(join(dir, 'out', 'compliance.csv'), 'utf8');
    expect(csv.split('\r\n').filter((l) => l !== '')).toHaveLength(1 + 7 + 2);
    expect(await readFile(join(dir, 'out', 'compliance.md'), 'utf8')).toContain('## Not seen');
    expect(e2e.sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
    const list = await cli(['compliance', '--list']);
    expect(list.stdout).toContain(first);
  });

  it('after an Install run, --compare says what was fixed and the critical gate holds', async () => {
    const request = parsePayload(compliancePayload());
    const deps = e2e.deps(request);
    const { record } = await startRun(request, deps);
    await trackRun(record, deps, { until: 'done', writeReports: false });
    const r = await cli(['compliance', payload, '--compare', first, '--format', 'json', '--fail-on', 'critical']);
    expect(r.stderr).toContain('Critical missing before: 1, after: 0');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.comparison.before.snapshotId).toBe(first);
    expect(json.comparison.totals).toMatchObject({
      criticalNodes: { before: 1, after: 0 },
      securityNodes: { before: 1, after: 0 },
      // critical, security and prod's node were patched; the offline one could not be reached.
      fixed: 3,
      stillMissing: 1,
    });
    const still = json.comparison.nodes.find((d: { change: string }) => d.change === 'still-missing');
    expect(still.instanceId).toBe(NODE.offline);
    expect(await snapshotIds()).toHaveLength(2);
  });

  it('refuses an unknown snapshot, a run without one, a malformed one and another Organization’s, storing nothing', async () => {
    const before = await snapshotIds();
    const ssmCalls = e2e.sandbox.calls.count({ service: 'ssm' });
    const unknown = await cli(['compliance', payload, '--compare', 'c-nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Compliance snapshot c-nope was not found in .*orgpatch compliance --list/);
    expect(e2e.sandbox.calls.count({ service: 'ssm' })).toBe(ssmCalls);

    const [runId] = (await e2e.store.list()).map((r) => r.runId);
    const run = await cli(['compliance', payload, '--compare', runId ?? '']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`a run ${runId} is stored, but no compliance snapshot was taken for it`);

    const broken = join(e2e.store.root, '.compliance', 'c-broken');
    await mkdir(broken, { recursive: true });
    await writeFile(join(broken, 'manifest.json'), '{"schemaVersion":1}');
    const malformed = await cli(['compliance', payload, '--compare', 'c-broken']);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/Compliance snapshot c-broken cannot be used: .*manifest\.json is not valid/);
    const shown = await cli(['compliance', '--snapshot', 'c-broken']);
    expect(shown.code).toBe(1);

    const mine = await e2e.store.getSnapshot(before[0] ?? '');
    if (!mine) throw new Error('the first snapshot is gone');
    await e2e.store.putSnapshot({
      ...mine,
      snapshotId: 'c-elsewhere',
      organization: { ...mine.organization, organizationId: 'o-elsewhere01' },
    });
    const ssmBeforeOther = e2e.sandbox.calls.count({ service: 'ssm' });
    const other = await cli(['compliance', payload, '--compare', 'c-elsewhere']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/c-elsewhere was taken of Organization o-elsewhere01, not o-compliance01/);
    // Refused once the Organization was discovered, before any node was read.
    expect(e2e.sandbox.calls.count({ service: 'ssm' })).toBe(ssmBeforeOther);

    // A shard altered after it was written: refused (its hash) before any report is written.
    await e2e.store.putSnapshot({ ...mine, snapshotId: 'c-tampered' });
    const shard = join(e2e.store.root, '.compliance', 'c-tampered', 'shards', '00000.json');
    await writeFile(shard, (await readFile(shard, 'utf8')).replace('"online"', '"offline"'));
    const tampered = await cli(['compliance', '--snapshot', 'c-tampered', '--format', 'json']);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toBe('');
    expect(tampered.stderr).toMatch(/c-tampered/);

    const age = await cli(['compliance', payload, '--max-age', '0']);
    expect(age.code).toBe(2);
    expect(await snapshotIds()).toEqual(before);
  });

  it('reports a stored snapshot again without asking AWS', async () => {
    const calls = e2e.sandbox.calls.count({});
    const r = await cli(['compliance', '--snapshot', first, '--format', 'md']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`# orgpatch compliance ${first}`);
    expect(e2e.sandbox.calls.count({})).toBe(calls);
  });
});
