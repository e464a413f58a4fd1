import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type ComplianceReportExtras,
  type ComplianceSnapshot,
  compareSnapshots,
  comparisonLines,
  complianceGate,
  DEFAULT_MAX_AGE_DAYS,
  FAIL_ON_VALUES,
  type FailOn,
  renderComplianceAsffChunks,
  renderComplianceCsv,
  renderComplianceHtml,
  renderComplianceJsonChunks,
  renderComplianceMarkdown,
  rollUpCompliance,
} from '@orgpatch/core';
import {
  assertSameOrganization,
  ComplianceSnapshotNotFoundError,
  collectCompliance,
  comparisonSnapshot,
  createAwsRunDeps,
  runIdFor,
} from '@orgpatch/orchestrator';
import { Option } from 'commander';
import type { RegisterCommand } from '../command.js';
import { type AwsCliOptions, clientsFor, loadRequest, storeFor } from '../context.js';
import { CliUsageError, EXIT } from '../exitCodes.js';
import { println } from '../io.js';
import { createProgressRenderer } from '../progress.js';

/** The compliance report formats and how each is rendered: JSON and ASFF a chunk at a time, never as one string. */
const FORMATS = {
  json: { file: 'compliance.json', render: renderComplianceJsonChunks },
  csv: { file: 'compliance.csv', render: (s: ComplianceSnapshot) => [renderComplianceCsv(s)] },
  md: {
    file: 'compliance.md',
    render: (s: ComplianceSnapshot, e: ComplianceReportExtras) => [renderComplianceMarkdown(s, e)],
  },
  html: {
    file: 'compliance.html',
    render: (s: ComplianceSnapshot, e: ComplianceReportExtras) => [renderComplianceHtml(s, e)],
  },
  asff: { file: 'compliance.asff.json', render: (s: ComplianceSnapshot) => renderComplianceAsffChunks(s) },
} as const satisfies Record<
  string,
  { file: string; render: (s: ComplianceSnapshot, e: ComplianceReportExtras) => Iterable<string> }
>;

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
      let snapshot: ComplianceSnapshot;
      let stored: string | undefined;
      if (opts.snapshot !== undefined) {
        const found = await store.getSnapshot(opts.snapshot);
        if (!found) throw new ComplianceSnapshotNotFoundError(opts.snapshot, where);
        snapshot = found;
      } else {
        const request = await loadRequest(path as string, io);
        const clients = clientsFor(opts, io);
        const progress = createProgressRenderer(io, false);
        try {
          const deps = createAwsRunDeps(request, { clients, store, extra: { onProgress: progress.onProgress } });
          const takenAt = new Date();
          snapshot = await collectCompliance(request, deps, {
            snapshotId: `c-${runIdFor(undefined, takenAt)}`,
            takenAt,
            maxAgeDays: maxAge,
            allNodes: opts.allNodes === true,
          });
        } finally {
          progress.stop();
          clients.destroy();
        }
        // A comparison with another Organization is refused before the new snapshot is kept.
        if (earlier) assertSameOrganization(earlier, snapshot);
        stored = await store.putSnapshot(snapshot);
      }
      if (earlier) assertSameOrganization(earlier, snapshot);
      const gate = complianceGate(snapshot, opts.failOn);
      const extras: ComplianceReportExtras = {
        gate,
        ...(earlier ? { comparison: compareSnapshots(earlier, snapshot) } : {}),
      };
      if (opts.outDir) {
        const dir = resolve(io.cwd, opts.outDir);
        try {
          await mkdir(dir, { recursive: true });
          for (const f of Object.values(FORMATS))
            await writeFile(join(dir, f.file), f.render(snapshot, extras), 'utf8');
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
        for (const chunk of FORMATS[opts.format].render(snapshot, extras)) io.stdout.write(chunk);
      }
      const t = rollUpCompliance(snapshot).organization;
      println(
        io.stderr,
        `Snapshot ${snapshot.snapshotId}${stored ? ` stored at ${stored}` : ''}: ${t.nodes} nodes, ${t.critical} missing Critical patches, ${t.security} Security, ${t.unmanaged} unmanaged, ${t.offline} offline, ${t.stale} stale; ${t.notSeen} places not seen.`,
      );
      if (extras.comparison) for (const line of comparisonLines(extras.comparison)) println(io.stderr, line);
      println(io.stderr, gate.fail ? ctx.err.red(gate.message) : gate.message);
      ctx.setExit(gate.fail ? EXIT.failed : EXIT.ok);
    });
};
