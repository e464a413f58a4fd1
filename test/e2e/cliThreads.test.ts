import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@orgpatch/cli';
import type { RunSummary } from '@orgpatch/core';
import { type Sandbox, startSandbox } from '@orgpatch/sandbox';
import { type CliRun, cliRunner } from '@orgpatch/test-support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedOrgPayload } from './harness.js';

// `orgpatch run --threads N`: the CLI hands its store and AWS settings to the engine's step threads.

let sandbox: Sandbox;
let dir: string;
let payload: string;

const orgpatch = cliRunner(main);
function cli(args: string[]): Promise<CliRun> {
  return orgpatch(args, { env: sandbox.env('us-east-1'), cwd: dir });
}

beforeAll(async () => {
  // 180 accounts: two plan groups, so the plan fan-out has steps for a thread.
  sandbox = await startSandbox({
    world: { generate: { seed: 5, accounts: 180, regions: 1 } },
    buckets: ['orgpatch-runs'],
    timeScale: 0,
    emptyPageRate: 0,
    faults: { throttle: [] },
  });
  dir = await mkdtemp(join(tmpdir(), 'orgpatch-cli-threads-'));
  payload = join(dir, 'payload.json');
  await writeFile(payload, generatedOrgPayload(sandbox));
});
afterAll(async () => {
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

interface RunOut {
  readonly runId: string;
  readonly summary: RunSummary;
}

describe('orgpatch run --threads', () => {
  it('starts the same locations with a step thread as without, each once', async () => {
    const starts = () => sandbox.calls.list({ operation: 'StartAutomationExecution', ok: true }).length;
    const before = starts();
    // Each run in a store of its own: a run left going (no --wait) holds its store's lease on the Organization.
    const alone = await cli(['run', payload, '--store', 'runs-0', '--threads', '0', '--json']);
    expect(alone.code).toBe(0);
    const aloneStarts = starts() - before;
    const threaded = await cli(['run', payload, '--store', 'runs-1', '--threads', '1', '--json']);
    expect(threaded.stderr).toBe('');
    expect(threaded.code).toBe(0);
    const threadedStarts = starts() - before - aloneStarts;
    expect(aloneStarts).toBeGreaterThan(20);
    expect(threadedStarts).toBe(aloneStarts);
    const a = JSON.parse(alone.stdout) as RunOut;
    const t = JSON.parse(threaded.stdout) as RunOut;
    expect(t.summary.status).toBe(a.summary.status);
    expect(t.summary.locations).toEqual(a.summary.locations);
    expect(t.summary.instances).toEqual(a.summary.instances);
    expect(t.summary.locations.started).toBeGreaterThan(20);
  }, 120_000);

  it('opens an S3 run store in the thread too', async () => {
    const before = sandbox.calls.list({ operation: 'StartAutomationExecution', ok: true }).length;
    const r = await cli(['run', payload, '--store', 's3://orgpatch-runs/threads', '--threads', '1', '--json']);
    // Nothing on stderr: no step had to be run again in the main thread.
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as RunOut;
    expect(sandbox.calls.list({ operation: 'StartAutomationExecution', ok: true }).length).toBeGreaterThan(before);
    const status = await cli(['status', out.runId, '--store', 's3://orgpatch-runs/threads', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ runId: out.runId, status: out.summary.status });
    // The run is kept in the bucket.
    const puts = sandbox.calls.list({ operation: 'PutObject', ok: true }).length;
    expect(puts).toBeGreaterThan(3);
  }, 120_000);

  it('refuses a thread count out of range, naming the option, and starts nothing', async () => {
    const before = sandbox.calls.size;
    const r = await cli(['run', payload, '--threads', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--threads must be a whole number from 0 to 3, got "4"');
    expect(sandbox.calls.size).toBe(before);
  });
});

describe('orgpatch run --wait --threads', () => {
  let fast: Sandbox;
  let fastDir: string;
  beforeAll(async () => {
    // A clock at 1,800x (as cli.test.ts): the executions end within a few real seconds.
    fast = await startSandbox({ world: { generate: { seed: 9, accounts: 150, regions: 1 } }, timeScale: 1800 });
    fastDir = await mkdtemp(join(tmpdir(), 'orgpatch-cli-threads-wait-'));
    await writeFile(join(fastDir, 'payload.json'), generatedOrgPayload(fast));
  });
  afterAll(async () => {
    await fast.stop();
    await rm(fastDir, { recursive: true, force: true });
  });

  it('follows the run to the end with the thread polling its shards, then writes the reports without it', async () => {
    const r = await orgpatch(['run', 'payload.json', '--wait', '--poll', '0.05', '--threads', '1', '--json'], {
      env: fast.env('us-east-1'),
      cwd: fastDir,
    });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as RunOut & { artifacts: { html: string } | null };
    expect(['succeeded', 'failed']).toContain(out.summary.status);
    expect(r.code).toBe(out.summary.status === 'succeeded' ? 0 : 1);
    expect(out.artifacts?.html).toMatch(/report\.html$/);
    // Every location started was read to its end: none is left starting or running.
    const { locations } = out.summary;
    expect(locations.succeeded + locations.failed).toBeGreaterThan(10);
    expect(locations.starting + locations.started).toBe(0);
    const status = await orgpatch(['status', out.runId, '--json'], { env: fast.env('us-east-1'), cwd: fastDir });
    expect(JSON.parse(status.stdout)).toMatchObject({ runId: out.runId, status: out.summary.status });
  }, 180_000);
});
