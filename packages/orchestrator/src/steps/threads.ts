import { Worker } from 'node:worker_threads';
import type { RunLogger } from '../run/deps.js';
import type { ShardStepOutput } from './contract.js';
import type { StepDeps } from './steps.js';
import type { StepRequest, StepThreadSetup, ThreadMessage, ThreadStepInput } from './threadProtocol.js';

/**
 * The most step threads an engine starts. Each is a V8 isolate of its own with its own SDK clients
 * and member sessions: about 40 MB of RSS idle, 70 MB at work (bench/README.md, "The command as a
 * split bundle").
 */
export const MAX_STEP_THREADS = 3;

/** Options of {@link startStepThreads}. */
export interface StepThreadsOptions {
  /** How many threads. */
  readonly threads: number;
  /** Where each thread's store, clients and clock come from. */
  readonly setup: StepThreadSetup;
  /**
   * The thread's entry file. @default `stepThread.js` beside this module (`stepThread.ts` when run
   * from source, loaded through tsx)
   */
  readonly entry?: URL | string;
  /** Young generation of each thread, MB: small keeps a thread's RSS small. @default 16 */
  readonly youngGenerationMb?: number;
  /**
   * Told when a step failed in a thread (or its thread ended) and the engine runs it again itself,
   * with why (the CLI prints it; the run's logger gets it too).
   */
  readonly onFallback?: (message: string) => void;
}

/** One step thread, as the engine dispatches to it. */
export interface StepThread {
  /** Runs a step in the thread; rejects when the step failed there, or the thread ended. */
  run(input: ThreadStepInput, global: number): Promise<ShardStepOutput>;
  /** false once the thread has ended (crashed, or closed). */
  readonly alive: boolean;
}

/** Step threads, started together and closed together. */
export interface StepThreads {
  readonly threads: readonly StepThread[];
  /** Sends the threads' progress and log entries to these ports (the run's own observers). */
  observe(deps: Pick<StepDeps, 'onProgress' | 'logger'>): void;
  close(): Promise<void>;
}

/** A step that failed in a thread, by the name and message of its error there. */
class StepThreadError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = 'StepThreadError';
  }
}

/**
 * Starts step threads (worker_threads). Each runs the steps it is given with ports of its own over
 * the same run store (stepThread.ts). A thread that crashes rejects the steps it had; the engine runs
 * them again itself (every step is idempotent).
 */
export function startStepThreads(options: StepThreadsOptions): StepThreads {
  const entry = options.entry ?? defaultEntry();
  let observers: Pick<StepDeps, 'onProgress' | 'logger'> = {};
  const threads = Array.from({ length: Math.max(0, options.threads) }, () =>
    startThread(entry, options.setup, options.youngGenerationMb ?? 16, (message) => {
      if (message.kind === 'progress') observers.onProgress?.(message.event);
      else if (message.kind === 'log') log(observers.logger, message);
    }),
  );
  return {
    threads,
    observe: (deps) => {
      observers = deps;
    },
    close: async () => {
      await Promise.all(threads.map((t) => t.close()));
    },
  };
}

function log(logger: RunLogger | undefined, message: Extract<ThreadMessage, { kind: 'log' }>): void {
  logger?.[message.level](message.message, ...message.extra);
}

/** The thread entry beside this module: built JavaScript, or the TypeScript source through tsx. */
function defaultEntry(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? './stepThread.ts' : './stepThread.js', import.meta.url);
}

function startThread(
  entry: URL | string,
  setup: StepThreadSetup,
  youngGenerationMb: number,
  onMessage: (message: Extract<ThreadMessage, { kind: 'progress' | 'log' }>) => void,
): StepThread & { close(): Promise<void> } {
  const href = entry instanceof URL ? entry.href : entry;
  const resourceLimits = { maxYoungGenerationSizeMb: youngGenerationMb };
  const worker = href.endsWith('.ts')
    ? // Running from source (tests, `tsx bench/run.ts`): the thread loads tsx before the entry.
      new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(href)}); })`, {
        eval: true,
        workerData: setup,
        resourceLimits,
        execArgv: ['--conditions=@orgpatch/source'],
      })
    : new Worker(entry, { workerData: setup, resourceLimits });
  const pending = new Map<number, { resolve: (o: ShardStepOutput) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let alive = true;
  const end = (error: Error) => {
    alive = false;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (message: ThreadMessage) => {
    if (message.kind === 'done' || message.kind === 'failed') {
      const p = pending.get(message.id);
      pending.delete(message.id);
      if (pending.size === 0) worker.unref();
      if (message.kind === 'done') p?.resolve(message.output);
      else p?.reject(new StepThreadError(message.name, message.message));
    } else {
      onMessage(message);
    }
  });
  worker.on('error', (error) => end(error));
  worker.on('exit', (code) => end(new StepThreadError('ThreadExit', `The step thread ended (exit code ${code}).`)));
  // An idle thread does not keep the process alive; one running a step does.
  worker.unref();
  return {
    get alive() {
      return alive;
    },
    run: (input, global) => {
      if (!alive) return Promise.reject(new StepThreadError('ThreadExit', 'The step thread has ended.'));
      const id = nextId++;
      return new Promise<ShardStepOutput>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (pending.size === 1) worker.ref();
        const request: StepRequest = { id, input, global };
        worker.postMessage(request);
      });
    },
    close: async () => {
      alive = false;
      await worker.terminate();
    },
  };
}
