import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type ComplianceReportExtras,
  type ComplianceSource,
  compareSnapshots,
  comparisonLines,
  complianceGate,
  DEFAULT_MAX_AGE_DAYS,
  FAIL_ON_VALUES,
  type FailOn,
  renderComplianceAsffChunks,
  renderComplianceCsvChunks,
  renderComplianceHtml,
  renderComplianceJsonChunks,
  renderComplianceMarkdown,
  storedComplianceSource,
  summarizeCompliance,
} from '@orgpatch/core';
import {
  assertSameOrganization,
  ComplianceSnapshotNotFoundError,
  collectComplianceInto,
  comparisonSnapshot,
  runIdFor,
  validatedSnapshot,
} from '@orgpatch/orchestrator';
import { Option } from 'commander';
import { withAwsRun } from '../awsRun.js';
import type { RegisterCommand } from '../command.js';
import { type AwsCliOptions, loadRequest, storeFor } from '../context.js';
import { CliUsageError, EXIT } from '../exitCodes.js';
import { println, writeChunk } from '../io.js';

/** A report of one format, a chunk at a time. */
type Render = (s: ComplianceSource, e: ComplianceReportExtras) => AsyncIterable<string>;

async function* once(text: Promise<string>): AsyncGenerator<string> {
  yield await text;
}

/**
 * The compliance report formats and how each is rendered from the stored snapshot, read a shard at
 * a time: JSON, CSV and ASFF are written as they are made; Markdown and HTML are one text each, but
 * bounded (they list at most 500 nodes and 3.5 MB of node data).
 */
const FORMATS = {
  json: { file: 'compliance.json', render: renderComplianceJsonChunks },
  csv: { file: 'compliance.csv', render: (s) => renderComplianceCsvChunks(s) },
  md: { file: 'compliance.md', render: (s, e) => once(renderComplianceMarkdown(s, e)) },
  html: { file: 'compliance.html', render: (s, e) => once(renderComplianceHtml(s, e)) },
  asff: { file: 'compliance.asff.json', render: (s) => renderComplianceAsffChunks(s) },
} as const satisfies Record<string, { file: string; render: Render }>;

type Format = keyof typeof FORMATS;

interface ComplianceOptions extends AwsCliOptions {
  readonly allNodes?: boolean;
  readonly maxAge: string;
  readonly failOn: FailOn;
  readonly format: Format;
  readonly outDir?: string;
  readonly compare?: string;
  readonly snapshot?: string;
  readonly list?: boolean;
}

