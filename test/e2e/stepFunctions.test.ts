// aws-local-stepfunctions 3.0.0 calls Promise.withResolvers (Node 22); Node 20 needs the polyfill first.
import './withResolvers.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { type PatchRequest, parsePayload } from '@orgpatch/core';
import { createOrgPatchApp } from '@orgpatch/infra';
import {
  type AwsClientFactory,
  createAwsClientFactory,
  createAwsRunDeps,
  handleStepEvent,
  LocalRunStore,
  type PollBackoff,
  runEngine,
  runStepWithDeps,
} from '@orgpatch/orchestrator';
import { type Sandbox, startSandbox } from '@orgpatch/sandbox';
import { resolveIntrinsics } from '@orgpatch/test-support/cfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';

// The definition `cdk synth` writes is run by aws-local-stepfunctions, every Lambda Task mapped to the
// step Lambda's own code (handleStepEvent over runStepWithDeps) with its ports wired to the sandbox.
// Each world runs twice on fresh sandboxes built from the same world and seed: once on the in-process
// engine (runEngine, as the CLI runs it), once on the state machine; the outcomes must be the same.

const STEP_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:orgpatch-step';
const TASK = '0f8fad5b-d9cb-469f-a165-70867728950e';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:orgpatch-summaries';
const START = Date.UTC(2026, 10, 1, 3, 0, 0);
const TASK_STATES = [
  'Begin',
  'DecideNext',
  'DecideNextAfterPoll',
  'Plan',
  'Start',
  'Poll',
  'Settle',
  'Finish',
] as const;

let definition: Record<string, unknown>;

