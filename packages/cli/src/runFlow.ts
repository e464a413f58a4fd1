import { OrgPatchError, type PatchRequest, type RunSummary, runComplianceLines } from '@orgpatch/core';
import {
  type PollBackoff,
  type ReportFormat,
  type RunDeps,
  runEngine,
  type StepThreadsOptions,
  summarizeStoredRun,
} from '@orgpatch/orchestrator';
import type { CommandContext } from './command.js';
import { EXIT } from './exitCodes.js';
import { printJson, println } from './io.js';
import { renderSummary } from './render.js';

/** A window's payload run on a day that is not its Patch Tuesday go-day: nothing was started. */
class NotThePatchDayError extends OrgPatchError {
  constructor(runId: string, reason: string) {
    super(`Run ${runId} was not started: ${reason}. Nothing was read or started; orgpatch status lists the skip.`);
    this.name = 'NotThePatchDayError';
  }
}

/** What `run` and `demo` did, for their output and exit code. */
export interface RunFlowResult {
  readonly summary: RunSummary;
  readonly resumed: boolean;
  readonly artifacts?: Readonly<Record<ReportFormat, string>>;
  readonly exitCode: number;
}

/**
 * Runs the steps of a run in this process (the in-process engine): plan a group at a time, start
 * the first wave, and, with `wait`, follow it wave by wave to the end and write the reports. The
 * summary is read back a shard at a time. The exit code is 0 for a run that started (or, waited
 * on, succeeded), 1 for one that failed or was halted.
 */
export async function runFlow(
  request: PatchRequest,
  deps: RunDeps,
  options: {
    readonly runId: string;
    readonly wait: boolean;
    readonly backoff?: PollBackoff;
    /** Step threads beside the engine (`run --threads`); none by default. */
    readonly threads?: StepThreadsOptions;
  },
): Promise<RunFlowResult> {
  const result = await runEngine(
    request,
    { ...deps, ...(options.backoff ? { backoff: options.backoff } : {}) },
    {
      runId: options.runId,
      request,
      startOnly: !options.wait,
      ...(options.threads ? { threads: options.threads } : {}),
    },
  );
  if (result.begun.skipped !== null) {
    throw new NotThePatchDayError(result.begun.runId, result.begun.skipped);
  }
  const summary = await summarizeStoredRun(deps.store, result.begun.runId);
  const bad = summary.status === 'failed' || summary.status === 'halted';
  const artifacts = result.finished?.reports as Readonly<Record<ReportFormat, string>> | undefined;
  return {
    summary,
    resumed: result.begun.resumed,
    ...(artifacts ? { artifacts } : {}),
    exitCode: bad ? EXIT.failed : EXIT.ok,
  };
}

/** Prints a run's outcome for a person, or as JSON. */
export function printRunOutcome(ctx: CommandContext, result: RunFlowResult, json: boolean, storeHint: string): void {
  const { summary } = result;
  if (json) {
    printJson(ctx.io.stdout, {
      runId: summary.runId,
      resumed: result.resumed,
      summary,
      artifacts: result.artifacts ?? null,
    });
    return;
  }
  const { io, out } = ctx;
  if (result.resumed)
    println(
      io.stdout,
      out.yellow(`Run ${summary.runId} already existed (same task execution): resumed it, started nothing twice.`),
    );
  println(io.stdout, renderSummary(summary, out));
  if (summary.compliance !== undefined) {
    for (const line of runComplianceLines(summary.compliance)) println(io.stdout, line);
  }
  if (result.artifacts) {
    println(io.stdout, `Report: ${out.bold(result.artifacts.html)}`);
    println(io.stdout, out.dim(`Also: ${result.artifacts.md}, ${result.artifacts.csv}, ${result.artifacts.json}`));
  } else if (!summary.dryRun) {
    println(
      io.stdout,
      out.dim(
        `See it with: orgpatch status ${summary.runId}${storeHint}; follow it to the end with: orgpatch run <payload> --run-id ${summary.runId} --wait${storeHint}`,
      ),
    );
  }
}
