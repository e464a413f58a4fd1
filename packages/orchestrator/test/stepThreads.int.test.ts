import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { paginateDescribeAutomationExecutions } from '@aws-sdk/client-ssm';
import { type PreflightReader, parsePayload } from '@orgpatch/core';
import type { CallRecord } from '@orgpatch/sandbox';
import { startSandbox } from '@orgpatch/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClientFactory } from '../src/aws/clients.js';
import { createAwsRunDeps } from '../src/awsRunDeps.js';
import type { ProgressEvent } from '../src/run/deps.js';
import { createAccountLimiter } from '../src/run/limiter.js';
import { runEngine } from '../src/steps/engine.js';
import { runStep } from '../src/steps/index.js';
import type { StepThreadSetup } from '../src/steps/threadProtocol.js';
import { startStepThreads } from '../src/steps/threads.js';
import { LocalRunStore } from '../src/store/localRunStore.js';

// Step threads (`orgpatch run --threads`): part of the plan and start steps run in worker threads
// with ports of their own over the same store. A run must come out as it does in one thread, within
// the request's limits, and a thread's failure must lose or repeat nothing.

const START = Date.UTC(2026, 10, 1, 3, 0, 0);
/** 250 accounts: three plan groups of at most 100, so the plan fan-out has steps to share. */
const WORLD = { generate: { seed: 11, accounts: 250, regions: 2, startTime: START } };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The world's OUs by name (the generator makes Dev, Staging and Prod under Workloads). */
function ouNamed(sandbox: { world: { ous: ReadonlyMap<string, { id: string; name: string }> } }, name: string): string {
  const ou = [...sandbox.world.ous.values()].find((o) => o.name === name);
  if (!ou) throw new Error(`no OU named ${name}`);
  return ou.id;
}

