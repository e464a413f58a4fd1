import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { REPORT_FORMATS, type ReportFormat, RunNotFoundError, renderReport } from '@orgpatch/orchestrator';
import { Option } from 'commander';
import type { RegisterCommand } from '../command.js';
import { type AwsCliOptions, storeFor } from '../context.js';
import { CliUsageError, EXIT } from '../exitCodes.js';
import { println } from '../io.js';

/** `orgpatch report <run-id> --format json|csv|md|html [--out FILE]`. */
export const registerReport: RegisterCommand = (program, ctx) => {
  program
    .command('report')
    .description(
      "Render a run's report from the run store: JSON, CSV, Markdown, or one self-contained HTML page with an account x Region heat map and the per-instance table.",
    )
    .argument('<run-id>', 'the run id printed by "orgpatch run"')
    .addOption(new Option('--format <format>', 'report format').choices(Object.keys(REPORT_FORMATS)).default('md'))
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--store <dir|s3://bucket>', 'run store (default: .orgpatch/runs)')
    .option('--profile <name>', 'AWS shared-config profile (S3 store)')
    .option('--region <region>', 'Region of the S3 store')
    .addHelpText('after', '\nExit codes: 0 written, 1 no such run, 2 usage error, 3 the store cannot be read.')
    .action(async (runId: string, opts: AwsCliOptions & { format: ReportFormat; out?: string }) => {
      const { io } = ctx;
      const store = storeFor(opts, io);
      const record = await store.get(runId);
      if (!record) throw new RunNotFoundError(runId, opts.store ?? 'the local run store (.orgpatch/runs)');
      const body = renderReport(record, opts.format);
      if (opts.out) {
        const file = resolve(io.cwd, opts.out);
        try {
          await writeFile(file, body, 'utf8');
        } catch (error) {
          throw new CliUsageError(`Cannot write ${file}: ${(error as Error).message}`, { cause: error });
        }
        println(io.stderr, `Wrote ${file}`);
      } else {
        io.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
      }
      ctx.setExit(EXIT.ok);
    });
};
