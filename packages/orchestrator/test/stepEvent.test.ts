import { Logger } from '@aws-lambda-powertools/logger';
import { PayloadValidationError } from '@orgpatch/core';
import { describe, expect, it, vi } from 'vitest';
import { RunOverlapError, RunStoreConflictError } from '../src/errors.js';
import { handleStepEvent, parseStepInput } from '../src/lambda/stepEvent.js';
import type { StepInput } from '../src/steps/contract.js';

const quiet = () => new Logger({ serviceName: 'orgpatch-step-test', logLevel: 'SILENT' });

/** An SDK-shaped error, as the clients throw them. */
function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: status } });
}

describe('handleStepEvent', () => {
  it("runs the step's input and returns its output unchanged", async () => {
    const seen: StepInput[] = [];
    const out = await handleStepEvent({ step: 'poll', runId: 'mw-1', shard: 3 }, quiet(), async (input) => {
      seen.push(input);
      return { runId: 'mw-1', shards: [3], changed: true };
    });
    expect(seen).toEqual([{ step: 'poll', runId: 'mw-1', shard: 3 }]);
    expect(out).toEqual({ runId: 'mw-1', shards: [3], changed: true });
  });

  it("keeps orgpatch's error names, which the state machine's Catch matches", async () => {
    const overlap = new RunOverlapError('o-abc', 'mw-other', '2026-11-01T04:00:00Z');
    await expect(
      handleStepEvent({ step: 'begin', payload: {} }, quiet(), async () => {
        throw overlap;
      }),
    ).rejects.toBe(overlap);
    const invalid = new PayloadValidationError([{ path: 'Regions[0]', message: 'unknown Region us-east-9' }]);
    await expect(
      handleStepEvent({ step: 'begin', payload: {} }, quiet(), async () => {
        throw invalid;
      }),
    ).rejects.toMatchObject({ name: 'PayloadValidationError', message: expect.stringMatching(/Regions\[0\]/) });
    await expect(
      handleStepEvent({ step: 'start', runId: 'mw-1', shard: 0, wave: 'dev' }, quiet(), async () => {
        throw new RunStoreConflictError('mw-1', 's3://bucket/runs/mw-1/manifest.json');
      }),
    ).rejects.toMatchObject({ name: 'RunStoreConflictError' });
  });

  it('names a transient AWS failure TransientStepError, keeping the AWS error as its cause', async () => {
    for (const error of [awsError('ThrottlingException', 400), awsError('InternalFailure', 500)]) {
      const thrown = await handleStepEvent({ step: 'next', runId: 'mw-1' }, quiet(), async () => {
        throw error;
      }).catch((e: unknown) => e);
      expect(thrown).toMatchObject({ name: 'TransientStepError', code: error.name });
      expect((thrown as Error).cause).toBe(error);
    }
  });

  it("lets AWS's permanent answers through under their own names", async () => {
    const denied = awsError('AccessDeniedException', 400);
    await expect(
      handleStepEvent({ step: 'settle', runId: 'mw-1', shard: 0 }, quiet(), async () => {
        throw denied;
      }),
    ).rejects.toBe(denied);
  });

  it("does not carry a warm invocation's log keys into the next one", async () => {
    const logger = new Logger({ serviceName: 'orgpatch-step-test', logLevel: 'INFO' });
    const lines: Record<string, unknown>[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line));
      return true;
    });
    try {
      await handleStepEvent({ step: 'plan', runId: 'mw-1', group: 2 }, logger, async () => ({ runId: 'mw-1' }));
      expect(lines.at(-1)).toMatchObject({ message: 'Step done', step: 'plan', runId: 'mw-1', group: 2 });
      await handleStepEvent({ step: 'begin', payload: {} }, logger, async () => ({ runId: 'mw-2' }));
      expect(lines.at(-1)).toMatchObject({ message: 'Step done', step: 'begin' });
      expect(lines.at(-1)).not.toHaveProperty('runId');
      expect(lines.at(-1)).not.toHaveProperty('group');
    } finally {
      spy.mockRestore();
    }
  });
});

describe('parseStepInput', () => {
  it('accepts every step kind the contract defines', () => {
    for (const input of [
      { step: 'begin', payload: { any: 'thing' } },
      { step: 'begin', payload: {}, runId: 'cli-run' },
      { step: 'plan', runId: 'r', group: 0 },
      { step: 'next', runId: 'r' },
      { step: 'next', runId: 'r', quietRounds: 4 },
      { step: 'start', runId: 'r', shard: 1, wave: 'dev' },
      { step: 'poll', runId: 'r', shard: 1 },
      { step: 'settle', runId: 'r', shard: 1 },
      { step: 'finish', runId: 'r' },
    ]) {
      expect(parseStepInput(input)).toEqual(input);
    }
  });

  it('refuses what is no step input, saying what is wrong, as StepInputError', () => {
    const cases: [unknown, RegExp][] = [
      [null, /JSON object/],
      [['begin'], /JSON object/],
      [{ step: 'launch' }, /"step" must be one of begin, plan/],
      [{ step: 'begin' }, /"payload" is missing/],
      [{ step: 'plan', runId: 'r' }, /"group" must be a whole number/],
      [{ step: 'start', runId: 'r', shard: -1, wave: 'dev' }, /"shard" must be a whole number/],
      [{ step: 'start', runId: 'r', shard: 0 }, /"wave" must be a non-empty string/],
      [{ step: 'poll', shard: 0 }, /"runId" must be a non-empty string/],
      [{ step: 'next', runId: 'r', quietRounds: 1.5 }, /"quietRounds" must be a whole number/],
    ];
    for (const [event, message] of cases) {
      expect(() => parseStepInput(event), JSON.stringify(event)).toThrow(message);
      expect(() => parseStepInput(event)).toThrow(expect.objectContaining({ name: 'StepInputError' }));
    }
  });
});