async function world(dryRun = false, waves = false) {
  // A few ms per call, so that calls overlap and the limits are put to the test.
  const sandbox = await startSandbox({
    world: WORLD,
    timeScale: 0,
    emptyPageRate: 0,
    faults: { throttle: [], latency: { meanMs: 4, jitterMs: 2 } },
    start: START,
  });
  const clients = createAwsClientFactory({ ...sandbox.clientConfig('us-east-1'), homeRegion: 'us-east-1' });
  const dir = await mkdtemp(join(tmpdir(), 'orgpatch-threads-'));
  const root = join(dir, 'runs');
  const store = new LocalRunStore(root);
  // When each call was in flight (real ms): the log records a call when it answers.
  const intervals: { start: number; end: number; accountId: string; service: string }[] = [];
  const record = sandbox.calls.record.bind(sandbox.calls);
  sandbox.calls.record = (call: CallRecord) => {
    // The end read before the log's own work, as the bench reads it (bench/sandboxChild.ts).
    const end = performance.now();
    record(call);
    intervals.push({ start: end - call.latencyMs, end, accountId: call.accountId, service: call.service });
  };
  cleanups.push(async () => {
    clients.destroy();
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const payload = {
    Targets: [{ Key: 'ResourceGroup', Values: ['orgpatch-targets'] }],
    Regions: ['us-east-1', 'eu-west-1'],
    Organization: waves
      ? {
          SkipUnreachable: ['MemberStackMissing'],
          Waves: [
            // The generated world fails some locations: the second wave goes on all the same.
            { Name: 'dev', TargetOus: [ouNamed(sandbox, 'Dev')], ErrorThreshold: '100%' },
            { Name: 'prod', TargetOus: [ouNamed(sandbox, 'Prod')] },
          ],
        }
      : { TargetOus: [sandbox.world.rootId], SkipUnreachable: ['MemberStackMissing'] },
    Concurrency: { Global: 8, PerAccount: 2 },
    ...(dryRun ? { DryRun: true } : {}),
  };
  const request = parsePayload(payload);
  const { endpoint, credentials } = sandbox.clientConfig('us-east-1');
  const setup: StepThreadSetup = {
    aws: { endpoint, credentials, homeRegion: 'us-east-1', forcePathStyle: true },
    store: { kind: 'local', root },
  };
  const deps = (runId: string) =>
    createAwsRunDeps(request, { clients, store, runId, credentialClock: () => sandbox.clock.now() });
  return { sandbox, clients, store, payload, request, setup, deps, intervals };
}

/**
 * A step thread entry of the test's own, in a folder removed after the test. The folder is an ES
 * module package, so that a TypeScript entry runs through tsx as the real one does from source.
 */
async function threadEntry(file: string, source: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'orgpatch-thread-entry-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  const entry = join(dir, file);
  await writeFile(entry, source);
  return entry;
}

/** Calls made in the orchestrator's own account (AssumeRole, discovery): not under the per-account limit. */
const OWN_ACCOUNT = new Set(['sts', 'organizations']);

/** The most calls in flight at once, in all and in one member account. */
function mostInFlight(intervals: readonly { start: number; end: number; accountId: string; service: string }[]) {
  const events = intervals.flatMap((c) => {
    const account = OWN_ACCOUNT.has(c.service) ? '' : c.accountId;
    return [
      { at: c.start, delta: 1, account },
      { at: c.end, delta: -1, account },
    ];
  });
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let all = 0;
  let most = 0;
  let mostInAccount = 0;
  const perAccount = new Map<string, number>();
  for (const e of events) {
    all += e.delta;
    most = Math.max(most, all);
    if (e.account === '') continue;
    const n = (perAccount.get(e.account) ?? 0) + e.delta;
    perAccount.set(e.account, n);
    mostInAccount = Math.max(mostInAccount, n);
  }
  return { most, mostInAccount };
}

async function outcome(w: Awaited<ReturnType<typeof world>>, runId: string) {
  const manifest = await w.store.sharded?.manifest(runId);
  const started = w.sandbox.calls
    .list({ operation: 'StartAutomationExecution', ok: true })
    .map((c) => `${c.accountId}/${c.region}`)
    .sort();
  return { status: manifest?.status, counts: manifest?.counts, plan: manifest?.plan.counts, started };
}

/** The executions a run recorded in its shards, by id. */
async function recordedExecutions(w: Awaited<ReturnType<typeof world>>, runId: string): Promise<string[]> {
  const record = await w.store.get(runId);
  return record?.locations.flatMap((l) => l.executions.map((e) => e.executionId)) ?? [];
}

/** The same run planned and started by the engine alone, in a world of its own. */
async function outcomeAlone() {
  const alone = await world();
  await runEngine(alone.payload, alone.deps('run-alone'), {
    runId: 'run-alone',
    request: alone.request,
    startOnly: true,
  });
  return outcome(alone, 'run-alone');
}

describe('step threads', () => {
  it('plan and start the same run as the engine alone, within the global and per-account limits', async () => {
    const expected = await outcomeAlone();

    const threaded = await world();
    const logged: string[] = [];
    /** A log entry, with the thread that wrote it when a step thread did. */
    const entry = (level: string, message: string, extra: Record<string, unknown>[]) => {
      const thread = extra.find((e) => 'thread' in e)?.thread;
      logged.push(`${level}${thread === undefined ? '' : ' (thread)'}: ${message}`);
    };
    const groupsObserved: number[] = [];
    const deps = {
      ...threaded.deps('run-threads'),
      // The step thread's progress reaches the run's observer too: each group's last inventory event.
      onProgress: (event: ProgressEvent) => {
        if (event.phase === 'inventory' && event.done === event.total) groupsObserved.push(event.total);
      },
      logger: {
        info: (message: string, ...extra: Record<string, unknown>[]) => entry('info', message, extra),
        warn: (message: string, ...extra: Record<string, unknown>[]) => entry('warn', message, extra),
        error: (message: string, ...extra: Record<string, unknown>[]) => entry('error', message, extra),
      },
    };
    await runEngine(threaded.payload, deps, {
      runId: 'run-threads',
      request: threaded.request,
      startOnly: true,
      threads: { threads: 1, setup: threaded.setup },
    });
    const got = await outcome(threaded, 'run-threads');

    expect(expected.started.length).toBeGreaterThan(50);
    expect(got).toEqual(expected);
    // Nothing started twice: one successful start per (location, group with instances), as alone.
    expect(new Set(got.started).size).toBe(new Set(expected.started).size);
    // Both threads planned groups (the step thread's entries come back through the engine's
    // logger, marked with its thread), and no step had to be run again in the engine.
    const planned = logged.filter((m) => m.endsWith(': Group planned'));
    expect(planned).toHaveLength(3);
    expect(planned).toContain('info (thread): Group planned');
    expect(planned).toContain('info: Group planned');
    expect(logged.filter((m) => m.includes('A step failed in a step thread'))).toEqual([]);
    expect(groupsObserved).toHaveLength(3);
    const seen = mostInFlight(threaded.intervals);
    expect(seen.most).toBeLessThanOrEqual(8);
    expect(seen.mostInAccount).toBeLessThanOrEqual(2);
  }, 120_000);

  it('runs the steps in the engine when a thread dies: nothing lost, nothing started twice', async () => {
    const expected = await outcomeAlone();

    const w = await world();
    // A thread that dies on its first step, as a crash would leave it.
    const entry = await threadEntry(
      'dying.mjs',
      "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n",
    );
    const warnings: string[] = [];
    const fallbacks: string[] = [];
    const deps = {
      ...w.deps('run-dying'),
      logger: { info: () => {}, warn: (message: string) => warnings.push(message), error: () => {} },
    };
    await runEngine(w.payload, deps, {
      runId: 'run-dying',
      request: w.request,
      startOnly: true,
      threads: { threads: 1, setup: w.setup, entry, onFallback: (message) => fallbacks.push(message) },
    });
    expect(await outcome(w, 'run-dying')).toEqual(expected);
    // Only the steps the thread had when it died (its two slots): it is given no more.
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThanOrEqual(2);
    expect(new Set(warnings)).toEqual(new Set(['A step failed in a step thread; running it again in the engine']));
    expect(fallbacks[0]).toMatch(
      /^The plan step of group \d failed in a step thread \(The step thread ended \(exit code 3\)\.\); running it again in the main thread, and the rest of this lane's steps too\.$/,
    );
  }, 120_000);

  it('runs a start step again in the engine when its thread dies after SSM answered a start it had not recorded', async () => {
    const expected = await outcomeAlone();

    const w = await world();
    // The real step thread, ended (as an out-of-memory kill would end it) the moment SSM has answered
    // its third StartAutomationExecution: that execution exists, and the shard does not say so yet.
    const entry = await threadEntry(
      'dyingMidStart.ts',
      [
        "import { subscribe } from 'node:diagnostics_channel';",
        'let answered = 0;',
        "subscribe('http.client.response.finish', ({ request }: { request: { getHeader(name: string): unknown } }) => {",
        "  if (request.getHeader('x-amz-target') === 'AmazonSSM.StartAutomationExecution' && ++answered === 3) process.exit(5);",
        '});',
        `await import(${JSON.stringify(new URL('../src/steps/stepThread.ts', import.meta.url).href)});`,
        '',
      ].join('\n'),
    );
    const fallbacks: string[] = [];
    const deps = w.deps('run-mid-start');
    await runEngine(w.payload, deps, {
      runId: 'run-mid-start',
      request: w.request,
      startOnly: true,
      threads: { threads: 1, setup: w.setup, entry, onFallback: (message) => fallbacks.push(message) },
    });

    expect(fallbacks[0]).toMatch(
      /^The start step of shard \d+ failed in a step thread \(The step thread ended \(exit code 5\)\.\); running it again/,
    );
    const got = await outcome(w, 'run-mid-start');
    expect({ ...got, started: undefined }).toEqual({ ...expected, started: undefined });
    // The engine sent again, with the same ClientTokens, the starts the thread had made: more answered
    // starts than automations...
    expect(got.started.length).toBeGreaterThan(expected.started.length);
    // ...and SSM holds exactly as many automations as the run alone started, each one in the run's shards.
    const parents: string[] = [];
    for (const where of new Set(got.started)) {
      const [accountId = '', region = ''] = where.split('/');
      const creds = await deps.credentials.get(accountId, region);
      const ssm = w.clients.ssm(region, creds ? async () => creds : undefined);
      for await (const page of paginateDescribeAutomationExecutions({ client: ssm }, {})) {
        for (const m of page.AutomationExecutionMetadataList ?? []) {
          if (m.ParentAutomationExecutionId === undefined && m.AutomationExecutionId)
            parents.push(m.AutomationExecutionId);
        }
      }
    }
    expect(parents).toHaveLength(expected.started.length);
    expect(new Set(parents).size).toBe(parents.length);
    const recorded = await recordedExecutions(w, 'run-mid-start');
    expect([...recorded].sort()).toEqual([...parents].sort());
  }, 120_000);

  it('gives its threads back while the run waits for its executions, and starts them again for the next wave', async () => {
    const w = await world(false, true);
    // The real entry, behind one that beats (its thread id, every 10 ms) for as long as its thread lives.
    const beats = join(await mkdtemp(join(tmpdir(), 'orgpatch-thread-beats-')), 'beats');
    cleanups.push(() => rm(dirname(beats), { recursive: true, force: true }));
    await writeFile(beats, '');
    const entry = await threadEntry(
      'beating.ts',
      [
        "import { appendFileSync } from 'node:fs';",
        "import { threadId } from 'node:worker_threads';",
        `setInterval(() => appendFileSync(${JSON.stringify(beats)}, \`\${threadId}\\n\`), 10);`,
        `await import(${JSON.stringify(new URL('../src/steps/stepThread.ts', import.meta.url).href)});`,
      ].join('\n'),
    );
    const beatsNow = async () => (await readFile(beats, 'utf8')).length;
    const beatsWhileWaiting: number[] = [];
    const fallbacks: string[] = [];
    const result = await runEngine(
      w.payload,
      {
        ...w.deps('run-waves'),
        // Each wait: does a thread still beat, 100 real ms in? Then the executions move on.
        sleep: async (ms: number) => {
          const before = await beatsNow();
          await new Promise((resolve) => setTimeout(resolve, 100));
          beatsWhileWaiting.push((await beatsNow()) - before);
          w.sandbox.clock.advance(ms);
        },
      },
      {
        runId: 'run-waves',
        request: w.request,
        threads: { threads: 1, setup: w.setup, entry, onFallback: (m) => fallbacks.push(m) },
      },
    );
    const manifest = await w.store.sharded?.manifest('run-waves');
    expect(result.finished).toBeDefined();
    // Both waves ran to their end (a wave with a failed location is 'failed'), neither was halted.
    expect(manifest?.waves.map((wave) => wave.name)).toEqual(['dev', 'prod']);
    for (const wave of manifest?.waves ?? []) expect(['succeeded', 'failed']).toContain(wave.status);
    expect(fallbacks).toEqual([]);
    // No thread beat while the run waited, and each wave's starts had a thread of their own.
    expect(beatsWhileWaiting.length).toBeGreaterThan(1);
    expect(beatsWhileWaiting.every((n) => n === 0)).toBe(true);
    const threadIds = new Set((await readFile(beats, 'utf8')).split('\n').filter(Boolean));
    expect(threadIds.size).toBe(2);
    // Nothing started twice across the threads' lives: every answered start is one execution the
    // run recorded (a start sent again would be answered again, with the same execution).
    const { started } = await outcome(w, 'run-waves');
    expect(started.length).toBeGreaterThan(20);
    const recorded = await recordedExecutions(w, 'run-waves');
    expect(new Set(recorded).size).toBe(recorded.length);
    expect(recorded).toHaveLength(started.length);
  }, 120_000);

  it("starts no thread for ports it could not make again (the caller's own limiter or preflight)", async () => {
    for (const own of ['limiter', 'preflight'] as const) {
      const w = await world();
      const threaded: string[] = [];
      const deps = {
        ...w.deps(`run-own-${own}`),
        ...(own === 'limiter'
          ? { limiter: createAccountLimiter(w.request.concurrency) }
          : // Never asked on a run that is not dry: only its presence matters here.
            { preflight: {} as PreflightReader }),
        logger: {
          info: (message: string, ...extra: Record<string, unknown>[]) => {
            if (extra.some((e) => 'thread' in e)) threaded.push(message);
          },
          warn: () => {},
          error: () => {},
        },
      };
      await runEngine(w.payload, deps, {
        runId: `run-own-${own}`,
        request: w.request,
        startOnly: true,
        threads: { threads: 1, setup: w.setup },
      });
      expect((await outcome(w, `run-own-${own}`)).started.length).toBeGreaterThan(50);
      expect(threaded).toEqual([]);
    }
  }, 120_000);

  it("refuses a start in a dry run's thread: the thread reads the run's dryness from its manifest", async () => {
    const w = await world(true);
    const runId = 'run-dry';
    const deps = w.deps(runId);
    await runStep({ step: 'begin', payload: w.payload, runId }, deps);
    await runStep({ step: 'plan', runId, group: 0 }, deps);
    const manifest = await w.store.sharded?.manifest(runId);
    expect(manifest?.dryRun).toBe(true);
    const wave = manifest?.waves[0]?.name ?? '';
    const threads = startStepThreads({ threads: 1, setup: w.setup });
    try {
      const [thread] = threads.threads;
      // Asked straight to start a shard of the dry run (the engine never does): nothing is started.
      await thread?.run({ step: 'start', runId, shard: manifest?.shards[0]?.id ?? 0, wave }, 8).catch(() => undefined);
      expect(w.sandbox.calls.list({ operation: 'StartAutomationExecution' })).toEqual([]);
      // The same thread plans the run's next group, into the same store.
      const planned = await thread?.run({ step: 'plan', runId, group: 1 }, 8);
      expect(planned?.changed).toBe(true);
      expect((await w.store.sharded?.manifest(runId))?.planning?.planned).toContain(1);
    } finally {
      await threads.close();
    }
    expect(threads.threads.every((t) => !t.alive)).toBe(true);
  }, 120_000);
});