/** The state machine's definition as `cdk synth` wrote it to the cloud assembly, its intrinsics resolved. */
async function synthesizedDefinition(): Promise<Record<string, unknown>> {
  const outdir = await mkdtemp(join(tmpdir(), 'orgpatch-sfn-'));
  try {
    const { app } = createOrgPatchApp({
      outdir,
      builtinCloudFormationValidation: false,
      context: {
        'aws:cdk:bundling-stacks': [],
        'orgpatch:organizationId': 'o-sfntest0001',
        'orgpatch:targetOus': ['ou-sfnt-00000001'],
        'orgpatch:region': 'us-east-1',
      },
    });
    app.synth();
    type Resource = { Type: string; Properties: Record<string, unknown> };
    const template = JSON.parse(await readFile(join(outdir, 'OrgPatch.template.json'), 'utf8')) as {
      Resources: Record<string, Resource>;
    };
    const machine = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    if (!machine) throw new Error('no state machine in the synthesized template');
    const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const topics = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SNS::Topic');
    const text = resolveIntrinsics(machine.Properties.DefinitionString, {
      pseudo: { 'AWS::Partition': 'aws', 'AWS::AccountId': '111111111111', 'AWS::Region': 'us-east-1' },
      // Every function ARN resolves to the step function's: only the step function is referenced.
      attributes: Object.fromEntries(functions.map(([id]) => [`${id}.Arn`, STEP_ARN])),
      resources: Object.fromEntries(topics.map(([id]) => [id, TOPIC_ARN])),
    }) as string;
    return JSON.parse(text) as Record<string, unknown>;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** A fresh sandbox on `world` (manual clock), its clients and a run store. */
interface Bench {
  readonly sandbox: Sandbox;
  readonly clients: AwsClientFactory;
  readonly store: LocalRunStore;
  depsFor(request: PatchRequest, runId: string): ReturnType<typeof createAwsRunDeps>;
  stop(): Promise<void>;
}

type WorldInput = NonNullable<Parameters<typeof startSandbox>[0]>['world'];

async function bench(world: WorldInput, backoff?: PollBackoff): Promise<Bench> {
  const sandbox = await startSandbox({ world, timeScale: 0, emptyPageRate: 0, faults: { throttle: [] }, start: START });
  const clients = createAwsClientFactory({ ...sandbox.clientConfig('us-east-1'), homeRegion: 'us-east-1' });
  const dir = await mkdtemp(join(tmpdir(), 'orgpatch-sfn-runs-'));
  const store = new LocalRunStore(join(dir, 'runs'));
  return {
    sandbox,
    clients,
    store,
    depsFor: (request, runId) =>
      createAwsRunDeps(request, {
        clients,
        store,
        runId,
        credentialClock: () => sandbox.clock.now(),
        extra: {
          ...(backoff ? { backoff } : {}),
          now: () => new Date(sandbox.clock.now()),
          // The in-process engine's wait: the simulated clock moves, nothing sleeps.
          sleep: async (ms) => {
            sandbox.advance(ms);
          },
        },
      }),
    stop: async () => {
      clients.destroy();
      await sandbox.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What a run came to: the comparison both engines must agree on. */
interface Outcome {
  readonly status: string;
  readonly counts: unknown;
  readonly started: readonly string[];
}

function startedLocations(sandbox: Sandbox): string[] {
  return [
    ...new Set(
      sandbox.calls.list({ operation: 'StartAutomationExecution', ok: true }).map((c) => `${c.accountId}/${c.region}`),
    ),
  ].sort();
}

async function inProcess(
  world: Parameters<typeof bench>[0],
  payload: Record<string, unknown>,
  backoff?: PollBackoff,
): Promise<Outcome> {
  const b = await bench(world, backoff);
  try {
    const request = parsePayload(payload);
    const runId = `mw-${TASK}`;
    const result = await runEngine(payload, b.depsFor(request, runId), { runId });
    if (!result.finished) throw new Error('the in-process engine did not finish the run');
    return {
      status: result.finished.status,
      counts: await storedCounts(b.store, runId),
      started: startedLocations(b.sandbox),
    };
  } finally {
    await b.stop();
  }
}

/** Runs the synthesized definition locally; resolves with its output and the sandbox's evidence. */
async function onStepFunctions(
  world: Parameters<typeof bench>[0],
  payload: Record<string, unknown>,
  backoff?: PollBackoff,
): Promise<{
  output?: { runId: string; status: string; skipped?: string };
  error?: Error;
  /** What the state machine published to the summary topic. */
  published: { TopicArn: string; Message: string }[];
  counts?: unknown;
  started: string[];
  calls: number;
  ms: number;
}> {
  const b = await bench(world, backoff);
  const logger = new Logger({ serviceName: 'orgpatch-step', logLevel: 'SILENT' });
  const began = performance.now();
  try {
    const step = (input: unknown) =>
      handleStepEvent(input, logger, (stepInput) => runStepWithDeps(stepInput, b.store, b.depsFor));
    // The Wait state's simulated time passes as `next` answers it, as the in-process engine's sleep does.
    const decide = async (input: unknown) => {
      const out = (await step(input)) as { action?: string; seconds?: number };
      if (out.action === 'wait' && typeof out.seconds === 'number') b.sandbox.advance(out.seconds * 1000);
      return out;
    };
    const published: { TopicArn: string; Message: string }[] = [];
    const handlers = {
      ...Object.fromEntries(TASK_STATES.map((name) => [name, name.startsWith('DecideNext') ? decide : step])),
      PublishSummary: async (input: { TopicArn: string; Message: string }) => {
        published.push(input);
        return { MessageId: `m-${published.length}` };
      },
    };
    const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
    const execution = machine.run(payload as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        waitTimeOverrides: { WaitBeforePolling: 0 },
        // A retry waits no real time (run-store races between shard steps are retried at once).
        retryIntervalOverrides: Object.fromEntries(TASK_STATES.map((name) => [name, 0])),
      },
    });
    try {
      const output = (await execution.result) as { runId: string; status: string; skipped?: string };
      return {
        output,
        // A run skipped as not on its patch day has no manifest: nothing was recorded but the note.
        counts: output.skipped === undefined ? await storedCounts(b.store, output.runId) : undefined,
        published,
        started: startedLocations(b.sandbox),
        calls: b.sandbox.calls.size,
        ms: performance.now() - began,
      };
    } catch (error) {
      return {
        error: error as Error,
        published,
        started: startedLocations(b.sandbox),
        calls: b.sandbox.calls.size,
        ms: performance.now() - began,
      };
    }
  } finally {
    await b.stop();
  }
}

/** The run's per-wave, per-status counts, read back from the manifest the steps wrote. */
async function storedCounts(store: LocalRunStore, runId: string): Promise<unknown> {
  const manifest = await store.sharded?.manifest(runId);
  if (!manifest) throw new Error(`run ${runId} has no manifest in the store`);
  return manifest.counts;
}

function outcomeOf(result: Awaited<ReturnType<typeof onStepFunctions>>): Outcome {
  return { status: result.output?.status ?? 'none', counts: result.counts, started: result.started };
}

function demoPayload(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return readFile(new URL('../../examples/payload.org.json', import.meta.url), 'utf8').then((text) => ({
    ...(JSON.parse(text) as Record<string, unknown>),
    WindowId: 'mw-0123456789abcdef0',
    TaskExecutionId: TASK,
    ...extra,
  }));
}

const demoWorld = () => new URL('../../examples/world.demo.json', import.meta.url).pathname;

beforeAll(async () => {
  definition = await synthesizedDefinition();
}, 120_000);

describe('the synthesized state machine, run locally against the sandbox', () => {
  it('reaches the same outcome as the in-process engine on the demo world', async () => {
    const payload = await demoPayload();
    const expected = await inProcess(demoWorld(), payload);
    const result = await onStepFunctions(demoWorld(), payload);
    expect(result.error).toBeUndefined();
    expect(result.output?.runId).toBe(`mw-${TASK}`);
    expect(outcomeOf(result)).toEqual(expected);
    expect(expected.started.length).toBeGreaterThan(0);
    // One summary, on the topic, as a chat custom notification with the run's numbers and its report.
    expect(result.published).toHaveLength(1);
    expect(result.published[0]?.TopicArn).toBe(TOPIC_ARN);
    const message = JSON.parse(result.published[0]?.Message ?? '{}') as {
      version: string;
      source: string;
      content: { title: string; description: string };
    };
    expect(message).toMatchObject({ version: '1.0', source: 'custom' });
    expect(message.content.title).toContain(`orgpatch run mw-${TASK} ${result.output?.status}`);
    expect(message.content.description).toMatch(/\*Locations\*: .*\n\*Instances\*: /);
    expect(message.content.description).toMatch(/\*Report\*: .*report\.html/);
    console.info(`demo world on Step Functions (local): ${result.ms.toFixed(0)} ms, ${result.calls} AWS calls`);
  });

  it('reaches the same outcome as the in-process engine on a generated 2,000-account world (seed 7)', async () => {
    const world = { generate: { seed: 7, accounts: 2000, regions: 2, startTime: START } };
    const probe = await startSandbox({ world, timeScale: 0 });
    const rootId = probe.world.rootId;
    await probe.stop();
    const payload = {
      WindowId: 'mw-0123456789abcdef0',
      TaskExecutionId: TASK,
      Document: { Parameters: { Operation: ['Install'], RebootOption: ['NoReboot'] } },
      Targets: [{ Key: 'ResourceGroup', Values: ['orgpatch-targets'] }],
      MaxConcurrency: '10%',
      MaxErrors: '10%',
      Regions: ['us-east-1', 'eu-west-1'],
      Organization: { TargetOus: [rootId], SkipUnreachable: ['MemberStackMissing'] },
      Concurrency: { Global: 32, PerAccount: 4 },
    };
    // Polls 10 minutes apart (simulated): the patching takes hours, and each round is one read per
    // running execution, so a 5-second first poll would make hundreds of rounds for the same outcome.
    const backoff: PollBackoff = { initialMs: 600_000, maxMs: 1_800_000, factor: 2 };
    const began = performance.now();
    const expected = await inProcess(world, payload, backoff);
    const inProcessMs = performance.now() - began;
    const result = await onStepFunctions(world, payload, backoff);
    expect(result.error).toBeUndefined();
    expect(outcomeOf(result)).toEqual(expected);
    expect(expected.started.length).toBeGreaterThan(100);
    expect(result.published).toHaveLength(1);
    console.info(
      `2,000 accounts x 2 Regions: in-process engine ${inProcessMs.toFixed(0)} ms; Step Functions (local) ${result.ms.toFixed(0)} ms, ${result.calls} AWS calls, ${result.started.length} locations started`,
    );
  }, 600_000);

  it('ends at NotThePatchDay on a day that is not the Patch Tuesday go-day, reading and starting nothing', async () => {
    // The sandbox starts on Sunday 1 November 2026; that month's Patch Tuesday is the 10th.
    const result = await onStepFunctions(demoWorld(), await demoPayload({ PatchTuesday: { OffsetDays: 0 } }));
    expect(result.error).toBeUndefined();
    expect(result.output).toMatchObject({ runId: `mw-${TASK}`, skipped: expect.stringMatching(/not the patch day/) });
    expect(result.started).toEqual([]);
    expect(result.published).toEqual([]);
  });

  it('fails an invalid payload naming the field, and calls no SSM start', async () => {
    const payload = await demoPayload({ Regions: ['us-east-9'] });
    const result = await onStepFunctions(demoWorld(), payload);
    expect(result.output).toBeUndefined();
    const cause = (result.error as Error & { cause?: Error }).cause;
    expect(cause?.name).toBe('PayloadValidationError');
    expect(cause?.message).toMatch(/Regions\[0\]/);
    expect(result.started).toEqual([]);
  });

  it('starts nothing for a dry run, and still finishes it', async () => {
    const result = await onStepFunctions(demoWorld(), await demoPayload({ DryRun: true }));
    expect(result.error).toBeUndefined();
    expect(result.output?.runId).toBe(`mw-${TASK}`);
    expect(result.started).toEqual([]);
  });
});
