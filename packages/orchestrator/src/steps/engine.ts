import type { PatchRequest } from '@orgpatch/core';
import pLimit from 'p-limit';
import { realSleep } from '../run/deps.js';
import { createAccountLimiter } from '../run/limiter.js';
import type { BeginOutput, FinishOutput, NextOutput } from './contract.js';
import { begin, finish, next, plan, poll, type StepDeps, settle, start } from './steps.js';

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
  const shared: StepDeps = {
    ...deps,
    limiter: deps.limiter ?? (manifest ? createAccountLimiter(manifest.request.concurrency) : undefined),
  };
  const pool = pLimit(Math.max(1, options.pool ?? 4));
  const fanOut = async <T>(items: readonly T[], step: (item: T) => Promise<unknown>): Promise<void> => {
    await Promise.all(items.map((item) => pool(() => step(item))));
  };
  const sleep = deps.sleep ?? realSleep;
  let rounds = 0;
  let decision = await next({ step: 'next', runId }, shared);
  for (;;) {
    switch (decision.action) {
      case 'plan':
        await fanOut(decision.groups, (group) => plan({ step: 'plan', runId, group }, shared));
        decision = await next({ step: 'next', runId }, shared);
        break;
      case 'start': {
        const wave = decision.wave;
        await fanOut(decision.shards, (shard) => start({ step: 'start', runId, shard, wave }, shared));
        decision = await next({ step: 'next', runId }, shared);
        break;
      }
      case 'wait': {
        if (options.startOnly) return { begun, last: decision, rounds };
        await sleep(decision.seconds * 1000);
        rounds += 1;
        await fanOut(decision.shards, (shard) => poll({ step: 'poll', runId, shard }, shared));
        decision = await next(
          { step: 'next', runId, quietRounds: decision.quietRounds, revision: decision.revision },
          shared,
        );
        break;
      }
      case 'finish': {
        await fanOut(decision.shards, (shard) => settle({ step: 'settle', runId, shard }, shared));
        const finished = await finish({ step: 'finish', runId }, shared);
        return { begun, last: decision, finished, rounds };
      }
    }
  }
}
