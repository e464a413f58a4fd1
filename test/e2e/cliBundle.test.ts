import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLI_NODE_FLAGS } from '@orgpatch/cli/heap';
import { type Sandbox, startSandbox } from '@orgpatch/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedOrgPayload } from './harness.js';

// The orgpatch command as `npm run build` ships it: esbuild's bundle split at its dynamic imports
// (packages/cli/scripts/bundle.mjs), run by bin/orgpatch.js in a process of its own. The other
// tests run the sources; only the bundle can lose a dynamically imported client's exports or the
// step thread's entry.

const run = promisify(execFile);
const cliDir = fileURLToPath(new URL('../../packages/cli/', import.meta.url));

let bundle: string;
let orgpatch: string;
let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  // Inside the package's dist, as the build puts it: the demo finds the repository's examples
  // relative to its own module. (A fresh clone has no dist yet: the tests do not build.)
  await mkdir(join(cliDir, 'dist'), { recursive: true });
  bundle = await mkdtemp(join(cliDir, 'dist', 'bundle-test-'));
  await run(process.execPath, [join(cliDir, 'scripts', 'bundle.mjs'), '--outdir', bundle]);
  // The command's own entry, pointed at this bundle.
  const bin = await readFile(join(cliDir, 'bin', 'orgpatch.js'), 'utf8');
  const pointed = bin.replaceAll("'../dist/bundle/", "'./");
  expect(pointed.match(/'\.\/(heap|main)\.js'/g)).toEqual(["'./heap.js'", "'./main.js'"]);
  orgpatch = join(bundle, 'orgpatch.js');
  await writeFile(orgpatch, pointed);
  sandbox = await startSandbox({
    world: { generate: { seed: 9, accounts: 180, regions: 1 } },
    timeScale: 0,
    emptyPageRate: 0,
    faults: { throttle: [] },
  });
  dir = await mkdtemp(join(tmpdir(), 'orgpatch-cli-bundle-'));
}, 60_000);
afterAll(async () => {
  await sandbox?.stop();
  if (bundle) await rm(bundle, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [...CLI_NODE_FLAGS, orgpatch, ...args], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 });
}

describe('the bundled orgpatch command', () => {
  it('runs the demo: its health gate (CloudWatch), snapshots and compliance load on first use', async () => {
    // A failing command exits non-zero, which rejects here; its stderr only names the sandbox.
    const r = await cli(['demo', '--store', 'demo-runs']);
    expect(r.stderr).toMatch(/^Sandbox at http:\/\/127\.0\.0\.1:\d+: 12 accounts/);
    expect(r.stderr).not.toMatch(/^orgpatch:/m);
    expect(r.stdout).toMatch(/held \d+ min by its health gate \(alarm "prod-health" is in ALARM/);
    expect(r.stdout).toMatch(/^Compliance after the run: \d+ nodes: 0 missing Critical patches/m);
    expect(r.stdout).toMatch(/^Done in [\d.]+ s\./m);
  }, 60_000);

  it('plans and starts with a step thread from the bundle, no step run again in the main thread', async () => {
    const payload = join(dir, 'payload.json');
    await writeFile(payload, generatedOrgPayload(sandbox));
    const starts = () => sandbox.calls.list({ operation: 'StartAutomationExecution', ok: true }).length;
    const before = starts();
    const r = await cli(['run', payload, '--store', 'runs', '--threads', '1', '--json'], sandbox.env('us-east-1'));
    // A thread that could not start, or a step that failed in it, is reported here.
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { summary: { locations: { started: number } } };
    expect(out.summary.locations.started).toBeGreaterThan(20);
    expect(starts() - before).toBeGreaterThanOrEqual(out.summary.locations.started);
  }, 60_000);
});