/** `orgpatch compliance [payload]`: an Organization-wide patch compliance snapshot, stored beside the runs. */
export const registerCompliance: RegisterCommand = (program, ctx) => {
  program
    .command('compliance')
    .description(
      'Read the patch compliance of every managed node in the target groups (or, with --all-nodes, every managed node) of every target account and Region; store the snapshot beside the runs and report it. Starts nothing.',
    )
    .argument('[payload]', 'payload JSON file (its targets, Regions and Organization scope)')
    .option('--all-nodes', 'every managed node, not only the target groups’ members')
    .option('--max-age <days>', 'a scan older than this is stale', String(DEFAULT_MAX_AGE_DAYS))
    .addOption(
      new Option('--fail-on <level>', 'exit 1 when nodes are non-compliant at this level')
        .choices([...FAIL_ON_VALUES])
        .default('never'),
    )
    .addOption(new Option('--format <format>', 'report on stdout').choices(Object.keys(FORMATS)).default('md'))
    .option(
      '--out-dir <dir>',
      'write every format to this folder instead (compliance.json, .csv, .md, .html, .asff.json)',
    )
    .option(
      '--compare <snapshot-id|run-id>',
      'show what was fixed, is new, is still missing since that snapshot (or the run’s)',
    )
    .option('--snapshot <snapshot-id>', 'report a stored snapshot instead of reading AWS')
    .option('--list', 'list the stored snapshots')
    .option('--store <dir|s3://bucket>', 'run store the snapshots are kept in (default: .orgpatch/runs)')
    .option('--profile <name>', 'AWS shared-config profile')
    .option('--region <region>', 'the Region orgpatch works from (default: AWS_REGION)')
    .addHelpText(
      'after',
      '\nExit codes: 0 done (and the gate held), 1 the --fail-on gate failed, or invalid input (payload, unknown or malformed snapshot, another Organization), 2 usage error, 3 AWS or environment error.',
    )
    .action(async (path: string | undefined, opts: ComplianceOptions) => {
      const { io, out } = ctx;
      const maxAge = Number(opts.maxAge);
      if (!Number.isFinite(maxAge) || maxAge <= 0) {
        throw new CliUsageError(`--max-age must be a positive number of days, got "${opts.maxAge}".`);
      }
      const where = opts.store ?? 'the local run store (.orgpatch/runs)';
      const store = storeFor(opts, io);
      if (opts.list) {
        for (const l of await store.listSnapshots()) {
          println(
            io.stdout,
            'unreadable' in l
              ? out.red(`${l.snapshotId}  unreadable: ${l.unreadable}`)
              : `${l.snapshotId}  ${l.takenAt}  ${l.organizationId ?? ''}${l.runId ? `  run ${l.runId}` : ''}`,
          );
        }
        ctx.setExit(EXIT.ok);
        return;
      }
      if (path === undefined && opts.snapshot === undefined) {
        throw new CliUsageError(
          'Pass a payload file to read compliance, or --snapshot <id> to report a stored snapshot.',
        );
      }
      // Every stored input is read and validated before AWS is asked anything.
      const earlier = opts.compare === undefined ? undefined : await comparisonSnapshot(store, opts.compare, where);
      let snapshot: ComplianceSource;
      let stored: string | undefined;
      if (opts.snapshot !== undefined) {
        const found = await validatedSnapshot(store, opts.snapshot);
        if (!found) throw new ComplianceSnapshotNotFoundError(opts.snapshot, where);
        snapshot = found;
      } else {
        const request = await loadRequest(path as string, io);
        const takenAt = new Date();
        const snapshotId = `c-${runIdFor(undefined, takenAt)}`;
        // Written into the store a shard at a time as it is read, never held whole.
        ({ where: stored } = await withAwsRun(request, opts, io, { json: false, store: () => store }, (deps) =>
          collectComplianceInto(
            request,
            { ...deps, store },
            {
              snapshotId,
              takenAt,
              maxAgeDays: maxAge,
              allNodes: opts.allNodes === true,
              // A comparison with another Organization is refused before any node is read or kept.
              ...(earlier ? { beforeReading: (head) => assertSameOrganization(earlier.head, head) } : {}),
            },
          ),
        ));
        const read = await store.readSnapshot(snapshotId);
        if (!read) throw new ComplianceSnapshotNotFoundError(snapshotId, where);
        snapshot = storedComplianceSource(read);
      }
      if (earlier) assertSameOrganization(earlier.head, snapshot.head);
      const summary = await summarizeCompliance(snapshot);
      const gate = complianceGate(summary, opts.failOn);
      const extras: ComplianceReportExtras = {
        summary,
        gate,
        ...(earlier ? { comparison: await compareSnapshots(earlier, snapshot) } : {}),
      };
      if (opts.outDir) {
        const dir = resolve(io.cwd, opts.outDir);
        try {
          await mkdir(dir, { recursive: true });
          for (const f of Object.values(FORMATS))
            await pipeline(Readable.from(f.render(snapshot, extras)), createWriteStream(join(dir, f.file)));
        } catch (error) {
          throw new CliUsageError(`Cannot write the reports to ${dir}: ${(error as Error).message}`, { cause: error });
        }
        println(
          io.stderr,
          `Wrote ${Object.values(FORMATS)
            .map((f) => join(dir, f.file))
            .join(', ')}`,
        );
      } else {
        for await (const chunk of FORMATS[opts.format].render(snapshot, extras)) await writeChunk(io.stdout, chunk);
      }
      const t = summary.rollup.organization;
      println(
        io.stderr,
        `Snapshot ${snapshot.head.snapshotId}${stored ? ` stored at ${stored}` : ''}: ${t.nodes} nodes, ${t.critical} missing Critical patches, ${t.security} Security, ${t.unmanaged} unmanaged, ${t.offline} offline, ${t.stale} stale; ${t.notSeen} places not seen.`,
      );
      if (extras.comparison) for (const line of comparisonLines(extras.comparison)) println(io.stderr, line);
      println(io.stderr, gate.fail ? ctx.err.red(gate.message) : gate.message);
      ctx.setExit(gate.fail ? EXIT.failed : EXIT.ok);
    });
};
