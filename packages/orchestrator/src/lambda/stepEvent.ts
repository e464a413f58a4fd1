import type { Logger } from '@aws-lambda-powertools/logger';
import { OrgPatchError, truncateForMessage } from '@orgpatch/core';
import type { Context } from 'aws-lambda';
import { awsErrorCode, awsErrorMessage, isTransient } from '../aws/awsErrors.js';
import { StepInputError, TransientStepError } from '../errors.js';
import type { StepInput } from '../steps/contract.js';

const STEP_KINDS: ReadonlySet<string> = new Set(['begin', 'plan', 'next', 'start', 'poll', 'settle', 'finish']);

/** Runs one validated step; the entry point closes it over the real steps and the AWS deps. */
export type StepRunner = (input: StepInput) => Promise<unknown>;

/**
 * Handles one Step Functions task invocation: checks that the event is a step's input, runs it and
 * returns its (small JSON) output. Errors leave with a stable `name` the state machine's Retry and
 * Catch match on: orgpatch's own errors keep theirs (PayloadValidationError, RunRequestMismatchError,
 * RunOverlapError, DryRunViolationError, RunStoreConflictError, ...), a transient AWS failure becomes a
 * {@link TransientStepError}, an event that is no step's input a {@link StepInputError}.
 */
export async function handleStepEvent(
  event: unknown,
  logger: Logger,
  run: StepRunner,
  context?: Context,
): Promise<unknown> {
  // The logger lives at module scope: keys appended by an earlier (warm) invocation must not leak in.
  logger.resetKeys();
  if (context) logger.addContext(context);
  try {
    const input = parseStepInput(event);
    logger.appendKeys(stepKeys(input));
    try {
      const output = await run(input);
      logger.info('Step done', { output: summarize(output) });
      return output;
    } catch (error) {
      const thrown = stepError(error);
      logger.error('Step failed', { error: thrown.name, message: truncateForMessage(thrown.message, 400) });
      throw thrown;
    }
  } finally {
    logger.resetKeys();
  }
}

/** The error a step leaves with: orgpatch's own as thrown, a transient AWS failure as {@link TransientStepError}. */
function stepError(error: unknown): Error {
  if (error instanceof OrgPatchError) return error;
  if (isTransient(error)) {
    return new TransientStepError(awsErrorCode(error), awsErrorMessage(error), { cause: error });
  }
  if (error instanceof Error) return error;
  return new Error(String(error));
}

function stepKeys(input: StepInput): Record<string, unknown> {
  const keys: Record<string, unknown> = { step: input.step };
  if ('runId' in input && input.runId !== undefined) keys.runId = input.runId;
  if ('shard' in input) keys.shard = input.shard;
  if ('group' in input) keys.group = input.group;
  if ('wave' in input) keys.wave = input.wave;
  return keys;
}

/** What is worth logging of an output: its scalars and the lengths of its lists, never the payload. */
function summarize(output: unknown): Record<string, unknown> {
  if (output === null || typeof output !== 'object') return {};
  return Object.fromEntries(
    Object.entries(output).map(([k, v]) => [
      k,
      Array.isArray(v) ? `${v.length} items` : typeof v === 'object' ? '…' : v,
    ]),
  );
}

/**
 * Checks the event is a step's input as the state machine builds it. Only the shape is checked: the
 * payload inside `begin` is validated by the step itself (core's parser, naming the field).
 */
export function parseStepInput(event: unknown): StepInput {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new StepInputError('The step Lambda takes a JSON object with a "step" field; got something else.');
  }
  const e = event as Record<string, unknown>;
  const step = e.step;
  if (typeof step !== 'string' || !STEP_KINDS.has(step)) {
    throw new StepInputError(
      `"step" must be one of ${[...STEP_KINDS].join(', ')}; got ${JSON.stringify(truncateForMessage(String(step)))}.`,
    );
  }
  const problems: string[] = [];
  const need = (key: string, ok: (v: unknown) => boolean, what: string, optional = false) => {
    if (optional && e[key] === undefined) return;
    if (!ok(e[key])) problems.push(`"${key}" must be ${what}`);
  };
  const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const isText = (v: unknown) => typeof v === 'string' && v !== '';
  if (step === 'begin') {
    if (!('payload' in e)) problems.push('"payload" is missing');
    need('runId', isText, 'a non-empty string', true);
  } else {
    need('runId', isText, 'a non-empty string');
  }
  if (step === 'plan') need('group', isCount, 'a whole number');
  if (step === 'start' || step === 'poll' || step === 'settle') need('shard', isCount, 'a whole number');
  if (step === 'start') need('wave', isText, 'a non-empty string');
  if (step === 'next') {
    need('quietRounds', isCount, 'a whole number', true);
    need('revision', isCount, 'a whole number', true);
  }
  if (problems.length > 0) {
    throw new StepInputError(`The "${step}" step's input is not valid: ${problems.join('; ')}.`);
  }
  return e as unknown as StepInput;
}
