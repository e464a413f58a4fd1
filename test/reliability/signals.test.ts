import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePayload } from '@orgpatch/core';
import { createAwsClientFactory, createAwsRunDeps, LocalRunStore, runEngine } from '@orgpatch/orchestrator';
import { type Sandbox, startSandbox } from '@orgpatch/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { DENIED, e2eWorld, orgPayload } from '../e2e/harness.js';

const cli = fileURLToPath(new URL('./fixtures/orgpatch.ts', import.meta.url));

let sandbox: Sandbox | undefined;
let dir: string | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  sandbox = undefined;
  dir = undefined;
  child = undefined;
});

/** Waits for the child to exit; resolves with how, and how long it took after `since`. */
function exited(
  p: ChildProcess,
  since: () => number,
): Promise<{ code: number | null; signal: string | null; ms: number }> {
  return new Promise((resolve) =>
    p.once('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - since() })),
  );
}

describe('signals', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops `orgpatch run --wait` at once on the first %s and leaves the run resumable',
    async (signal) => {
      // Real time (no scale): the patching would take minutes, so the CLI is waiting when signalled.
      sandbox = await startSandbox({
        world: e2eWorld(),
        timeScale: 1,
        faults: { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] },
      });
      dir = await mkdtemp(join(tmpdir(), 'orgpatch-signal-'));
      const payload = join(dir, 'payload.json');
      await writeFile(payload, JSON.stringify(orgPayload()));
      child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--conditions=@orgpatch/source',
          cli,
          'run',
          payload,
          '--wait',
          '--poll',
          '1',
          '--json',
          '--store',
          join(dir, 'runs'),
        ],
        // From the repository, where tsx resolves; the store and payload are absolute paths.
        {
          cwd: fileURLToPath(new URL('../..', import.meta.url)),
          env: { ...process.env, ...sandbox.env('us-east-1') },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let sentAt = 0;
      const done = exited(child, () => sentAt);
      // Signalled once the first wave's starts are recorded: the run is in the store, in progress.
      const store = new LocalRunStore(join(dir, 'runs'));
      for (let i = 0; i < 200 && (await store.listInProgress()).length === 0; i += 1) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const [runId] = await store.listInProgress();
      expect(runId).toBeDefined();
      await new Promise((r) => setTimeout(r, 300));
      sentAt = Date.now();
      child.kill(signal);
      const how = await done;
      expect(how.signal).toBe(signal);
      expect(how.ms).toBeLessThan(2_000);

      // Resumable: a later process tracks the same run to its end.
      const request = parsePayload(orgPayload());
      const clients = createAwsClientFactory({ ...sandbox.clientConfig('us-east-1'), homeRegion: 'us-east-1' });
      const world = sandbox;
      const deps = createAwsRunDeps(request, {
        clients,
        store,
        runId: runId ?? '',
        credentialClock: () => world.clock.now(),
        extra: { sleep: async () => world.advance(10 * 60_000) },
      });
      const resumed = await runEngine(orgPayload(), deps, { runId: runId ?? '' });
      clients.destroy();
      expect(resumed.begun.resumed).toBe(true);
      expect(resumed.finished?.status).toBe('succeeded');
    },
    60_000,
  );
});
