import type { PatchRequest, RunRecord } from '@orgpatch/core';
import { summarizeRun } from '@orgpatch/core';
import { type PollBackoff, type ReportFormat, type RunDeps, startRun, trackRun } from '@orgpatch/orchestrator';
import type { CommandContext } from './command.js';
import { EXIT } from './exitCodes.js';
import { printJson, println } from './io.js';
import { renderSummary } from './render.js';

/** What `run` and `demo` did, for their output and exit code. */
export interface RunFlowResult {
  readonly record: RunRecord;
  readonly resumed: boolean;
  readonly artifacts?: Readonly<Record<ReportFormat, string>>;
  readonly exitCode: number;
}

/**
 * Starts a run (plan, record, first wave) and, with `wait`, tracks it to the end and writes the
 * reports. The exit code is 0 for a run that started (or, waited on, succeeded), 1 for one that
 * failed or was halted.
 */
export async function runFlow(
  request: PatchRequest,
  deps: RunDeps,
  options: { readonly runId: string; readonly wait: boolean; readonly backoff?: PollBackoff },
): Promise<RunFlowResult> {
  const started = await startRun(request, deps, { runId: options.runId });
  let record = started.record;
  let artifacts: RunFlowResult['artifacts'];
  if (options.wait && !record.dryRun) {
    const tracked = await trackRun(record, deps, {
      until: 'done',
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
    record = tracked.record;
    artifacts = tracked.artifacts;
  }
  const bad = record.status === 'failed' || record.status === 'halted';
  return {
    record,
    resumed: started.resumed,
    ...(artifacts ? { artifacts } : {}),
    exitCode: bad ? EXIT.failed : EXIT.ok,
  };
}

/** Prints a run's outcome for a person, or as JSON. */
export function printRunOutcome(ctx: CommandContext, result: RunFlowResult, json: boolean, storeHint: string): void {
  const summary = summarizeRun(result.record);
  if (json) {
    printJson(ctx.io.stdout, {
      runId: result.record.runId,
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
      out.yellow(
        `Run ${result.record.runId} already existed (same task execution): resumed it, started nothing twice.`,
      ),
    );
  println(io.stdout, renderSummary(summary, out));
  if (result.artifacts) {
    println(io.stdout, `Report: ${out.bold(result.artifacts.html)}`);
    println(io.stdout, out.dim(`Also: ${result.artifacts.md}, ${result.artifacts.csv}, ${result.artifacts.json}`));
  } else if (!result.record.dryRun) {
    println(io.stdout, out.dim(`Follow it with: orgpatch status ${result.record.runId}${storeHint}`));
  }
}
