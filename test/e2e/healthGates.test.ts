import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePayload } from '@orgpatch/core';
import {
  type AwsClientFactory,
  createAwsClientFactory,
  createAwsRunDeps,
  HealthGateError,
  LocalRunStore,
  runEngine,
} from '@orgpatch/orchestrator';
import { type FaultConfig, type Sandbox, startSandbox } from '@orgpatch/sandbox';
import { afterEach, describe, expect, it } from 'vitest';

// Issue 15, item 1, end to end: the demo world's CloudWatch alarms (served by the sandbox) gate the
// demo payload's waves, as `orgpatch run` and the state machine's steps read them.

const START = Date.UTC(2026, 10, 10, 3, 0, 0);
const examples = new URL('../../examples/', import.meta.url);

let sandbox: Sandbox | undefined;
let clients: AwsClientFactory | undefined;
let dir: string | undefined;
afterEach(async () => {
  clients?.destroy();
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  sandbox = undefined;
  clients = undefined;
  dir = undefined;
});

async function demoPayload(waves?: (waves: Record<string, unknown>[]) => void): Promise<Record<string, unknown>> {
  const payload = JSON.parse(await readFile(new URL('payload.org.json', examples), 'utf8')) as {
    Organization: { Waves: Record<string, unknown>[] };
  };
  waves?.(payload.Organization.Waves);
  return payload;
}

async function run(payload: Record<string, unknown>, faults: FaultConfig = {}) {
  sandbox = await startSandbox({
    world: new URL('world.demo.json', examples).pathname,
    timeScale: 0,
    faults: { throttle: [], ...faults },
    start: START,
  });
  const world = sandbox;
  clients = createAwsClientFactory({ ...sandbox.clientConfig('us-east-1'), homeRegion: 'us-east-1' });
  dir = await mkdtemp(join(tmpdir(), 'orgpatch-gates-'));
  const store = new LocalRunStore(join(dir, 'runs'));
  const deps = createAwsRunDeps(parsePayload(payload), {
    clients,
    store,
    runId: 'gates',
    credentialClock: () => world.clock.now(),
    extra: {
      now: () => new Date(world.clock.now()),
      sleep: async (ms: number) => {
        world.advance(ms);
      },
    },
  });
  const result = await runEngine(payload, deps, { runId: 'gates' });
  return {
    result,
    record: await store.get('gates'),
    starts: world.calls.count({ operation: 'StartAutomationExecution' }),
  };
}

const waveNamed = (name: string) => (w: { name: string }) => w.name === name;

describe('health gates against the sandbox (demo world)', () => {
  it('holds prod while its alarm is in ALARM, and lets it go when it clears', async () => {
    const { result, record } = await run(await demoPayload(), {
      alarms: [
        { name: 'prod-health', state: 'ALARM', reason: 'prod-5xx above 1%' },
        { name: 'prod-health', at: '+8h', state: 'OK', reason: 'back under 1%' },
      ],
    });
    expect(result.finished?.status).toBe('succeeded');
    const prod = record?.waves.find(waveNamed('prod'));
    expect(prod?.status).toBe('succeeded');
    expect(prod?.held?.reason).toMatch(/alarm "prod-health" is in ALARM \(prod-5xx above 1%\)/);
    const heldMs = Date.parse(prod?.held?.until ?? '') - Date.parse(prod?.held?.since ?? '');
    expect(heldMs).toBeGreaterThan(60 * 60_000);
  });

  it('halts what is left when a wave’s alarm fires while it runs, with the alarm and its reason', async () => {
    const payload = await demoPayload((waves) => {
      const nonProd = waves.find((w) => w.Name === 'non-prod');
      if (nonProd) nonProd.Alarms = ['prod-5xx'];
    });
    const { result, record, starts } = await run(payload, {
      alarms: [{ name: 'prod-5xx', at: '+20m', state: 'ALARM', reason: 'Threshold Crossed: 5xx 7%' }],
    });
    expect(result.finished?.status).toBe('halted');
    const prod = record?.waves.find(waveNamed('prod'));
    expect(prod?.status).toBe('halted');
    expect(prod?.reason).toMatch(/alarm "prod-5xx" is in ALARM \(Threshold Crossed: 5xx 7%\)/);
    expect(record?.locations.filter((l) => l.wave === 'prod').some((l) => l.executions.length > 0)).toBe(false);
    expect(starts).toBeGreaterThan(0);
  });

  it('refuses a wave naming an alarm that does not exist: a plan error, nothing started', async () => {
    const payload = await demoPayload((waves) => {
      const prod = waves.find((w) => w.Name === 'prod');
      if (prod) prod.Alarms = ['prod-health', 'prod-5xx-typo'];
    });
    await expect(run(payload)).rejects.toThrow(HealthGateError);
    expect(sandbox?.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
    expect(sandbox?.calls.count({ operation: 'ListGroupResources' })).toBe(0);
  });
});
