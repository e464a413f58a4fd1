import { MAX_STEP_THREADS, runIdFor } from '@orgpatch/orchestrator';
import { InvalidArgumentError } from 'commander';
import { withAwsRun } from '../awsRun.js';
import type { RegisterCommand } from '../command.js';
import { type AwsCliOptions, loadRequest, storeFor, threadSetupFor } from '../context.js';
import { CliUsageError } from '../exitCodes.js';
import { println } from '../io.js';
import { printRunOutcome, runFlow } from '../runFlow.js';

/** `orgpatch run <payload> [--wait]`: plan, start, record; with --wait, track and report. */
export const registerRun: RegisterCommand = (program, ctx) => {
  program
    .command('run')
    .description(
      'Plan and start a patch run: StartAutomationExecution in every kept location, wave by wave, recorded in the run store. With --wait, track it to the end and write the reports.',
    )
    .argument('<payload>', 'payload JSON file')
    .option('--wait', 'track the run until every execution ends, then write the reports')
    .option('--dry-run', 'plan and record, start nothing (same as "DryRun": true)')
    .option('--poll <seconds>', 'first poll interval while waiting (doubles while nothing changes, up to 60 s)', '5')
    .option('--store <dir|s3://bucket>', 'run store (default: .orgpatch/runs)')
    .option(
      '--run-id <id>',
      'resume this run (one stopped or interrupted): the same payload continues it, starting nothing twice',
    )
    .option(
      '--threads <n>',
      `step threads beside the main one (0 to ${MAX_STEP_THREADS}): a run over 100 accounts plans and starts on more cores, each thread about 40 MB more memory idle, 70 MB at work; for a run that is CPU-bound (a high Concurrency.Global)`,
      parseThreads,
      0,
    )
    .option('--json', 'machine-readable output')
    .option('--profile <name>', 'AWS shared-config profile')
    .option('--region <region>', 'the Region orgpatch works from (default: AWS_REGION)')
    .addHelpText(
      'after',
      '\nExit codes: 0 started (or, with --wait, succeeded), 1 invalid payload or a run that failed or was halted, 2 usage error, 3 AWS or environment error.',
    )
    .action(
      async (
        path: string,
        opts: AwsCliOptions & {
          json?: boolean;
          wait?: boolean;
          dryRun?: boolean;
          poll: string;
          runId?: string;
          threads: number;
        },
      ) => {
        const { io } = ctx;
        const poll = Number(opts.poll);
        if (!Number.isFinite(poll) || poll <= 0)
          throw new CliUsageError(`--poll must be a positive number of seconds, got "${opts.poll}".`);
        const parsed = await loadRequest(path, io);
        const request = opts.dryRun ? { ...parsed, dryRun: true } : parsed;
        const runId = opts.runId ?? runIdFor(request.taskExecutionId, new Date());
        const result = await withAwsRun(
          request,
          opts,
          io,
          { json: opts.json === true, runId, store: (clients) => storeFor(opts, io, () => clients) },
          (deps) =>
            runFlow(request, deps, {
              runId,
              wait: opts.wait === true,
              backoff: { initialMs: poll * 1000, maxMs: Math.max(poll * 1000, 60_000), factor: 2 },
              ...(opts.threads > 0
                ? {
                    threads: {
                      threads: opts.threads,
                      setup: threadSetupFor(opts, io),
                      onFallback: (message: string) => println(io.stderr, ctx.out.yellow(message)),
                    },
                  }
                : {}),
            }),
        );
        printRunOutcome(ctx, result, opts.json === true, opts.store ? ` --store ${opts.store}` : '');
        ctx.setExit(result.exitCode);
      },
    );
};

/** `--threads`: a whole number from 0 to MAX_STEP_THREADS. */
function parseThreads(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_STEP_THREADS) {
    throw new InvalidArgumentError(
      `--threads must be a whole number from 0 to ${MAX_STEP_THREADS}, got "${value}". Use 0 to run every step in the main thread.`,
    );
  }
  return n;
}
