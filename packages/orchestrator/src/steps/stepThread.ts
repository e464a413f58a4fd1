/**
 * A step thread: runs the shard-sized steps (plan, start, poll, settle) the in-process engine hands
 * it, on a core of its own. It opens the engine's run store again and makes its own AWS clients and
 * member sessions, as a Lambda running the same step would; what it runs is the same `runStep`, with
 * the ports built from the run's manifest (so a dry run's ports refuse starts here too).
 */
import { isMainThread, parentPort, threadId, workerData } from 'node:worker_threads';
import type { PatchRequest, RunStore } from '@orgpatch/core';
import { createAwsClientFactory } from '../aws/clients.js';
import { createAwsRunDeps } from '../awsRunDeps.js';
import { RunNotFoundError } from '../errors.js';
import type { ProgressEvent, RunLogger } from '../run/deps.js';
import { type AccountLimiter, createAccountLimiter } from '../run/limiter.js';
import { LocalRunStore } from '../store/localRunStore.js';
import { S3RunStore } from '../store/s3RunStore.js';
import type { ShardStepOutput } from './contract.js';
import { runStep } from './runStep.js';
import type { StepDeps } from './steps.js';
import type { StepRequest, StepThreadSetup, ThreadMessage } from './threadProtocol.js';

if (isMainThread || parentPort === null) {
  throw new Error('stepThread.js is the entry of a step thread (worker_threads); the engine starts it.');
}
const port = parentPort;
const setup = workerData as StepThreadSetup;

const post = (message: ThreadMessage): void => {
  try {
    port.postMessage(message);
  } catch {
    // A log entry whose extras cannot be cloned (a function in them): send its message alone.
    if (message.kind === 'log') port.postMessage({ ...message, extra: [] });
  }
};

const clients = createAwsClientFactory(setup.aws);
const store: RunStore =
  setup.store.kind === 'local'
    ? new LocalRunStore(setup.store.root)
    : new S3RunStore({
        client: clients.s3(clients.homeRegion ?? 'us-east-1'),
        bucket: setup.store.bucket,
        root: setup.store.root,
      });

const clock = setup.clock;
const simNow = clock ? () => clock.sim + (Date.now() - clock.real) * clock.timeScale : undefined;

/** The steps' log entries, sent to the engine's logger with the thread that wrote them. */
const sendLog =
  (level: 'info' | 'warn' | 'error') =>
  (message: string, ...extra: Record<string, unknown>[]): void =>
    post({ kind: 'log', level, message, extra: [...extra, { thread: threadId }] });
const logger: RunLogger = { info: sendLog('info'), warn: sendLog('warn'), error: sendLog('error') };

/** Progress sent on: a step's first and last event of a phase, and one in this many between. */
const PROGRESS_EVERY = 25;

/**
 * Progress as the engine's own steps report it, thinned (a message per location would cost the
 * engine's thread more than a progress bar is worth).
 */
const onProgress = (event: ProgressEvent): void => {
  if ('total' in event && event.done !== 0 && event.done !== event.total && event.done % PROGRESS_EVERY !== 0) return;
  post({ kind: 'progress', event });
};

/**
 * The ports of the run in hand, made once per run and kept: its member sessions and SDK clients
 * serve every step of the run this thread is given (the engine gives a thread the shards it planned).
 */
let current: { readonly runId: string; readonly global: number; readonly deps: Promise<StepDeps> } | undefined;

/** The ports of a run: made once (steps arrive together, so the promise is what is kept). */
function depsFor(runId: string, global: number): Promise<StepDeps> {
  if (current?.runId !== runId || current.global !== global) {
    const deps = makeDeps(runId, global);
    current = { runId, global, deps };
    // A failure (the run not found) is not kept: the next step tries again.
    deps.catch(() => {
      if (current?.deps === deps) current = undefined;
    });
  }
  return current.deps;
}

async function makeDeps(runId: string, global: number): Promise<StepDeps> {
  const manifest = await store.sharded?.manifest(runId);
  if (manifest === undefined) throw new RunNotFoundError(runId, 'the run store');
  // The manifest says whether the run is dry; a dry run's ports refuse every start. The thread's
  // share of the global limit sizes its ports (the SDK clients it keeps) as well as its limiter.
  const request: PatchRequest = {
    ...manifest.request,
    dryRun: manifest.request.dryRun || manifest.dryRun,
    concurrency: { ...manifest.request.concurrency, global },
  };
  const limiter: AccountLimiter = createAccountLimiter({ global, perAccount: request.concurrency.perAccount });
  return {
    ...createAwsRunDeps(request, {
      clients,
      store,
      runId,
      ...(simNow ? { credentialClock: simNow } : {}),
      extra: { logger, onProgress, ...(simNow ? { now: () => new Date(simNow()) } : {}) },
    }),
    limiter,
  };
}

port.on('message', (request: StepRequest) => {
  void (async () => {
    try {
      const deps = await depsFor(request.input.runId, request.global);
      const output = (await runStep(request.input, deps)) as ShardStepOutput;
      post({ kind: 'done', id: request.id, output });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      post({ kind: 'failed', id: request.id, name: e.name, message: e.message });
    }
  })();
});
