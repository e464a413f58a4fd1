import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { REPORT_FORMATS, type ReportFormat, RunNotFoundError, storedReportChunks } from '@orgpatch/orchestrator';
import { Option } from 'commander';
import type { RegisterCommand } from '../command.js';
import { type AwsCliOptions, storeFor } from '../context.js';
import { CliUsageError, EXIT } from '../exitCodes.js';
import { println, writeChunk } from '../io.js';

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
      // A run kept as shards is rendered a shard at a time and written as it is rendered.
      const chunks = await storedReportChunks(store, runId, opts.format);
      if (!chunks) throw new RunNotFoundError(runId, opts.store ?? 'the local run store (.orgpatch/runs)');
      if (opts.out) {
        const file = resolve(io.cwd, opts.out);
        try {
          await pipeline(Readable.from(chunks), createWriteStream(file));
        } catch (error) {
          // A file system error is the output's; anything else (a malformed shard, say) is the run's.
          if (!/^E[A-Z]+$/.test(String((error as NodeJS.ErrnoException).code))) throw error;
          throw new CliUsageError(`Cannot write ${file}: ${(error as Error).message}`, { cause: error });
        }
        println(io.stderr, `Wrote ${file}`);
      } else {
        let last = '';
        for await (const chunk of chunks) {
          if (chunk === '') continue;
          await writeChunk(io.stdout, chunk);
          last = chunk;
        }
        if (!last.endsWith('\n')) io.stdout.write('\n');
      }
      ctx.setExit(EXIT.ok);
    });
};
