import type { BeginOutput, FinishOutput, NextOutput, ShardStepOutput, StepInput } from './contract.js';
import { begin, finish, next, plan, poll, type StepDeps, settle, start } from './steps.js';

/** What each step answers. */
export type StepOutput = BeginOutput | ShardStepOutput | NextOutput | FinishOutput;

/**
 * Runs one step of a run, by its input's `step`: the one entry the Step Functions state machine's
 * Lambda task calls (and a test, with the same inputs).
 */
export function runStep(input: StepInput, deps: StepDeps): Promise<StepOutput> {
  switch (input.step) {
    case 'begin':
      return begin(input, deps);
    case 'plan':
      return plan(input, deps);
    case 'next':
      return next(input, deps);
    case 'start':
      return start(input, deps);
    case 'poll':
      return poll(input, deps);
    case 'settle':
      return settle(input, deps);
    case 'finish':
      return finish(input, deps);
    default:
      return Promise.reject(
        new TypeError(
          `Unknown step ${JSON.stringify((input as { step?: unknown }).step)}: "step" must be one of begin, plan, next, start, poll, settle, finish`,
        ),
      );
  }
}
