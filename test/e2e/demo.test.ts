import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@orgpatch/cli';
import { LocalRunStore } from '@orgpatch/orchestrator';
import { cliRunner } from '@orgpatch/test-support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `orgpatch demo`: compliance before its run, the run, compliance after it and the delta, also in the report. */

let dir: string;
const orgpatch = cliRunner(main);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orgpatch-demo-e2e-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('orgpatch demo', () => {
  it('prints compliance before and after its run and the delta, which the run report shows too', async () => {
    const r = await orgpatch(['demo', '--store', 'runs'], { cwd: dir, env: {} });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    const before = at(/^Compliance before the run: \d+ nodes: (\d+) missing Critical patches/);
    const run = at(/^Run \S+: /);
    const after = at(/^Compliance after the run: \d+ nodes: /);
    const delta = at(/^Critical missing before: \d+, after: \d+\./);
    expect(
      [before, run, after, delta].every((i) => i >= 0),
      r.stdout,
    ).toBe(true);
    expect(before).toBeLessThan(run);
    expect(run).toBeLessThan(after);
    expect(after).toBeLessThan(delta);
    // The demo world's Install fixes the Critical and Security patches of the nodes it reaches.
    const [, critBefore, critAfter] = lines[delta]?.match(/^Critical missing before: (\d+), after: (\d+)/) ?? [];
    expect(Number(critBefore)).toBeGreaterThan(0);
    expect(Number(critAfter)).toBeLessThan(Number(critBefore));
    const runId = lines[run]?.match(/^Run (\S+):/)?.[1] ?? '';
    // The run was compared with the snapshot the demo took just before it.
    expect(lines[delta]).toContain(`(before: snapshot c-${runId}-before,`);
    const store = new LocalRunStore(join(dir, 'runs'));
    const snapshots = await store.listSnapshots();
    expect(snapshots.map((s) => s.snapshotId).sort()).toEqual([`c-${runId}`, `c-${runId}-before`]);
    expect(snapshots.find((s) => s.snapshotId === `c-${runId}`)).toMatchObject({ runId });
    const md = await readFile(join(dir, 'runs', runId, 'report.md'), 'utf8');
    expect(md).toContain(lines[delta]?.split(' (before:')[0]);
    expect(await readFile(join(dir, 'runs', runId, 'report.html'), 'utf8')).toContain(
      '<section class="compliance" data-taken="true">',
    );
  });
});
