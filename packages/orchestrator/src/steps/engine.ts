import type { PatchRequest } from '@orgpatch/core';
import { realSleep } from '../run/deps.js';
import { createAccountLimiter } from '../run/limiter.js';
import type { BeginOutput, FinishOutput, NextOutput, ShardStepOutput } from './contract.js';
import { runStep } from './runStep.js';
import { begin, finish, next, type StepDeps } from './steps.js';
import type { ThreadStepInput } from './threadProtocol.js';
import { type StepThread, type StepThreads, type StepThreadsOptions, startStepThreads } from './threads.js';

/** Options of {@link runEngine}. */
export interface EngineOptions {
  /** The run id to use (or resume); derived from the payload's TaskExecutionId otherwise. */
  readonly runId?: string;
  /** How many shard steps run at once. @default 4 */
  readonly pool?: number;
  /** Stop after starting (and planning): do not wait for the executions (`orgpatch run` without --wait). @default false */
  readonly startOnly?: boolean;
  /** The payload as already parsed (and amended, as the CLI's --dry-run does): used instead of parsing `payload`. */
  readonly request?: PatchRequest;
  /**
   * Run part of the shard steps in step threads (worker_threads), each with ports of its own over
   * the same store (stepThread.ts): the steps' AWS calls then use more than one core. Started when
   * a plan or start fan-out has two steps or more, ended while the run waits for its executions
   * (and started again for a later wave's starts), and ended before `finish`. A thread makes
   * its ports again from these options, so `deps` must be the AWS ports of the same setup; with a
   * `limiter` or a `preflight` of the caller's (which a thread cannot share), no thread is started.
   * @default no threads
   */
  readonly threads?: StepThreadsOptions;
}

/** What {@link runEngine} did: the run begun, and its end when it was followed to it. */
export interface EngineResult {
  readonly begun: BeginOutput;
  /** The last decision: `finish` when the run ended; none when it was skipped (not the patch day). */
  readonly last?: NextOutput;
  readonly finished?: FinishOutput;
  /** Poll rounds made. */
  readonly rounds: number;
}

/**
 * The in-process engine: the steps of a run (steps.ts) in one process, the shard steps of each
 * fan-out under a bounded pool, and every AWS call of the steps in flight under one limiter (the
 * request's global and per-account limits, as a run in one piece keeps them). Memory is bounded by
 * the pool and the shard size, not the Organization: no step holds more than the manifest and its
 * shard. Stopped at any point, running it again with the same run id resumes where it stopped.
 */
export async function runEngine(payload: unknown, deps: StepDeps, options: EngineOptions = {}): Promise<EngineResult> {
  const begun = await begin(
    { step: 'begin', payload, ...(options.runId ? { runId: options.runId } : {}) },
    deps,
    options.request,
  );
  const { runId } = begun;
  if (begun.skipped !== null) return { begun, rounds: 0 };
  const manifest = await deps.store.sharded?.manifest(runId);
  const lanes = new StepLanes(deps, manifest?.request.concurrency, options);
  try {
    return await followRun(begun, lanes, deps, options);
  } finally {
    await lanes.close();
  }
}

async function followRun(
  begun: BeginOutput,
  lanes: StepLanes,
  deps: StepDeps,
  options: EngineOptions,
): Promise<EngineResult> {
  const { runId } = begun;
  const sleep = deps.sleep ?? realSleep;
  let rounds = 0;
  let decision = await next({ step: 'next', runId }, lanes.main);
  for (;;) {
    switch (decision.action) {
      case 'plan':
        await lanes.fanOut(decision.groups.map((group) => ({ step: 'plan', runId, group })));
        decision = await next({ step: 'next', runId }, lanes.main);
        break;
      case 'start': {
        const wave = decision.wave;
        await lanes.fanOut(decision.shards.map((shard) => ({ step: 'start', runId, shard, wave })));
        decision = await next({ step: 'next', runId }, lanes.main);
        break;
      }
      case 'wait': {
        if (options.startOnly) return { begun, last: decision, rounds };
        // While the run waits, its steps are polls and settles, a few calls a location, which run
        // here: the threads' memory is given back, and a next wave's starts start them again.
        await lanes.release();
        await sleep(decision.seconds * 1000);
        rounds += 1;
        await lanes.fanOut(decision.shards.map((shard) => ({ step: 'poll', runId, shard })));
        decision = await next(
          { step: 'next', runId, quietRounds: decision.quietRounds, revision: decision.revision },
          lanes.main,
        );
        break;
      }
      case 'finish': {
        await lanes.fanOut(decision.shards.map((shard) => ({ step: 'settle', runId, shard })));
        // The threads' memory is given back before the reports are written.
        await lanes.close();
        const finished = await finish({ step: 'finish', runId }, lanes.main);
        return { begun, last: decision, finished, rounds };
      }
    }
  }
}

/** Where a shard step runs: in this thread (`thread` undefined) or a step thread, with its slots and its share of the global limit. */
interface Lane {
  readonly thread?: StepThread;
  readonly slots: number;
  readonly global: number;
}

/**
 * The engine's pool of shard steps (`pool` at once), over this thread and the step threads when
 * there are any. Each lane (this thread, each step thread) gets a share of the pool's slots and the
 * same share of the request's global limit, so the run never has more calls in flight than the
 * request allows; the per-account limit holds in each lane, and two steps in flight never share an
 * account (a plan group's accounts, a shard's accounts). A shard's later steps go to the lane that
 * planned it, where its accounts' sessions and clients already are. A step that fails in a thread
 * (or whose thread ended) is run again here: steps are idempotent, and its error then is the real one.
 */
