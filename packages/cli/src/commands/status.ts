import { summarizeRun } from '@orgpatch/core';
import { RunNotFoundError } from '@orgpatch/orchestrator';
import type { RegisterCommand } from '../command.js';
import { type AwsCliOptions, storeFor } from '../context.js';
import { EXIT } from '../exitCodes.js';
import { printJson, println } from '../io.js';
import { renderLocations, renderSummary } from '../render.js';

/** `orgpatch status [run-id]`: a run's summary from the run store (without an id: the runs it holds). */
export const registerStatus: RegisterCommand = (program, ctx) => {
  program
    .command('status')
    .description(
      'Show a run from the run store: its status, waves, and every location that was not skipped. Without a run id, list the runs.',
    )
    .argument('[run-id]', 'the run id printed by "orgpatch run"')
    .option('--store <dir|s3://bucket>', 'run store (default: .orgpatch/runs)')
    .option('--json', 'machine-readable output (the run summary)')
    .option('--profile <name>', 'AWS shared-config profile (S3 store)')
    .option('--region <region>', 'Region of the S3 store')
    .addHelpText('after', '\nExit codes: 0 found, 1 no such run, 2 usage error, 3 the store cannot be read.')
    .action(async (runId: string | undefined, opts: AwsCliOptions & { json?: boolean }) => {
      const { io, out } = ctx;
      const store = storeFor(opts, io);
      if (!runId) {
        const runs = await store.list();
        if (opts.json) printJson(io.stdout, runs);
        else if (runs.length === 0) println(io.stdout, 'No runs in the store yet.');
        else
          for (const r of runs) {
            println(
              io.stdout,
              r.status === 'unreadable'
                ? out.red(`${r.runId}  unreadable: ${r.problem}`)
                : r.status === 'skipped-not-patch-day'
                  ? out.dim(`${r.runId}  ${r.createdAt}  ${r.status}: ${r.reason}`)
                  : `${r.runId}  ${r.createdAt}  ${r.status}`,
            );
          }
        ctx.setExit(EXIT.ok);
        return;
      }
      const record = await store.get(runId);
      if (!record) {
        // An invocation that was not on its Patch Tuesday go-day left a skip note, not a record.
        const skipped = (await store.list()).find((r) => r.runId === runId && r.status === 'skipped-not-patch-day');
        if (skipped !== undefined) {
          if (opts.json) printJson(io.stdout, skipped);
          else if (skipped.status === 'skipped-not-patch-day')
            println(io.stdout, `${runId}  ${skipped.createdAt}  ${skipped.status}: ${skipped.reason}`);
          ctx.setExit(EXIT.ok);
          return;
        }
      }
      if (!record) throw new RunNotFoundError(runId, opts.store ?? 'the local run store (.orgpatch/runs)');
      const summary = summarizeRun(record);
      if (opts.json) printJson(io.stdout, summary);
      else {
        println(io.stdout, renderSummary(summary, out));
        println(io.stdout, renderLocations(record, out));
      }
      ctx.setExit(EXIT.ok);
    });
};
