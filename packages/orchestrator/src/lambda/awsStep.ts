import { type PatchRequest, parsePayload, type RunStore } from '@orgpatch/core';
import { RunNotFoundError } from '../errors.js';
import { runIdFor } from '../run/ids.js';
import type { PollBackoff } from '../run/trackRun.js';
import { runStep, type StepDeps, type StepInput, type StepOutput } from '../steps/index.js';
import { requireTaskExecutionId } from './taskExecutionId.js';

/**
 * The poll backoff of a run on Step Functions: at least a minute between poll rounds, up to five
 * when nothing changes. Each round adds a fixed number of events to the execution's history (whose
 * quota is 25,000), so the shortest wait sets how long a run can be followed: about 1,700 rounds,
 * about 28 hours even if every round brings news (README, "Step Functions engine").
 */
export const STEP_FUNCTIONS_BACKOFF: PollBackoff = { initialMs: 60_000, maxMs: 300_000, factor: 2 };

/** Builds a run's ports for its request: the Lambda wires AWS (createAwsRunDeps), a test the sandbox. */
export type StepDepsFor = (request: PatchRequest, runId: string) => StepDeps;

/**
 * Runs one step with the ports of its run's request. `begin` reads the request from its payload (an
 * invalid one fails here, naming the field, before anything is read or started; without a task
 * execution id the run could not be told from a retried one, so it is refused); every other step
 * reads it from the run's manifest. So a dry run's ports refuse starts in every step, not only the first.
 */
export async function runStepWithDeps(input: StepInput, store: RunStore, depsFor: StepDepsFor): Promise<StepOutput> {
  if (input.step === 'begin') {
    const request = parsePayload(input.payload);
    const runId = input.runId ?? runIdFor(requireTaskExecutionId(request), new Date());
    return runStep({ ...input, runId }, depsFor(request, runId));
  }
  const manifest = await store.sharded?.manifest(input.runId);
  if (manifest === undefined) throw new RunNotFoundError(input.runId, 'the run store');
  return runStep(input, depsFor(manifest.request, input.runId));
}