class StepLanes {
  main: StepDeps;
  private readonly pool: number;
  private lanes: Lane[];
  private threads: StepThreads | undefined;
  private closed = false;
  private readonly home = new Map<number, number>();

  constructor(
    private readonly deps: StepDeps,
    private readonly concurrency: { readonly global: number; readonly perAccount: number } | undefined,
    private readonly options: EngineOptions,
  ) {
    this.pool = Math.max(1, options.pool ?? 4);
    this.main = this.withLimit(concurrency?.global);
    this.lanes = [{ slots: this.pool, global: concurrency?.global ?? 0 }];
  }

  private withLimit(global: number | undefined): StepDeps {
    if (this.deps.limiter || !this.concurrency || global === undefined) return this.deps;
    return { ...this.deps, limiter: createAccountLimiter({ global, perAccount: this.concurrency.perAccount }) };
  }

  /**
   * Starts the step threads when a plan or start fan-out has two steps or more to share, unless
   * they are up already (or ended for good).
   */
  private ensureThreads(steps: number): void {
    const wanted = this.options.threads?.threads ?? 0;
    const limit = this.concurrency?.global ?? 0;
    // Each lane needs a slot and a call in flight of its own.
    const count = Math.min(wanted, this.pool - 1, limit - 1);
    if (
      this.threads ||
      this.closed ||
      this.options.threads === undefined ||
      count < 1 ||
      steps < 2 ||
      this.deps.limiter ||
      this.deps.preflight
    )
      return;
    this.threads = startStepThreads({ ...this.options.threads, threads: count });
    this.threads.observe(this.deps);
    // Lane 0 is this thread (its limiter is the engine's own), the others the step threads.
    const lanes = 1 + count;
    this.lanes = Array.from({ length: lanes }, (_, i) => {
      const slots = Math.floor(this.pool / lanes) + (i < this.pool % lanes ? 1 : 0);
      const thread = i === 0 ? undefined : this.threads?.threads[i - 1];
      return { ...(thread ? { thread } : {}), slots, global: Math.max(1, Math.floor((limit * slots) / this.pool)) };
    });
    this.main = this.withLimit(this.lanes[0]?.global);
  }

  /**
   * Runs the steps, `pool` at once. Plan steps go to whichever lane frees a slot first; a shard's
   * other steps to the lane that planned it (or, on a resumed run, its number's lane).
   */
  async fanOut(steps: readonly ThreadStepInput[]): Promise<void> {
    // Polls and settles are few calls a location: threads are not started for them alone.
    if (steps[0]?.step === 'plan' || steps[0]?.step === 'start') this.ensureThreads(steps.length);
    const queues: ThreadStepInput[][] = this.lanes.map(() => []);
    const shared: ThreadStepInput[] = [];
    for (const step of steps) {
      if (step.step === 'plan' || this.lanes.length === 1) shared.push(step);
      else queues[this.home.get(step.shard) ?? step.shard % this.lanes.length]?.push(step);
    }
    // One worker per slot, the threads' slots first, so that a fan-out of a few steps still
    // gives the threads some: the main thread also decides and writes what follows.
    const workers = this.lanes
      .flatMap((lane, i) => Array.from({ length: lane.slots }, () => ({ i, thread: lane.thread !== undefined })))
      .sort((a, b) => Number(b.thread) - Number(a.thread));
    await Promise.all(
      workers.map(async ({ i }) => {
        for (let step = shared.shift() ?? queues[i]?.shift(); step; step = shared.shift() ?? queues[i]?.shift()) {
          const output = await this.run(i, step);
          for (const shard of output.shards) this.home.set(shard, i);
        }
      }),
    );
  }

  private async run(lane: number, input: ThreadStepInput): Promise<ShardStepOutput> {
    const { thread, global } = this.lanes[lane] ?? { global: 0 };
    if (thread?.alive) {
      try {
        return await thread.run(input, global);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        this.deps.logger?.warn('A step failed in a step thread; running it again in the engine', {
          step: input.step,
          runId: input.runId,
          error: why,
        });
        this.options.threads?.onFallback?.(
          `The ${input.step} step of ${'group' in input ? `group ${input.group}` : `shard ${input.shard}`} failed in a step thread (${why}); running it again in the main thread, and the rest of this lane's steps too.`,
        );
        // A thread that failed once (its store or clients, say) is not trusted with more steps:
        // the lane's steps run here from now on, under this thread's limiter.
        const current = this.lanes[lane];
        if (current?.thread === thread) this.lanes[lane] = { slots: current.slots, global: current.global };
      }
    }
    return runHere(input, this.main);
  }

  /** Ends the step threads for now, between fan-outs; a later plan or start fan-out starts them again. */
  async release(): Promise<void> {
    const threads = this.threads;
    if (!threads) return;
    this.threads = undefined;
    this.lanes = [{ slots: this.pool, global: this.concurrency?.global ?? 0 }];
    this.main = this.withLimit(this.concurrency?.global);
    // New threads hold none of the old ones' sessions: a shard goes to any lane again.
    this.home.clear();
    await threads.close();
  }

  /** Ends the step threads for good. */
  async close(): Promise<void> {
    this.closed = true;
    await this.release();
  }
}

/** A shard step, run in this thread. */
async function runHere(input: ThreadStepInput, deps: StepDeps): Promise<ShardStepOutput> {
  return (await runStep(input, deps)) as ShardStepOutput;
}
